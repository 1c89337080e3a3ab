import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { GridRow } from '@shared/domain';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { DEMO_PASSWORD, signIn } from './support/sign-in';
import { screenshotDir } from './support/screenshots';
import { engineCall } from './support/api';
import { openDetail as openDetailPanel, viewRows } from './support/grid';

// Supervisor controls in two browser contexts (docs/users-and-refunds.md,
// "Other supervisor controls"): the clerk asks to write off a short pay's
// remainder above the clerk limit, it waits; the clerk cannot approve it (the
// engine refuses); the supervisor approves with their password and the P21
// sandbox holds one receipt carrying the write-off. Then the supervisor
// reverses that receipt with a reason; above the second-supervisor limit (the
// payment's write-off and receipt together) it waits until a second
// supervisor approves it: the row reads Reversed and P21 holds one reversal. The clerk is offered no reversal, and the engine refuses one.

let sandboxes: Sandboxes | undefined;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

type Descriptor = { erp: { baseUrl: string } };
type SbxReceipt = { checkNumber: string; amountCents: number; lines: Array<{ invoiceNo: string; amountCents: number; allowedCents?: number }> };

/** The default clerk limit (controls.policy approvalAboveCents, $25.00). */
const CLERK_LIMIT_CENTS = 2_500;
/** Below the second-approver limit ($500.00), so one supervisor suffices whoever asks. */
const SECOND_APPROVER_CENTS = 50_000;

