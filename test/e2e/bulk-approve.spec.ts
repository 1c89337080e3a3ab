import { expect, test } from '@playwright/test';
import type { GridRow } from '../../shared/domain';
import { formatMoney } from '../../shared/money';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { callApi } from './support/api';
import { openDetail } from './support/grid';
import { shotPath } from './support/screenshots';

// Safe bulk approval (issue 15) in Chromium against the real engine and the P21
// sandbox: Ctrl+A, `a` opens a confirmation whose count and total match the
// Auto tab; confirmed, the batch waits out the 60 s undo window; Ctrl+Z inside
// it puts every row back in Auto and the ERP sandbox never saw a receipt. A
// refund row's detail panel offers no allocation editing.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

async function receiptsInErp(ids: readonly number[]): Promise<number> {
  let n = 0;
  for (const id of ids) {
    const res = await fetch(`${sandboxes.erpUrl}/__control/count-receipts`, { method: 'POST', body: JSON.stringify({ reference: String(id) }), headers: { 'content-type': 'application/json' } });
    n += ((await res.json()) as { count: number }).count;
  }
  return n;
}

test('Ctrl+A, a: confirm the count and total, then Ctrl+Z inside the undo window sends nothing to the ERP', async ({ page }) => {
  test.setTimeout(180_000);
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file, '--undo-window', '60']);
  await page.goto(host.url);
  await signIn(page, 'clerk');

  await page.getByTestId('tab-auto').click();
  const tabCount = Number(await page.getByTestId('tab-auto').getAttribute('data-count'));
  expect(tabCount).toBeGreaterThan(1);
  const rows = await callApi<GridRow[]>(page, 'grid:rows');
  const auto = rows.filter((r) => r.status === 'auto');
  expect(auto.length).toBe(tabCount);
  const total = formatMoney(
    auto.reduce((s, r) => s + r.amountCents, 0),
    'USD',
  );

  await page.locator('.ag-row').first().locator('[col-id="transactionId"]').click();
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('selection-count')).toHaveText(`${tabCount.toLocaleString('en-US')} selected`);
  await page.keyboard.press('a');

  const dialog = page.getByTestId('approval-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('approval-count')).toHaveText(`${tabCount.toLocaleString('en-US')} payments`);
  await expect(dialog.getByTestId('approval-total')).toHaveText(total);
  await expect(dialog.getByTestId('approval-confirm')).toHaveText(`Approve ${tabCount.toLocaleString('en-US')} (${total})`);
  // Focus starts on Cancel: a second `a` and an Enter approve nothing.
  await page.keyboard.press('a');
  await expect(page.getByTestId('approval-dialog')).toHaveCount(1);
  await expect(dialog.getByTestId('approval-cancel')).toBeFocused();
  await page.screenshot({ path: shotPath('bulk-approve-confirm.png') });
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  expect(Number(await page.getByTestId('tab-auto').getAttribute('data-count'))).toBe(tabCount);

  // Again, and this time confirm.
  await page.keyboard.press('a');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('approval-confirm').focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();

  const bar = page.getByTestId('undo-window');
  await expect(bar).toBeVisible();
  await expect(bar).toContainText(`Posting ${tabCount.toLocaleString('en-US')} payments in`);
  const left = Number(await bar.getByTestId('undo-window-seconds').textContent());
  expect(left).toBeGreaterThan(40);
  expect(left).toBeLessThanOrEqual(60);
  await expect(page.getByTestId('tab-count-approved')).toHaveText(tabCount.toLocaleString('en-US'));
  await expect(page.getByTestId('posting-waiting')).toContainText(String(tabCount));
  await page.screenshot({ path: shotPath('bulk-approve-undo-window.png') });
  // The worker's loop runs every few seconds: give it time to (wrongly) send.
  await page.waitForTimeout(6_000);
  expect(await receiptsInErp(auto.map((r) => r.transactionId))).toBe(0);

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(bar).toBeHidden();
  await expect(page.getByTestId('tab-count-auto')).toHaveText(tabCount.toLocaleString('en-US'));
  await expect(page.getByTestId('tab-count-approved')).toHaveText('0');
  await page.waitForTimeout(6_000);
  expect(await receiptsInErp(auto.map((r) => r.transactionId))).toBe(0);

  // A refund row's detail panel: no allocation editing, no write-off or override.
  const refund = rows.find((r) => r.type.toUpperCase() === 'REFUND');
  expect(refund).toBeDefined();
  await openDetail(page, refund!.transactionId);
  await expect(page.getByTestId('detail-panel')).toBeVisible();
  await expect(page.getByTestId('alloc-open')).toHaveCount(0);
  await expect(page.getByTestId('detail-allocation')).toHaveCount(0);
  await expect(page.getByTestId('write-off-open')).toHaveCount(0);
  await expect(page.getByTestId('override-open')).toHaveCount(0);
});
