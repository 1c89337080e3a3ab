import { expect, test, type Page } from '@playwright/test';
import type { GridRow, RefundTask, TransactionDetail } from '../../shared/domain';
import { callApi, engineCall } from './support/api';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';

// Issue 10 on the demo week, in Chromium through the web host: PayTrace
// refunds and voids are linked to their sales, so no sale with a refund or
// void is automatic or posted, and each refund row's detail shows its
// credit-memo task card (here: nets against the sale, nothing to post).

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

type GridWindow = { __tieoutGrid?: { getDisplayedRowCount(): number; getDisplayedRowAtIndex(i: number): { data?: GridRow } | undefined; forEachNode(fn: (n: { data?: GridRow }) => void): void; ensureIndexVisible(i: number): void; ensureColumnVisible(col: string): void; setFocusedCell(i: number, col: string): void } };

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

/** Every row the grid holds (all tabs), from AG Grid's model. */
async function allRows(page: Page): Promise<GridRow[]> {
  return page.evaluate(() => {
    const rows: GridRow[] = [];
    (globalThis as unknown as GridWindow).__tieoutGrid?.forEachNode((n) => {
      if (n.data) rows.push(n.data);
    });
    return rows;
  });
}

/** Opens the detail panel on one transaction, found by id (rows are virtualised). */
async function openDetail(page: Page, transactionId: number): Promise<void> {
  await page.getByTestId('tab-all').click();
  await expect(page.getByTestId('tab-all')).toHaveAttribute('aria-selected', 'true');
  const shown = await page.evaluate((id) => {
    const api = (globalThis as unknown as GridWindow).__tieoutGrid;
    if (!api) return false;
    for (let i = 0; i < api.getDisplayedRowCount(); i++) {
      if (api.getDisplayedRowAtIndex(i)?.data?.transactionId === id) {
        api.ensureIndexVisible(i);
        api.setFocusedCell(i, 'transactionId');
        return true;
      }
    }
    return false;
  }, transactionId);
  expect(shown, `transaction ${transactionId} is in the grid`).toBe(true);
  await page.locator(`.ag-row[row-id="${transactionId}"] [col-id="transactionId"]`).click();
  const panel = page.getByTestId('detail-panel');
  if (!(await panel.isVisible())) await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-transaction-id', String(transactionId));
}

test('demo week: no sale with a PayTrace refund or void is automatic or posted; each refund row offers its credit-memo task', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect
    .poll(async () => (await Promise.all(['auto', 'review', 'exception', 'approved', 'posted', 'failed'].map((t) => count(page, t)))).reduce((a, b) => a + b, 0), { timeout: 60_000 })
    .toBe(sandboxes.payments);

  const rows = await allRows(page);
  const byId = new Map(rows.map((r) => [r.transactionId, r]));
  const linked = rows.filter((r) => r.exception === 'refund' && typeof r.refundOf === 'number');
  expect(linked.length, 'the demo week has refunds linked to their sales').toBeGreaterThan(0);
  for (const r of linked) {
    const sale = byId.get(r.refundOf!);
    expect(sale, `sale ${r.refundOf} of refund ${r.transactionId} is in the grid`).toBeDefined();
    expect(sale!.status, `sale ${sale!.transactionId} (refunded by ${r.transactionId})`).not.toBe('auto');
  }

  // Approve every auto match and let them post, as a clerk does.
  const auto = await count(page, 'auto');
  await page.getByTestId('tab-auto').click();
  await page.getByTestId('grid').click({ position: { x: 400, y: 120 } });
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('selection-count')).toContainText(String(auto));
  await page.getByTestId('approve-selected').click();
  await expect.poll(() => count(page, 'posted'), { timeout: 60_000 }).toBe(auto);

  const after = new Map((await allRows(page)).map((r) => [r.transactionId, r]));
  for (const r of linked) {
    expect(after.get(r.refundOf!)!.status, `sale ${r.refundOf} (refunded by ${r.transactionId})`).not.toBe('posted');
    expect(after.get(r.refundOf!)!.status).not.toBe('approved');
    // Every refund row carries its task: the sale is not posted, so the refund nets against it.
    const detail = await callApi<TransactionDetail>(page, 'grid:detail', { transactionId: r.transactionId });
    expect(detail.refundTask, `refund ${r.transactionId}`).toMatchObject({ saleTransactionId: r.refundOf, state: 'netted' } satisfies Partial<RefundTask>);
  }
  // The engine refuses a credit memo for a refund that nets against an unposted sale.
  expect(await engineCall(page, 'refunds:recordCreditMemo', { transactionId: linked[0]!.transactionId })).toMatchObject({
    ok: false,
    error: { code: 'conflict', message: expect.stringMatching(/is not posted or approved/) },
  });

  // The refund row in the grid names its sale; its detail shows the task card.
  const refund = linked[0]!;
  await openDetail(page, refund.transactionId);
  // Columns are virtualised too: with the panel open, scroll the Reason column into view.
  await page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.ensureColumnVisible('reason'));
  await expect(page.locator(`.ag-row[row-id="${refund.transactionId}"] [data-kind="refund_of"]`)).toHaveText(`Refund of ${refund.refundOf}`);
  const panel = page.getByTestId('detail-panel');
  const card = panel.getByTestId('refund-task');
  await expect(card).toHaveAttribute('data-state', 'netted');
  await expect(card.getByTestId('refund-task-state')).toHaveText('Nothing to post');
  await expect(card.getByTestId('refund-task-words')).toContainText(`Sale ${refund.refundOf} is not posted: this refund nets against it, nothing to post.`);
  await expect(card.getByTestId('refund-task-record')).toBeDisabled();
  await expect(panel.getByTestId('exception-reason').locator('option[value="refunded"]')).toHaveText('Refunded or voided in full');
  await page.screenshot({ path: 'test-results/refund-links-refund-task.png' });

  // From the card to the sale, by keyboard: its detail names the refund.
  await card.getByTestId('refund-task-open-sale').focus();
  await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-transaction-id', String(refund.refundOf));
  await expect(panel.getByTestId('detail-refunded-by-item').filter({ hasText: String(refund.transactionId) })).toBeVisible();
  await page.screenshot({ path: 'test-results/refund-links-sale.png' });
});
