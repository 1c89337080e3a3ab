import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { GridRow, RefundTask, TransactionDetail } from '../../shared/domain';
import { callApi, engineCall } from './support/api';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { approveSelected } from './support/approval';
import { signIn } from './support/sign-in';
import { openDetail, viewRows, type GridWindow } from './support/grid';

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


type Descriptor = { paytrace: { url: string; username: string; password: string }; erp: { baseUrl: string; username: string; password: string } };

async function post<T>(url: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return (await res.json()) as T;
}

/** A refund made in PayTrace itself (its virtual terminal), not through Tieout: the v1 API with an OAuth token. */
async function refundInPayTrace(d: Descriptor, saleId: number, amount: string): Promise<number> {
  const form = new URLSearchParams({ grant_type: 'password', username: d.paytrace.username, password: d.paytrace.password });
  const token = (await (await fetch(`${d.paytrace.url}/oauth/token`, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json()) as {
    access_token: string;
  };
  const reply = await post<{ success: boolean; transaction_id?: number }>(
    `${d.paytrace.url}/v1/transactions/refund/for_transaction`,
    { transaction_id: saleId, amount, integrator_id: 'e2e' },
    { Authorization: `Bearer ${token.access_token}` },
  );
  expect(reply.transaction_id, JSON.stringify(reply)).toBeGreaterThan(saleId);
  return reply.transaction_id!;
}

/** P21 credit memos (negative invoice_hdr rows) carrying this reference, through its OData API. */
async function erpCreditMemos(d: Descriptor, reference: string): Promise<number> {
  const tokenReply = await fetch(`${d.erp.baseUrl}/api/security/token/v2`, {
    method: 'POST',
    body: JSON.stringify({ username: d.erp.username, password: d.erp.password }),
    headers: { 'content-type': 'application/json', Accept: 'application/json' },
  });
  const token = /AccessToken"?\s*[:>]\s*"?([^"<\s]+)/.exec(await tokenReply.text())?.[1] ?? '';
  const filter = encodeURIComponent(`po_no eq '${reference}' and total_amount lt 0`);
  const res = await fetch(`${d.erp.baseUrl}/odataservice/odata/table/invoice_hdr?$filter=${filter}`, { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
  return ((await res.json()) as { value: unknown[] }).value.length;
}

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

/** Every row the grid shows (all tabs), from the engine's windows. */
async function allRows(page: Page): Promise<GridRow[]> {
  return viewRows(page);
}


test('demo week: no sale with a PayTrace refund or void is automatic or posted; each refund row offers its credit-memo task', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect
    .poll(async () => (await Promise.all(['auto', 'review', 'exception', 'approved', 'posted', 'failed'].map((t) => count(page, t)))).reduce((a, b) => a + b, 0), { timeout: 60_000 })
    .toBe(sandboxes.payments);

  // The tab counts and the grid's rows are two replies: wait for the rows the counts announce (and their refund links).
  const linkedIn = (rows: GridRow[]): GridRow[] => rows.filter((r) => r.exception === 'refund' && typeof r.refundOf === 'number');
  await expect
    .poll(async () => {
      const rows = await allRows(page);
      return rows.length === sandboxes.payments && linkedIn(rows).length > 0;
    }, { timeout: 30_000, message: 'the grid holds every payment and the demo week has refunds linked to their sales' })
    .toBe(true);
  const rows = await allRows(page);
  const byId = new Map(rows.map((r) => [r.transactionId, r]));
  const linked = linkedIn(rows);
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
  await approveSelected(page);
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

test('a refund made in PayTrace after its sale was posted becomes a credit-memo task; recording it posts one P21 credit memo', async ({ page }) => {
  // The same sandboxes and host as the test above (demo week approved and posted).
  expect(host, 'runs after the demo-week test').not.toBeNull();
  const descriptor = JSON.parse(readFileSync(sandboxes.file, 'utf8')) as Descriptor;
  await page.goto(host!.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'posted'), { timeout: 60_000 }).toBeGreaterThan(0);
  const sale = (await allRows(page)).find((r) => r.status === 'posted' && r.type === 'SALE' && r.amountCents > 500)!;
  expect(sale).toBeDefined();
  await post(`${descriptor.paytrace.url}/__control/settle`);
  const refundId = await refundInPayTrace(descriptor, sale.transactionId, '5.00');

  // The next sync brings the refund row, linked to its posted sale.
  await page.getByTestId('sync-now').click();
  await expect.poll(async () => (await allRows(page)).find((r) => r.transactionId === refundId)?.refundOf, { timeout: 60_000 }).toBe(sale.transactionId);
  await openDetail(page, refundId);
  const card = page.getByTestId('detail-panel').getByTestId('refund-task');
  await expect(card).toHaveAttribute('data-state', 'credit_memo_due');
  await expect(card.getByTestId('refund-task-words')).toContainText(`Sale ${sale.transactionId} is posted in the ERP`);
  await page.screenshot({ path: 'test-results/refund-links-credit-memo-due.png' });

  // Record it from the keyboard; the outbox posts it once.
  await card.getByTestId('refund-task-record').focus();
  await page.keyboard.press('Enter');
  await expect(card).toHaveAttribute('data-state', 'posted', { timeout: 60_000 });
  await expect(card.getByTestId('refund-task-record')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/refund-links-credit-memo-posted.png' });
  expect(await erpCreditMemos(descriptor, String(refundId))).toBe(1);
  // Asking again is refused by the engine; still one memo.
  expect(await engineCall(page, 'refunds:recordCreditMemo', { transactionId: refundId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  expect(await erpCreditMemos(descriptor, String(refundId))).toBe(1);
  // After the re-sync, still no sale with a refund or void is automatic.
  const now = await allRows(page);
  const byId = new Map(now.map((r) => [r.transactionId, r]));
  for (const r of now.filter((x) => typeof x.refundOf === 'number')) expect(byId.get(r.refundOf!)?.status, `sale ${r.refundOf} (refunded by ${r.transactionId})`).not.toBe('auto');
});
