import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { approveSelected } from './support/approval';
import { signIn } from './support/sign-in';

// The first complete slice, as a clerk sees it: empty data folder → demo sync →
// grid with the right counts → approve the auto matches → Posted, and the P21
// sandbox holds exactly one receipt each → restart on the same folder → still
// Posted, nothing re-posted.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

async function erpReceipts(): Promise<Array<{ checkNumber: string }>> {
  const res = await fetch(`${sandboxes.erpUrl}/__control/receipts`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  return ((await res.json()) as { receipts: Array<{ checkNumber: string }> }).receipts;
}

test('demo sync → approve auto matches → posted exactly once, also after a restart', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  const dataDir = tempDataDir();
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);

  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect(page.getByTestId('demo-badge')).toBeVisible();
  // The first sync runs on start; wait until every payment is in the grid.
  await expect.poll(async () => (await Promise.all(['auto', 'review', 'exception', 'approved', 'posted', 'failed'].map((t) => count(page, t)))).reduce((a, b) => a + b, 0), { timeout: 60_000 }).toBe(sandboxes.payments);
  const auto = await count(page, 'auto');
  expect(auto).toBeGreaterThan(sandboxes.payments / 2);
  expect(await count(page, 'exception')).toBeGreaterThan(0);
  expect(await count(page, 'posted')).toBe(0);
  // The address bar no longer shows the token.
  expect(page.url()).not.toContain('token=');

  // Approve every auto match from the keyboard: Auto tab, select all, approve.
  await page.getByTestId('tab-auto').click();
  await page.getByTestId('grid').click({ position: { x: 400, y: 120 } });
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('selection-count')).toContainText(String(auto));
  await approveSelected(page);

  await expect.poll(() => count(page, 'posted'), { timeout: 60_000 }).toBe(auto);
  expect(await count(page, 'auto')).toBe(0);
  const receipts = await erpReceipts();
  expect(receipts).toHaveLength(auto);
  expect(new Set(receipts.map((r) => r.checkNumber)).size).toBe(auto);
  await page.getByTestId('tab-posted').click();
  await page.screenshot({ path: 'test-results/e2e-slice-posted.png' });

  // Restart the host on the same data folder.
  await host.proc.stop();
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'posted'), { timeout: 30_000 }).toBe(auto);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-state')).not.toContainText(/running|syncing/i, { timeout: 30_000 });
  expect(await count(page, 'posted')).toBe(auto);
  expect(await erpReceipts()).toHaveLength(auto);
});
