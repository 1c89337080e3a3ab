import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { shotPath } from './support/screenshots';
import { callApi } from './support/api';

// The hand-off round trip between two installations (two hosts, two data
// folders, the same sandboxes): A takes its exceptions offline; B opens the
// file, decides one exception and exports the decisions; A imports them and
// shows the decision applied. A wrong passphrase is refused clearly on both
// sides and changes nothing.

const PASSPHRASE = 'correct horse battery';
const DECISIONS_PASSPHRASE = 'staple decisions 42';
const NOTE = 'Confirmed by phone with the payer: hold for the credit memo.';

let sandboxes: Sandboxes | null = null;
const hosts: Host[] = [];

test.afterAll(async () => {
  for (const h of hosts) await h.proc.stop();
  await sandboxes?.proc.stop();
});

type Row = { transactionId: number; note: string | null; exception: string | null; status: string };


async function openInstallation(browser: Browser, host: Host): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(async () => Number(await page.getByTestId('tab-exception').getAttribute('data-count')), { timeout: 60_000 }).toBeGreaterThan(0);
  return page;
}

async function download(page: Page, click: () => Promise<void>, dir: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  return path;
}

test('take offline on A, review on B, import the decisions back on A', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  const hostA = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  hosts.push(hostA);
  const hostB = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  hosts.push(hostB);
  const files = tempDataDir();

  // A: take the open exceptions offline.
  const a = await openInstallation(browser, hostA);
  await a.getByTestId('take-offline').click();
  await a.getByTestId('handoff-passphrase').fill(PASSPHRASE);
  await a.getByTestId('handoff-passphrase-confirm').fill(PASSPHRASE);
  const exceptionsFile = await download(a, () => a.getByTestId('handoff-export').click(), files);
  expect(readFileSync(exceptionsFile).subarray(0, 8).toString('ascii')).toBe('TIEOUTHF');

  // B: a wrong passphrase is refused in words, nothing opens.
  const b = await openInstallation(browser, hostB);
  await b.getByTestId('handoff-menu').click();
  await b.getByTestId('handoff-menu-review').click();
  await b.getByTestId('handoff-open-file').setInputFiles(exceptionsFile);
  await b.getByTestId('handoff-open-passphrase').fill('not the passphrase');
  await b.getByTestId('handoff-open-submit').click();
  await expect(b.getByTestId('handoff-open-error')).toContainText('passphrase is wrong');
  await expect(b.getByTestId('handoff-review')).toHaveCount(0);

  // A file with one byte changed is refused the same way.
  const tampered = join(files, 'tampered.tieout');
  const bytes = readFileSync(exceptionsFile);
  bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0x01;
  writeFileSync(tampered, bytes);
  await b.getByTestId('handoff-open-file').setInputFiles(tampered);
  await b.getByTestId('handoff-open-passphrase').fill(PASSPHRASE);
  await b.getByTestId('handoff-open-submit').click();
  await expect(b.getByTestId('handoff-open-error')).toContainText('changed since it was written');

  // B: the right file and passphrase open the review screen.
  await b.getByTestId('handoff-open-file').setInputFiles(exceptionsFile);
  await b.getByTestId('handoff-open-submit').click();
  const review = b.getByTestId('handoff-review');
  await expect(review).toBeVisible();
  const items = review.getByTestId('handoff-exception');
  expect(await items.count()).toBeGreaterThan(0);
  const target = Number(await items.first().getAttribute('data-transaction-id'));
  const before = (await callApi<{ row: Row }>(a, 'grid:detail', { transactionId: target })).row;
  const newReason = before.exception === 'manual' ? 'other_customer_invoice' : 'manual';

  // B decides that exception: a reason and a note.
  await items.first().click();
  const decision = review.getByTestId('handoff-decision');
  await expect(decision).toHaveAttribute('data-transaction-id', String(target));
  await decision.getByTestId('handoff-reason').selectOption(newReason);
  await decision.getByTestId('handoff-note').fill(NOTE);
  await decision.getByTestId('handoff-decide').click();
  await expect(decision.getByTestId('handoff-decision-saved')).toBeVisible();
  await expect(items.first()).toHaveAttribute('data-decided', 'true');
  await expect(review.getByTestId('handoff-decision-count')).toHaveAttribute('data-count', '1');
  await b.screenshot({ path: shotPath('handoff.png') });

  await review.getByTestId('handoff-export-passphrase').fill(DECISIONS_PASSPHRASE);
  const decisionsFile = await download(b, () => review.getByTestId('handoff-export-decisions').click(), files);
  expect(decisionsFile).toMatch(/tieout-decisions-.*\.tieout$/);

  // A: the decisions file with a wrong passphrase is refused and changes nothing.
  await a.getByTestId('handoff-menu').click();
  await a.getByTestId('handoff-menu-import').click();
  await a.getByTestId('handoff-import-file').setInputFiles(decisionsFile);
  await a.getByTestId('handoff-import-passphrase').fill(PASSPHRASE);
  await a.getByTestId('handoff-import-submit').click();
  await expect(a.getByTestId('handoff-import-error')).toContainText('passphrase is wrong');
  await expect(a.getByTestId('handoff-import-result')).toHaveCount(0);
  const unchanged = (await callApi<{ row: Row }>(a, 'grid:detail', { transactionId: target })).row;
  expect({ note: unchanged.note, exception: unchanged.exception }).toEqual({ note: before.note, exception: before.exception });

  // The exceptions file is not a decisions file: named as such.
  await a.getByTestId('handoff-import-file').setInputFiles(exceptionsFile);
  await a.getByTestId('handoff-import-passphrase').fill(PASSPHRASE);
  await a.getByTestId('handoff-import-submit').click();
  await expect(a.getByTestId('handoff-import-error')).toContainText(/exceptions/i);

  // The right passphrase applies the decision.
  await a.getByTestId('handoff-import-file').setInputFiles(decisionsFile);
  await a.getByTestId('handoff-import-passphrase').fill(DECISIONS_PASSPHRASE);
  await a.getByTestId('handoff-import-submit').click();
  const result = a.getByTestId('handoff-import-result');
  await expect(result).toHaveAttribute('data-applied', '1');
  await expect(result).toHaveAttribute('data-skipped', '0');
  await expect(result).toContainText(String(target));
  await a.getByTestId('handoff-import-close').click();

  const after = (await callApi<{ row: Row; history: Array<{ actor: string }> }>(a, 'grid:detail', { transactionId: target }));
  expect(after.row.note).toBe(NOTE);
  expect(after.row.exception).toBe(newReason);
  expect(after.history.some((h) => h.actor.includes('hand-off review by clerk'))).toBe(true);

  // And A's detail panel shows it.
  await a.getByTestId('tab-all').click();
  await a.getByTestId('quick-filter').fill(String(target));
  await a.locator(`.ag-row[row-id="${target}"]`).first().dblclick();
  await expect(a.getByTestId('detail-panel')).toHaveAttribute('data-transaction-id', String(target));
  await expect(a.getByTestId('note-input')).toHaveValue(NOTE);
  await expect(a.getByTestId('exception-reason')).toHaveValue(newReason);
});
