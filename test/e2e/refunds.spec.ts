import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { approveSelected } from './support/approval';
import { DEMO_PASSWORD, signIn } from './support/sign-in';
import { engineCall } from './support/api';

// Four-eyes refunds in two browser contexts: the clerk requests a partial
// refund from the detail panel, cannot approve it (the engine refuses), the
// supervisor approves with their password, the refund runs through PayTrace
// and the ERP gets one credit memo — checked in both sandboxes.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

type Descriptor = { paytrace: { url: string }; erp: { baseUrl: string; username: string; password: string } };
type PtRow = { transaction_id: number; transaction_type: string; amount: string | number };

async function post<T>(url: string, body: unknown = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return (await res.json()) as T;
}

async function payTraceRefunds(d: Descriptor): Promise<PtRow[]> {
  return (await post<{ transactions: PtRow[] }>(`${d.paytrace.url}/__control/state`)).transactions.filter((t) => t.transaction_type === 'REFUND');
}

/** Credit memos in P21 (negative invoice_hdr rows), read through its OData API as Tieout does. */
async function erpCreditMemos(d: Descriptor): Promise<Array<{ invoice_no: string; po_no: string | null }>> {
  const tokenReply = await fetch(`${d.erp.baseUrl}/api/security/token/v2`, {
    method: 'POST',
    body: JSON.stringify({ username: d.erp.username, password: d.erp.password }),
    headers: { 'content-type': 'application/json', Accept: 'application/json' },
  });
  const text = await tokenReply.text();
  // The sandbox, like P21, may answer JSON or XML.
  const token = /AccessToken"?\s*[:>]\s*"?([^"<\s]+)/.exec(text)?.[1] ?? '';
  const res = await fetch(`${d.erp.baseUrl}/odataservice/odata/table/invoice_hdr?$filter=${encodeURIComponent('total_amount lt 0')}`, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { value: Array<{ invoice_no: string; po_no: string | null }> }).value;
}

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

test('clerk requests, the same clerk cannot approve, a supervisor approves with password; one refund, one credit memo', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  const descriptor = JSON.parse(readFileSync(sandboxes.file, 'utf8')) as Descriptor;
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);

  const clerkContext = await browser.newContext();
  const supervisorContext = await browser.newContext();
  const clerk = await clerkContext.newPage();
  const supervisor = await supervisorContext.newPage();

  // The clerk signs in (demo users are listed only in demo mode) and posts the auto matches.
  await clerk.goto(host.url);
  await expect(clerk.getByTestId('demo-users')).toContainText('supervisor2');
  await signIn(clerk, 'clerk');
  await expect.poll(async () => count(clerk, 'auto'), { timeout: 60_000 }).toBeGreaterThan(0);
  const auto = await count(clerk, 'auto');
  await clerk.getByTestId('tab-auto').click();
  await clerk.getByTestId('grid').click({ position: { x: 400, y: 120 } });
  await clerk.keyboard.press('Control+a');
  await approveSelected(clerk);
  await expect.poll(() => count(clerk, 'posted'), { timeout: 60_000 }).toBe(auto);

  // Settle PayTrace's open batch so the refund goes the refund way (a partial amount cannot be voided).
  await post(`${descriptor.paytrace.url}/__control/settle`);
  const refundsBefore = await payTraceRefunds(descriptor);
  const memosBefore = await erpCreditMemos(descriptor);

  // Request a partial refund from the first posted payment's detail panel.
  await clerk.getByTestId('tab-posted').click();
  await clerk.getByTestId('grid').click({ position: { x: 400, y: 60 } });
  await clerk.keyboard.press('Enter');
  await expect(clerk.getByTestId('detail-panel')).toBeVisible();
  const transactionId = Number(await clerk.getByTestId('detail-panel').getAttribute('data-transaction-id'));
  await clerk.getByTestId('request-refund').click();
  await clerk.getByTestId('refund-amount').fill('1.25');
  await clerk.getByTestId('refund-reason').selectOption('Overpayment');
  await clerk.getByTestId('refund-note').fill('Customer paid twice for freight');
  await clerk.getByTestId('refund-submit').click();
  await expect(clerk.getByTestId('detail-refund')).toHaveAttribute('data-state', 'requested');

  // The clerk sees the queue without approve buttons, and the engine refuses a direct call.
  await clerk.getByTestId('refunds-open').click();
  const clerkRow = clerk.getByTestId('refund-row').first();
  await expect(clerkRow).toHaveAttribute('data-state', 'requested');
  const refundId = Number(await clerkRow.getAttribute('data-refund-id'));
  await expect(clerk.getByTestId(`refund-approve-${refundId}`)).toHaveCount(0);
  const refused = await engineCall(clerk, 'refunds:approve', { refundId, password: DEMO_PASSWORD });
  expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(refused.error?.message).toMatch(/needs the supervisor role/);

  // The supervisor, in a second context, approves with a wrong then the right password.
  await supervisor.goto(host.url);
  await signIn(supervisor, 'supervisor');
  await supervisor.getByTestId('refunds-open').click();
  const row = supervisor.locator(`[data-testid="refund-row"][data-refund-id="${refundId}"]`);
  await expect(row).toHaveAttribute('data-state', 'requested');
  await row.getByTestId(`refund-approve-${refundId}`).click();
  await row.getByTestId('refund-password').fill('not-my-password');
  await row.getByTestId('refund-confirm').click();
  await expect(row.getByTestId('refund-error')).toContainText('not correct');
  await row.getByTestId('refund-password').fill(DEMO_PASSWORD);
  await row.getByTestId('refund-confirm').click();
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(row.getByTestId('refund-approved-by')).toContainText('supervisor');
  await expect(row.getByTestId('refund-credit-memo')).toHaveAttribute('data-state', 'posted', { timeout: 30_000 });
  await supervisor.screenshot({ path: 'test-results/e2e-refunds-done.png' });

  // The clerk's queue shows it done too.
  await clerk.getByTestId('refunds-close').click();
  await clerk.getByTestId('refunds-open').click();
  await expect(clerk.getByTestId('refund-row').first()).toHaveAttribute('data-state', 'done');

  // Exactly one new refund in PayTrace and one new credit memo in P21, carrying the refund's id.
  const newRefunds = (await payTraceRefunds(descriptor)).filter((r) => !refundsBefore.some((b) => b.transaction_id === r.transaction_id));
  expect(newRefunds).toHaveLength(1);
  expect(String(newRefunds[0]!.amount)).toBe('1.25');
  const newMemos = (await erpCreditMemos(descriptor)).filter((m) => !memosBefore.some((b) => b.invoice_no === m.invoice_no));
  expect(newMemos).toHaveLength(1);
  expect(newMemos[0]!.po_no).toBe(String(newRefunds[0]!.transaction_id));
  expect(transactionId).toBeGreaterThan(0);

  await clerkContext.close();
  await supervisorContext.close();
});
