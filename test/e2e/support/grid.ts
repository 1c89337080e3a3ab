import { expect, type Page } from '@playwright/test';
import type { GridApi } from 'ag-grid-community';
import type { GridRow } from '../../../shared/domain';

// The grid as specs reach it: rows are virtualised (about 20 in the DOM), so a
// row is found through the grid API the renderer exposes, never by position.

export type GridWindow = { __tieoutGrid?: GridApi<GridRow> };

/** Opens the detail panel on one transaction, found by id in the All tab. */
export async function openDetail(page: Page, transactionId: number): Promise<void> {
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
  // A click on the row's id cell focuses it (the panel follows focus); Enter opens the panel if it is closed.
  await page.locator(`.ag-row[row-id="${transactionId}"] [col-id="transactionId"]`).click();
  const panel = page.getByTestId('detail-panel');
  if (!(await panel.isVisible())) await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-transaction-id', String(transactionId));
}
