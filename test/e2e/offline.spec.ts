import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { approveSelected } from './support/approval';
import { signIn } from './support/sign-in';
import { relay, type Relay } from '../support/tcp-relay';

// Offline review as a clerk sees it: the host reaches the sandboxes through
// loopback relays this test switches off. Offline: the indicator, an approval
// that stays queued. Meanwhile the payment is voided in PayTrace. Back online:
// the conflict screen with then and now, and nothing was posted for it.

type Descriptor = { paytrace: { url: string; username: string; password: string }; erp: { baseUrl: string } };

let sandboxes: Sandboxes;
let host: Host | null = null;
const relays: Relay[] = [];

test.afterAll(async () => {
  await host?.proc.stop();
  for (const r of relays) await r.stop();
  await sandboxes?.proc.stop();
});

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

async function control(base: string, name: string, body: unknown = {}): Promise<unknown> {
  const res = await fetch(`${base}/__control/${name}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return res.json();
}

async function voidInPayTrace(d: Descriptor, transactionId: number): Promise<void> {
  const token = (await (
    await fetch(`${d.paytrace.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: d.paytrace.username, password: d.paytrace.password }).toString(),
    })
  ).json()) as { access_token: string };
  const res = await fetch(`${d.paytrace.url}/v1/transactions/void`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
    body: JSON.stringify({ transaction_id: transactionId }),
  });
  expect(((await res.json()) as { success: boolean }).success).toBe(true);
}

test('offline indicator, an approval made offline, and the conflict screen after reconnect', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  const descriptor = JSON.parse(readFileSync(sandboxes.file, 'utf8')) as Descriptor;
  const ptRelay = await relay(descriptor.paytrace.url);
  const erpRelay = await relay(descriptor.erp.baseUrl);
  relays.push(ptRelay, erpRelay);
  const viaRelays = join(tempDataDir(), 'sandboxes-via-relays.json');
  const raw = JSON.parse(readFileSync(sandboxes.file, 'utf8')) as Descriptor;
  raw.paytrace.url = ptRelay.url;
  raw.erp.baseUrl = erpRelay.url;
  writeFileSync(viaRelays, JSON.stringify(raw));

  host = await startHost(tempDataDir(), ['--sandbox-file', viaRelays]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'auto'), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);

  // The network goes away.
  await ptRelay.stop();
  await erpRelay.stop();
  await page.getByTestId('sync-now').click();
  const indicator = page.getByTestId('offline-indicator');
  await expect(indicator).toBeVisible({ timeout: 30_000 });
  await expect(indicator).toHaveAttribute('data-reachability', 'offline');
  await expect(indicator).toContainText('OFFLINE');
  await expect(indicator).toContainText(/as of/);

  // Approve an unsettled auto match while offline.
  const state = (await control(descriptor.paytrace.url, 'state')) as { transactions: Array<{ transaction_id: number; transaction_type: string; settled: string }> };
  const unsettled = new Set(state.transactions.filter((t) => t.transaction_type === 'SALE' && t.settled === '').map((t) => t.transaction_id));
  await page.getByTestId('tab-auto').click();
  await page.screenshot({ path: 'test-results/e2e-offline-grid.png' });
  await expect(page.locator('[data-testid="grid"] [row-id]').first()).toBeVisible();
  const rowIds = await page.locator('[data-testid="grid"] [row-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('row-id'))));
  const target = rowIds.find((id) => unsettled.has(id));
  expect(target, `an unsettled auto match on screen (of ${unsettled.size} unsettled sales)`).toBeDefined();
  await page.locator('[data-testid="grid"]').getByText(String(target), { exact: true }).click();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-count')).toContainText('1');
  const approvedBefore = await count(page, 'approved');
  await approveSelected(page);
  await expect.poll(() => count(page, 'approved')).toBe(approvedBefore + 1);
  // Still offline: queued, not posted.
  expect(await count(page, 'posted')).toBe(0);
  await page.screenshot({ path: 'test-results/e2e-offline-approved.png' });

  // Meanwhile the payment is voided in PayTrace; then the network comes back.
  await voidInPayTrace(descriptor, target!);
  await ptRelay.start();
  await erpRelay.start();
  await page.getByTestId('sync-now').click();
  await expect(indicator).toHaveCount(0, { timeout: 30_000 });

  const panel = page.getByTestId('conflicts-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  const conflict = panel.locator(`[data-testid="conflict"][data-transaction-id="${target}"]`);
  await expect(conflict.getByTestId('conflict-kind')).toHaveAttribute('data-kind', 'payment_voided');
  await expect(conflict.getByTestId('conflict-then')).toContainText('SALE');
  await expect(conflict.getByTestId('conflict-now')).toContainText('VOID');
  expect(await count(page, 'conflict')).toBe(1);
  const receipts = (await control(sandboxes.erpUrl, 'count-receipts', { reference: String(target) })) as { count: number };
  expect(receipts.count).toBe(0);
  await page.screenshot({ path: 'test-results/e2e-offline-conflict.png' });

  // Discard: the payment returns to review and the conflict screen goes away.
  await conflict.getByTestId('conflict-discard').click();
  await expect(panel).toHaveCount(0);
  await expect.poll(() => count(page, 'conflict')).toBe(0);
});
