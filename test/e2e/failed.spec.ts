import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { approveSelected } from './support/approval';
import { signIn } from './support/sign-in';
import { shotPath } from './support/screenshots';

// The dead-letter queue end to end: the P21 sandbox refuses cash receipts with
// a business message (not a pooled-session one, so the connector raises a
// non-retryable validation error), two approved payments land in Failed with
// the ERP's own words, one is marked as posted by hand (audited), the other is
// retried once the ERP accepts again and ends up as exactly one receipt.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

const ERP_MESSAGE = 'Customer is on credit hold; cash receipts are refused until the hold is released';

async function control(route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sandboxes.erpUrl}/__control/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(res.ok).toBe(true);
  return res.json();
}

async function receiptsFor(reference: string): Promise<number> {
  const { receipts } = (await control('receipts', {})) as { receipts: Array<{ checkNumber: string }> };
  return receipts.filter((r) => r.checkNumber === reference).length;
}

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

async function openRow(page: Page, transactionId: number): Promise<void> {
  await page.locator(`.ag-row[row-id="${transactionId}"]`).first().dblclick();
  await expect(page.getByTestId('detail-panel')).toHaveAttribute('data-transaction-id', String(transactionId));
}

test('dead letters: the ERP message, mark as posted by hand, retry after the fault clears', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'all'), { timeout: 60_000 }).toBe(sandboxes.payments);
  await expect(page.getByTestId('sync-state')).toHaveText(/Up to date/, { timeout: 60_000 });

  // The next transaction posts are refused with a business error.
  await control('contaminate', { count: 50, message: ERP_MESSAGE });

  await page.getByTestId('tab-auto').click();
  const ids = await page.evaluate(() => {
    const api = window.__tieoutGrid!;
    const picked = [0, 1].map((i) => api.getDisplayedRowAtIndex(i)!);
    for (const node of picked) node.setSelected(true);
    return picked.map((n) => n.data!.transactionId);
  });
  const [manual, retried] = ids as [number, number];
  await expect(page.getByTestId('approve-selected')).toHaveAttribute('data-count', '2');
  await approveSelected(page);

  await expect.poll(() => count(page, 'failed'), { timeout: 60_000 }).toBe(2);
  const alert = page.getByTestId('alert-banner').filter({ has: page.locator('[data-testid="alert-open-failed"]') });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('Failed tab');
  await expect(page.getByTestId('toast').filter({ hasText: 'A posting failed' }).first()).toBeVisible();
  await alert.getByTestId('alert-open-failed').click();
  await expect(page.getByTestId('tab-failed')).toHaveAttribute('aria-selected', 'true');
  await alert.getByTestId('alert-dismiss').click();
  await expect(page.getByTestId('alert-banner')).toHaveCount(0);

  // The ERP's own words and the attempts are in the detail panel.
  await openRow(page, manual);
  const failed = page.getByTestId('failed-posting');
  await expect(failed.getByTestId('failed-erp-message')).toContainText('credit hold');
  await expect(failed.getByTestId('failed-attempts').locator('tbody tr')).not.toHaveCount(0);
  const closeToast = page.getByTestId('toast').getByRole('button');
  while ((await closeToast.count()) > 0) await closeToast.first().click();
  await page.screenshot({ path: shotPath('failed.png') });

  // Mark as posted by hand: the document number is required and audited.
  await failed.getByTestId('failed-mark-posted').click();
  const dialog = page.getByTestId('mark-posted-dialog');
  await expect(dialog.getByTestId('mark-posted-confirm')).toBeDisabled();
  await dialog.getByTestId('mark-posted-document').fill('CR-MANUAL-7731');
  await dialog.getByTestId('mark-posted-note').fill('Entered at the front desk');
  await dialog.getByTestId('mark-posted-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('detail-status')).toHaveText('Posted');
  await expect(page.getByTestId('detail-posting')).toContainText('CR-MANUAL-7731');
  await expect(page.getByTestId('detail-history')).toContainText(/Marked as posted by \w+: ERP document .+, entered in the ERP by hand/);
  await expect.poll(() => count(page, 'failed')).toBe(1);

  // The ERP accepts again: retry the other one; it is posted exactly once.
  await control('contaminate', { count: 0 });
  await openRow(page, retried);
  await page.getByTestId('failed-posting').getByTestId('failed-retry').click();
  await expect(page.getByTestId('detail-status')).toHaveText('Posted', { timeout: 60_000 });
  await expect(page.getByTestId('detail-history')).toContainText(/Posting retried by \w+/);
  expect(await count(page, 'failed')).toBe(0);
  expect(await receiptsFor(String(retried))).toBe(1);
  // Marked by hand: Tieout never sent it to the sandbox.
  expect(await receiptsFor(String(manual))).toBe(0);
});
