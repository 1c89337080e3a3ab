import { expect, type Page } from '@playwright/test';
import type { GridApi } from 'ag-grid-community';
import type { GridRow } from '../../../shared/domain';
import { callApi } from './api';

// The grid as specs reach it. The renderer holds only the windows on screen
// (AG Grid's infinite row model over grid:window), so "every row" comes from
// the engine, and a row is shown by scrolling to its position in the view.

export type GridWindow = { __tieoutGrid?: GridApi<GridRow> };

/** Every row of a tab (default: All) in the grid's default order, newest first, read from the engine in windows. */
export async function viewRows(page: Page, tab = 'all', search = ''): Promise<GridRow[]> {
  const rows: GridRow[] = [];
  for (;;) {
    const w = await callApi<{ rows: GridRow[]; total: number }>(page, 'grid:window', {
      view: { tab, search, filters: [], sort: [{ key: 'createdAt', dir: 'desc' }] },
      offset: rows.length,
      limit: 1000,
    });
    rows.push(...w.rows);
    if (w.rows.length < 1000) return rows;
  }
}

/** Opens the detail panel on one transaction, found by id in the All tab. */
export async function openDetail(page: Page, transactionId: number): Promise<void> {
  await page.getByTestId('tab-all').click();
  await expect(page.getByTestId('tab-all')).toHaveAttribute('aria-selected', 'true');
  const index = (await viewRows(page)).findIndex((r) => r.transactionId === transactionId);
  expect(index, `transaction ${transactionId} is in the grid`).toBeGreaterThanOrEqual(0);
  // Scrolling to it loads its window; then it is focused like a clerk's click would.
  await expect
    .poll(
      () =>
        page.evaluate(
          ([id, i]) => {
            const api = (globalThis as unknown as GridWindow).__tieoutGrid;
            if (!api) return false;
            api.ensureIndexVisible(i);
            if (api.getDisplayedRowAtIndex(i)?.data?.transactionId !== id) return false;
            api.setFocusedCell(i, 'transactionId');
            return true;
          },
          [transactionId, index] as const,
        ),
      { message: `transaction ${transactionId} shown in the grid` },
    )
    .toBe(true);
  // A click on the row's id cell focuses it (the panel follows focus); Enter opens the panel if it is closed.
  await page.locator(`.ag-row[row-id="${transactionId}"] [col-id="transactionId"]`).click();
  const panel = page.getByTestId('detail-panel');
  if (!(await panel.isVisible())) await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-transaction-id', String(transactionId));
}

/**
 * A transaction's row as the grid holds it (not the engine's answer): on the
 * All tab, scrolled to its position in the view so its window is loaded.
 * Null while the grid has not (re)loaded it.
 */
export async function loadedGridRow(page: Page, transactionId: number): Promise<GridRow | null> {
  // Dispatched, not clicked: a dialog (e.g. Settings) may be open over the tabs.
  if ((await page.getByTestId('tab-all').getAttribute('aria-selected')) !== 'true') await page.getByTestId('tab-all').dispatchEvent('click');
  const index = (await viewRows(page)).findIndex((r) => r.transactionId === transactionId);
  if (index < 0) return null;
  return page.evaluate(
    ([id, i]) => {
      const api = (globalThis as unknown as GridWindow).__tieoutGrid;
      api?.ensureIndexVisible(i);
      return api?.getRowNode(String(id))?.data ?? null;
    },
    [transactionId, index] as const,
  );
}
