import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { callApi } from './support/api';
import { shotPath } from './support/screenshots';

// The work queue in Chromium against the real engine (issue 15 point 3): a
// saved view survives a reload and applies; `?` lists the shortcuts; Ctrl+K
// finds the refunds queue; the detail panel's keys pick candidate 2 and focus
// the note; a bulk assignment of two ticked rows lands in the store.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

const count = async (page: Page, tab: string) => Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));

type Cand = { customerId: string | null };
type Row = { transactionId: number; status: string; owner?: string | null };

test('work queue: saved views, shortcut help, command palette, detail panel keys, bulk assign', async ({ page }) => {
  test.setTimeout(420_000);
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'all'), { timeout: 60_000 }).toBe(sandboxes.payments);
  await expect(page.getByTestId('sync-state')).toHaveText(/Up to date/, { timeout: 180_000 });

  // 1. Save the review tab searched for amounts over $100 as a view.
  await page.getByTestId('tab-review').click();
  await page.getByTestId('quick-filter').fill('amount>100');
  await expect(page.getByTestId('search-chip')).toHaveText(['amount ≥ $100.01']);
  await page.getByTestId('views-open').click();
  await page.getByTestId('view-name').fill('Big reviews');
  await page.getByTestId('view-save').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Saved view "Big reviews"' })).toBeVisible();

  // Reload: the view is still listed, and picking it puts the tab and search back.
  await page.reload();
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'all'), { timeout: 60_000 }).toBe(sandboxes.payments);
  await page.getByTestId('tab-auto').click();
  await expect(page.getByTestId('quick-filter')).toHaveValue('');
  await page.getByTestId('views-open').click();
  const saved = page.getByTestId('view-item').filter({ hasText: 'Big reviews' });
  await expect(saved).toBeVisible();
  await saved.getByTestId('view-apply').click();
  await expect(page.getByTestId('tab-review')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('quick-filter')).toHaveValue('amount>100');
  await expect(page.getByTestId('search-chip')).toHaveText(['amount ≥ $100.01']);
  await page.screenshot({ path: shotPath('work-queue-view-applied.png') });
  // The `?` beside the chips opens the search syntax from docs/work-queue.md.
  await page.getByTestId('search-syntax').click();
  const helpPanel = page.getByTestId('help-panel');
  await expect(helpPanel).toHaveAttribute('data-topic', 'work-queue');
  await expect(helpPanel.getByRole('heading', { name: 'Search syntax' })).toBeVisible();
  await expect(helpPanel).toContainText('amount:100..500');
  await page.screenshot({ path: shotPath('work-queue-help.png') });
  await page.keyboard.press('Escape');
  await expect(helpPanel).toBeHidden();
  // Default: after another reload the queue opens with it.
  await page.getByTestId('views-open').click();
  await saved.getByTestId('view-default').click();
  await expect(saved).toHaveAttribute('data-default', 'true');
  await page.reload();
  await signIn(page, 'clerk');
  await expect(page.getByTestId('tab-review')).toHaveAttribute('aria-selected', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('quick-filter')).toHaveValue('amount>100');
  await page.getByTestId('quick-filter').fill('');

  // 2. `?` opens the shortcut list, generated from the shortcut table.
  await page.getByTestId('tab-all').click();
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcut-help');
  await expect(help).toBeVisible();
  for (const id of ['help', 'palette', 'undo', 'search', 'approve', 'pick', 'note', 'edit', 'exception', 'own', 'close']) {
    await expect(help.locator(`[data-shortcut="${id}"]`)).toBeVisible();
  }
  await expect(help).toContainText('Command palette');
  await page.screenshot({ path: shotPath('work-queue-shortcuts.png') });
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  // 3. Ctrl+K, "refunds", Enter: the refunds queue.
  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('command-palette')).toBeVisible();
  await page.getByTestId('palette-input').fill('refunds');
  await expect(page.getByTestId('palette-item').first()).toHaveAttribute('data-command', 'refunds');
  await page.screenshot({ path: shotPath('work-queue-palette.png') });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('command-palette')).toBeHidden();
  await expect(page.getByTestId('refunds-queue')).toBeVisible();
  await page.getByTestId('refunds-close').click();

  // 4. Detail panel keys: `2` uses the second candidate, `n` focuses the note, Esc returns to the row.
  const rows = await callApi<Row[]>(page, 'grid:rows', {});
  let target: Row | undefined;
  for (const r of rows.filter((x) => x.status === 'review' || x.status === 'auto')) {
    const d = await callApi<{ outcome: { candidates: Cand[] } }>(page, 'grid:detail', { transactionId: r.transactionId });
    if (d.outcome.candidates.length >= 2 && d.outcome.candidates[1]!.customerId !== null) {
      target = r;
      break;
    }
  }
  expect(target, 'demo data has a payment with a second candidate').toBeTruthy();
  await page.getByTestId('tab-all').click();
  await page.getByTestId('quick-filter').fill(String(target!.transactionId));
  await page.locator(`.ag-row[row-id="${target!.transactionId}"] [col-id="transactionId"]`).click();
  const panel = page.getByTestId('detail-panel');
  if (!(await panel.isVisible())) await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-transaction-id', String(target!.transactionId));
  await expect(panel.getByTestId('detail-candidate').nth(1).getByTestId('candidate-use')).toContainText('2');
  await page.keyboard.press('2');
  await expect(page.getByTestId('toast').filter({ hasText: 'Candidate #2 chosen' })).toBeVisible();
  await expect(panel.getByTestId('detail-candidate').nth(1).getByTestId('candidate-current')).toBeVisible();
  // Still on the All tab: with the panel open, digits belong to the candidates.
  await expect(page.getByTestId('tab-all')).toHaveAttribute('aria-selected', 'true');
  await page.locator(`.ag-row[row-id="${target!.transactionId}"] [col-id="transactionId"]`).click();
  await page.keyboard.press('n');
  await expect(panel.getByTestId('note-input')).toBeFocused();
  await page.keyboard.type('called the customer');
  await expect(panel.getByTestId('note-input')).toHaveValue('called the customer');
  await page.screenshot({ path: shotPath('work-queue-panel-keys.png') });
  await panel.getByTestId('note-input').blur();
  await page.locator(`.ag-row[row-id="${target!.transactionId}"] [col-id="transactionId"]`).click();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.locator(`.ag-row[row-id="${target!.transactionId}"] .ag-cell-focus`)).toHaveCount(1);
  await page.getByTestId('quick-filter').fill('');

  // 5. Bulk assign: tick two Auto rows, "Assign to…" → take them.
  await page.getByTestId('tab-auto').click();
  // The grid loads the tab's first window after the click.
  await expect.poll(() => page.evaluate(() => window.__tieoutGrid?.getDisplayedRowAtIndex(1)?.data?.status ?? null)).toBe('auto');
  await page.screenshot({ path: shotPath('work-queue-auto-tab.png') });
  const ids = await page.evaluate(() => {
    const api = window.__tieoutGrid!;
    const picked = [0, 1].map((i) => api.getDisplayedRowAtIndex(i)!);
    for (const node of picked) node.setSelected(true);
    return picked.map((n) => n.data!.transactionId);
  });
  await expect(page.getByTestId('bulk-open')).toHaveText(/Act on 2/);
  await page.getByTestId('bulk-open').click();
  await page.getByTestId('bulk-assign').click();
  await page.getByTestId('bulk-take').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Assigned to clerk: 2 payments' })).toBeVisible();
  const after = await callApi<Row[]>(page, 'grid:rows', {});
  expect(after.filter((r) => ids.includes(r.transactionId)).map((r) => r.owner)).toEqual(['clerk', 'clerk']);
  await page.screenshot({ path: shotPath('work-queue-bulk.png') });
  // Ctrl+Z takes the whole assignment back.
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('toast').filter({ hasText: 'Undid: assignment of 2 payment(s)' })).toBeVisible();
  const undone = await callApi<Row[]>(page, 'grid:rows', {});
  expect(undone.filter((r) => ids.includes(r.transactionId)).map((r) => r.owner ?? null)).toEqual([null, null]);
});
