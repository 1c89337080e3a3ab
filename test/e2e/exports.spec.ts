import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { isExportColumn, type CashReceiptsJournal } from '../../shared/api/export';
import type { GridRow } from '../../shared/domain';
import type { GridView } from '../../shared/grid-view';
import { centsToDecimalString, formatMoney } from '../../shared/money';
import { callApi } from './support/api';
import type { GridWindow } from './support/grid';
import { pdfText } from './support/pdf-text';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { shotPath } from './support/screenshots';

// Exports through the UI of the web host: a filtered and sorted view of the
// work queue downloaded as CSV and XLSX and read back (exactly the view's rows,
// in its order, with the columns on screen); the day's cash-receipts journal
// printed to PDF by Chromium and its text read back (the totals are in it).

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

async function download(page: Page, format: 'csv' | 'xlsx'): Promise<{ d: Download; bytes: Buffer }> {
  await page.getByTestId('export-grid').click();
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-grid-${format}`).click()]);
  const path = await d.path();
  return { d, bytes: readFileSync(path) };
}

/** Every row of a view as the engine's grid:window answers it. */
async function viewRows(page: Page, view: GridView): Promise<GridRow[]> {
  const rows: GridRow[] = [];
  for (;;) {
    const w = await callApi<{ rows: GridRow[]; total: number }>(page, 'grid:window', { view, offset: rows.length, limit: 1000 });
    rows.push(...w.rows);
    if (rows.length >= w.total || w.rows.length === 0) return rows;
  }
}

test('exports of a filtered view contain exactly its rows; the day journal PDF has the day totals', async ({ page }) => {
  test.setTimeout(240_000);
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'all'), { timeout: 60_000 }).toBe(sandboxes.payments);
  await expect(page.getByTestId('sync-state')).toHaveText(/Up to date/, { timeout: 60_000 });

  // Something posted today, for the journal.
  await page.getByTestId('tab-auto').click();
  const approved = await page.evaluate(() => {
    const api = (globalThis as unknown as GridWindow).__tieoutGrid!;
    return Array.from({ length: Math.min(8, api.getDisplayedRowCount()) }, (_, i) => api.getDisplayedRowAtIndex(i)!.data!.transactionId);
  });
  await callApi(page, 'matches:approve', { transactionIds: approved });
  await expect.poll(async () => (await callApi<{ posted: number }>(page, 'posting:status')).posted, { timeout: 60_000 }).toBeGreaterThanOrEqual(approved.length);

  // The view: the Needs review tab, sorted by amount (largest first) by the column header.
  await page.getByTestId('tab-review').click();
  const header = page.locator('.ag-header-cell[col-id="amount"]');
  await header.click();
  await header.click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  const view: GridView = { tab: 'review', search: '', filters: [], sort: [{ key: 'amount', dir: 'desc' }] };
  const expected = await viewRows(page, view);
  expect(expected.length).toBe(await count(page, 'review'));
  expect(expected.length).toBeGreaterThan(5);
  expect(expected.length).toBeLessThan(sandboxes.payments);
  const shown = await page.evaluate(() => {
    const api = (globalThis as unknown as GridWindow).__tieoutGrid!;
    return {
      ids: Array.from({ length: api.getDisplayedRowCount() }, (_, i) => api.getDisplayedRowAtIndex(i)!.data!.transactionId),
      headers: api.getAllDisplayedColumns().map((c) => ({ id: c.getColId(), name: c.getColDef().headerName ?? '' })),
    };
  });
  expect([...shown.ids].sort()).toEqual(expected.map((r) => r.transactionId).sort());
  // Every displayed data column: not the tick boxes, not "Open by" (who has a row open right now is not data).
  expect(shown.headers.map((h) => h.id)).toContain('presence');
  const headers = shown.headers.filter((h) => isExportColumn(h.id)).map((h) => h.name);
  expect(headers.length).toBe(shown.headers.filter((h) => h.name !== '' && h.id !== 'presence').length);

  const csv = await download(page, 'csv');
  expect(csv.d.suggestedFilename()).toMatch(/^tieout-transactions-review-.*\.csv$/);
  const records = parse(csv.bytes, { bom: true }) as string[][];
  expect(records[0]).toEqual(headers);
  const idCol = headers.indexOf('Transaction');
  const amountCol = headers.indexOf('Amount');
  expect(records.slice(1).map((r) => Number(r[idCol]))).toEqual(expected.map((r) => r.transactionId));
  expect(records.slice(1).map((r) => r[amountCol])).toEqual(expected.map((r) => centsToDecimalString(r.amountCents)));
  await expect(page.getByTestId('toast').filter({ hasText: `Exported ${expected.length} transactions` }).first()).toBeVisible();

  const xlsx = await download(page, 'xlsx');
  expect(xlsx.d.suggestedFilename()).toMatch(/\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0]!;
  expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(headers);
  expect(sheet.rowCount).toBe(expected.length + 1);
  expected.forEach((r, i) => {
    expect(sheet.getRow(i + 2).getCell(idCol + 1).value).toBe(r.transactionId);
    expect(Math.round((sheet.getRow(i + 2).getCell(amountCol + 1).value as number) * 100)).toBe(r.amountCents);
  });

  // The menu as a clerk sees it, at the smallest supported window.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId('export-grid').click();
  await expect(page.getByTestId('export-grid-xlsx')).toBeVisible();
  await page.screenshot({ path: shotPath('exports-menu-1280x720.png') });
  await page.keyboard.press('Escape');
  await page.getByTestId('export-grid').click();
  await page.setViewportSize({ width: 1440, height: 900 });

  // A queue's list exports the same way (the refunds queue: its own columns).
  await page.getByTestId('refunds-open').click();
  await page.getByTestId('export-refunds').click();
  const [refunds] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-refunds-csv').click()]);
  const refundRecords = parse(readFileSync(await refunds.path()), { bom: true }) as string[][];
  expect(refundRecords[0]?.slice(0, 4)).toEqual(['Refund', 'Transaction', 'Payer', 'Amount']);
  expect(refundRecords.length - 1).toBe((await callApi<unknown[]>(page, 'refunds:list')).length);
  await page.getByTestId('refunds-close').click();

  // A download is handed out once, to its owner: an unknown token is a 404.
  const again = await page.evaluate(async () => (await fetch('/api/download/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status);
  expect(again).toBe(404);

  // The day's journal: the toolbar opens it in a new tab (with the print dialog) ...
  const info = await callApi<{ merchantZone: string }>(page, 'app:info');
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: info.merchantZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  await page.getByTestId('export-grid').click();
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('open-journal').click()]);
  expect(popup.url()).toContain(`#/print/journal?date=${today}&print=1`);
  await popup.close();

  // ... and the same page printed by Chromium has the day's totals.
  const journal = await callApi<CashReceiptsJournal>(page, 'report:cashReceiptsJournal', { date: today });
  expect(journal.count).toBeGreaterThanOrEqual(approved.length);
  await page.goto(`${new URL(host.url).origin}/#/print/journal?date=${today}`);
  await expect(page.getByTestId('journal-page')).toHaveAttribute('data-count', String(journal.count));
  const grand = formatMoney(journal.totals[0]!.cents, journal.totals[0]!.currency);
  await expect(page.getByTestId('journal-grand-total')).toContainText(grand);
  await page.screenshot({ path: shotPath('exports-journal.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const { pages, text } = pdfText(pdf);
  expect(pages).toBeGreaterThanOrEqual(1);
  const flat = text.replace(/\s+/g, ' ');
  expect(flat).toContain('Cash receipts journal');
  expect(flat).toContain(grand);
  expect(flat).toMatch(new RegExp(`Receipts: ?${journal.count}`));
  for (const t of journal.byMethod) expect(flat).toContain(formatMoney(t.cents, t.currency));
  for (const t of journal.byGlAccount) expect(flat).toContain(t.key);
  expect(flat).toMatch(/Page 1 of \d+/);
});