async function sandboxControl<T>(d: Descriptor, name: string, body: unknown = {}): Promise<T> {
  const res = await fetch(`${d.erp.baseUrl}/__control/${name}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return (await res.json()) as T;
}

const receiptsWith = async (d: Descriptor, checkNumber: string): Promise<SbxReceipt[]> =>
  (await sandboxControl<{ receipts: SbxReceipt[] }>(d, 'receipts')).receipts.filter((r) => r.checkNumber === checkNumber);


async function gridRow(page: Page, transactionId: number): Promise<GridRow | null> {
  return (await viewRows(page)).find((r) => r.transactionId === transactionId) ?? null;
}

/** The detail panel on one transaction, with its controls card. */
async function openDetail(page: Page, transactionId: number): Promise<void> {
  await openDetailPanel(page, transactionId);
  await expect(page.getByTestId('detail-panel').getByTestId('controls')).toBeVisible();
}

test('write-off above the clerk limit waits for a supervisor, posts once; a supervisor reverses the receipt once; a clerk cannot', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  const descriptor = JSON.parse(readFileSync(sandboxes.file, 'utf8')) as Descriptor;
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);

  const clerkContext = await browser.newContext();
  const supervisorContext = await browser.newContext();
  const clerk = await clerkContext.newPage();
  const supervisor = await supervisorContext.newPage();

  await clerk.goto(host.url);
  await signIn(clerk, 'clerk');
  await expect(clerk.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });

  // The lowest-numbered short pay whose remainder is above the clerk limit (and below the second-approver limit).
  const findShortPay = async () => {
    const ids: number[] = [];
    for (const r of await viewRows(clerk)) {
      const short = r.differenceCents == null ? 0 : -r.differenceCents;
      if (r.status === 'exception' && r.exception === 'short_payment' && short > CLERK_LIMIT_CENTS && short < SECOND_APPROVER_CENTS) ids.push(r.transactionId);
    }
    return ids.sort((a, b) => a - b)[0] ?? null;
  };
  // "Up to date" can show a moment before the grid has re-read its rows (gathered row reads): wait for them.
  await expect.poll(findShortPay, { message: 'the demo data has a short pay above the clerk limit', timeout: 30_000 }).not.toBeNull();
  const transactionId = await findShortPay();
  const id = transactionId!;
  const preview = (await engineCall(clerk, 'controls:preview', { transactionId: id })).value as { writeOffCents: number; needsApproval: boolean; writeOffs: Array<{ invoiceNo: string; amountCents: number }> };
  expect(preview).toMatchObject({ needsApproval: true });
  expect(preview.writeOffs).toHaveLength(1);
  const writeOff = preview.writeOffs[0]!;
  const row = (await gridRow(clerk, id))!;

  // The clerk asks for the write-off: it waits for a supervisor.
  await openDetail(clerk, id);
  const clerkControls = clerk.getByTestId('detail-panel').getByTestId('controls');
  await expect(clerkControls.getByTestId('write-off-open')).toContainText('needs a supervisor');
  await clerkControls.getByTestId('write-off-open').click();
  await clerkControls.getByTestId('control-reason').selectOption('Customer dispute');
  await clerkControls.getByTestId('control-text').fill('Customer disputes the freight charge');
  await clerkControls.getByTestId('control-submit').click();
  const clerkControl = clerkControls.getByTestId('control').first();
  await expect(clerkControl).toHaveAttribute('data-state', 'requested');
  await expect(clerkControl.getByTestId('control-state')).toHaveText(/awaiting supervisor/i);
  await expect(clerkControl).toContainText('Asked by clerk');
  const controlId = Number(await clerkControl.getAttribute('data-control-id'));
  await expect.poll(async () => (await gridRow(clerk, id))?.control).toBe('approval_pending');

  // The clerk is offered no approval, and the engine refuses one.
  await expect(clerkControls.getByTestId('control-approve')).toHaveCount(0);
  const refused = await engineCall(clerk, 'controls:approve', { controlId, password: DEMO_PASSWORD });
  expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(refused.error?.message).toMatch(/needs the supervisor role/);
  expect(await receiptsWith(descriptor, String(id))).toHaveLength(0);

  // The supervisor, in a second context, approves with a wrong then the right password.
  await supervisor.goto(host.url);
  await signIn(supervisor, 'supervisor');
  await expect(supervisor.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });
  await openDetail(supervisor, id);
  const supControls = supervisor.getByTestId('detail-panel').getByTestId('controls');
  const supControl = supControls.locator(`[data-control-id="${controlId}"]`);
  await expect(supControl).toHaveAttribute('data-state', 'requested');
  await expect(supControl).toContainText(`Invoice ${writeOff.invoiceNo}`);
  await supControls.screenshot({ path: 'test-results/e2e-controls-pending.png' });
  await supControl.getByTestId('control-password').fill('not-my-password');
  await supControl.getByTestId('control-approve').click();
  await expect(supControls.getByTestId('control-error')).toContainText(/not correct/i);
  await supControl.getByTestId('control-password').fill(DEMO_PASSWORD);
  await supControl.getByTestId('control-approve').click();
  await expect(supControl).toHaveAttribute('data-state', 'done');
  await expect(supControl).toContainText('approved by supervisor');

  // The receipt posts once, with the remainder as the allowed (written-off) amount.
  await expect.poll(async () => (await receiptsWith(descriptor, String(id))).length, { timeout: 60_000 }).toBe(1);
  const [receipt] = await receiptsWith(descriptor, String(id));
  expect(receipt!.amountCents).toBe(row.amountCents);
  expect(receipt!.lines).toEqual([{ invoiceNo: writeOff.invoiceNo, amountCents: row.amountCents, allowedCents: writeOff.amountCents }]);
  await expect.poll(async () => (await gridRow(supervisor, id))?.status, { timeout: 60_000 }).toBe('posted');
  await expect(supervisor.getByTestId('detail-status')).toHaveText('Posted');

  // A clerk is offered no reversal of the posted receipt, and the engine refuses one.
  await expect.poll(async () => (await gridRow(clerk, id))?.status, { timeout: 30_000 }).toBe('posted');
  await openDetail(clerk, id);
  await expect(clerk.getByTestId('detail-status')).toHaveText('Posted');
  await expect(clerkControls.getByTestId('reverse-open')).toHaveCount(0);
  const clerkReverse = await engineCall(clerk, 'controls:reverse', { transactionId: id, reason: 'Wrong customer', password: DEMO_PASSWORD });
  expect(clerkReverse).toMatchObject({ ok: false, error: { code: 'forbidden' } });

  // The supervisor reverses it with a reason and their password.
  await supControls.getByTestId('reverse-open').click();
  await expect(supControls.getByTestId('control-submit')).toBeDisabled();
  await supControls.getByTestId('control-text').fill('Posted to the wrong customer');
  await supControls.getByTestId('control-reverse-password').fill(DEMO_PASSWORD);
  await supControls.getByTestId('control-submit').click();
  const reversal = supControls.locator('[data-kind="reversal"]');
  // The payment's write-off and the receipt together are above the $500.00 second-supervisor limit
  // (cumulative four-eyes, issue 12): the reversal waits for a second supervisor and nothing is sent yet.
  expect(row.amountCents + writeOff.amountCents).toBeGreaterThan(SECOND_APPROVER_CENTS);
  await expect(reversal).toHaveAttribute('data-state', 'requested');
  await expect(reversal.getByTestId('control-state')).toHaveText(/awaiting supervisor/i);
  expect((await sandboxControl<{ count: number }>(descriptor, 'count-reversals', { reference: `R${id}` })).count).toBe(0);
  const reversalId = Number(await reversal.getAttribute('data-control-id'));
  const own = await engineCall(supervisor, 'controls:approve', { controlId: reversalId, password: DEMO_PASSWORD });
  expect(own).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/second supervisor/) } });
  // A second supervisor approves it with their password: now it is sent.
  const secondContext = await browser.newContext();
  const second = await secondContext.newPage();
  await second.goto(host.url);
  await signIn(second, 'supervisor2');
  await expect(second.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });
  await openDetail(second, id);
  const secondReversal = second.getByTestId('detail-panel').getByTestId('controls').locator(`[data-control-id="${reversalId}"]`);
  await secondReversal.getByTestId('control-password').fill(DEMO_PASSWORD);
  await secondReversal.getByTestId('control-approve').click();
  await expect(secondReversal.getByTestId('control-state')).toHaveText(/reversed/i, { timeout: 30_000 });
  await secondContext.close();
  await expect(reversal.getByTestId('control-state')).toHaveText(/reversed/i, { timeout: 30_000 });
  await expect(supervisor.getByTestId('detail-status')).toHaveText('Reversed');
  await expect.poll(async () => (await gridRow(supervisor, id))?.control).toBe('reversed');
  await expect(supControls.getByTestId('reverse-open')).toHaveCount(0);

  // P21 holds exactly one reversal of it, and still exactly one receipt.
  expect((await sandboxControl<{ count: number }>(descriptor, 'count-reversals', { reference: `R${id}` })).count).toBe(1);
  const reversals = await receiptsWith(descriptor, `R${id}`);
  expect(reversals).toHaveLength(1);
  expect(reversals[0]!.amountCents).toBe(-row.amountCents);
  expect(await receiptsWith(descriptor, String(id))).toHaveLength(1);

  // The clerk's panel shows it reversed too.
  await expect(clerk.getByTestId('detail-status')).toHaveText('Reversed');

  // The screenshot of the controls section, for the docs.
  const shots = screenshotDir;
  mkdirSync(shots, { recursive: true });
  await supControls.scrollIntoViewIfNeeded();
  await supControls.screenshot({ path: resolve(shots, 'controls.png') });

  await clerkContext.close();
  await supervisorContext.close();
});
