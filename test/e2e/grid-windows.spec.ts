import { confirmApprovalIfAsked } from './support/approval';
import { expect, test, type Page } from '@playwright/test';
import { callApi } from './support/api';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { shotPath } from './support/screenshots';

// The work queue in windows against the real engine (demo week): a field
// search reaches rows in other tabs, a search the engine cannot read is
// explained under the box, a column-menu amount filter narrows the view,
// Ctrl+A selects the whole view (its running total in the footer) and
// approving it approves exactly that many rows.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

type Row = { transactionId: number; status: string; amountCents: number };
type Window = { rows: Row[]; total: number };
const view = (tab: string, search = '') => ({ view: { tab, search, filters: [], sort: [] }, offset: 0, limit: 1000 });

const rowCount = async (page: Page) => Number(await page.getByTestId('grid').getAttribute('data-row-count'));
const tabCount = async (page: Page, tab: string) => Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));

async function search(page: Page, text: string): Promise<void> {
  await page.getByTestId('quick-filter').fill(text);
  await page.getByTestId('quick-filter').press('Enter');
}

test('grid in windows: field search across tabs, refusal, amount filter, Ctrl+A approve of the whole view with its total', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => tabCount(page, 'all'), { timeout: 60_000 }).toBe(sandboxes.payments);
  await expect(page.getByTestId('sync-state')).toHaveText(/Up to date/, { timeout: 60_000 });

  // A row in Needs review, found from the Auto tab by a field search.
  const review = await callApi<Window>(page, 'grid:window', view('review'));
  expect(review.total).toBeGreaterThan(0);
  await page.getByTestId('tab-auto').click();
  await search(page, 'status:review');
  await expect(page.getByTestId('tab-review')).toHaveAttribute('data-count', String(review.total));
  await expect(page.getByTestId('tab-auto')).toHaveAttribute('data-count', '0');
  await page.getByTestId('tab-review').click();
  await expect(page.locator(`.ag-row[row-id="${review.rows[0]!.transactionId}"]`).first()).toBeVisible();

  // amount>1000: only larger payments, in every tab.
  await page.getByTestId('tab-all').click();
  await search(page, 'amount>1000');
  const large = (await callApi<Window>(page, 'grid:window', view('all'))).rows.filter((r) => r.amountCents > 100_000).length;
  expect(large).toBeGreaterThan(0);
  expect(large).toBeLessThan(sandboxes.payments);
  await expect.poll(() => rowCount(page)).toBe(large);
  await page.screenshot({ path: shotPath('grid-field-search.png') });
  const amounts = page.locator('.ag-row .ag-cell[col-id="amount"]');
  await expect(amounts.first()).toHaveText(/\$/);
  const shown = await amounts.allInnerTexts();
  for (const text of shown) expect(Number(text.replace(/[$,]/g, ''))).toBeGreaterThan(1000);

  // A search the engine cannot read: explained, and the grid keeps the last view it understood.
  await search(page, 'amount>abc');
  await expect(page.getByTestId('search-problem')).toContainText('not understood');
  await expect.poll(() => rowCount(page)).toBe(large);
  await search(page, '');
  await expect(page.getByTestId('search-problem')).toHaveCount(0);
  await expect.poll(() => rowCount(page)).toBe(sandboxes.payments);

  // The Amount column's menu: at least $500.00.
  const atLeast500 = (await callApi<Window>(page, 'grid:window', view('all'))).rows.filter((r) => r.amountCents >= 50_000).length;
  await page.locator('.ag-header-cell[col-id="amount"] .ag-header-cell-filter-button, .ag-header-cell[col-id="amount"] [data-ref="eFilterButton"]').first().click();
  const menu = page.locator('.ag-filter');
  await menu.locator('select, .ag-picker-field').first().click();
  await page.locator('.ag-list-item, .ag-select-list-item', { hasText: 'Greater than or equal to' }).first().click();
  await menu.locator('input[type="number"], input.ag-input-field-input').first().fill('500');
  await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(atLeast500);
  await page.screenshot({ path: shotPath('grid-amount-filter.png') });
  await page.keyboard.press('Escape');
  await page.locator('.ag-header-cell[col-id="amount"] .ag-header-cell-filter-button, .ag-header-cell[col-id="amount"] [data-ref="eFilterButton"]').first().click();
  await page.locator('.ag-filter').getByRole('button', { name: 'Reset' }).click();
  await page.keyboard.press('Escape');
  await expect.poll(() => rowCount(page)).toBe(sandboxes.payments);

  // Ctrl+A on the Auto tab narrowed by a search: the whole view is selected (more rows than one window shows
  // would be too), the footer totals it, and approving approves exactly that many.
  await page.getByTestId('tab-auto').click();
  await search(page, 'amount>=100');
  const auto = await callApi<Window>(page, 'grid:window', { ...view('auto', 'amount>=100') });
  expect(auto.total).toBeGreaterThan(1);
  const cents = auto.rows.reduce((sum, r) => sum + r.amountCents, 0);
  await expect.poll(() => rowCount(page)).toBe(auto.total);
  await page.getByTestId('grid').click({ position: { x: 400, y: 120 } });
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('select-all')).toBeChecked();
  await expect(page.getByTestId('selection-total')).toHaveAttribute('data-count', String(auto.total));
  await expect(page.getByTestId('selection-total')).toHaveAttribute('data-cents', `USD:${cents}`);
  await expect(page.getByTestId('approve-selected')).toHaveAttribute('data-count', String(auto.total));
  await page.screenshot({ path: shotPath('grid-select-all-total.png') });
  const approvedBefore = await tabCount(page, 'approved');
  const postedBefore = await tabCount(page, 'posted');
  await page.getByTestId('approve-selected').click();
  // The confirmation names the engine's count for the whole view (rows never loaded here included).
  await expect(page.getByTestId('approval-dialog')).toContainText(auto.total.toLocaleString('en-US'));
  await confirmApprovalIfAsked(page);
  await expect(page.getByTestId('toast').filter({ hasText: `Approved ${auto.total} matches` })).toBeVisible();
  await expect(page.getByTestId('selection-total')).toHaveCount(0);
  await search(page, '');
  await expect.poll(async () => (await tabCount(page, 'approved')) + (await tabCount(page, 'posted')) - approvedBefore - postedBefore, { timeout: 30_000 }).toBe(auto.total);
});
