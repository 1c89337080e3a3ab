import { createWriteStream, type WriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ExportFormat } from '@shared/api/export';
import { csvText, currencyFormat, DATE_TIME_FORMAT, wallTimeDate, type Cell } from './cells';

// Writes a table (a header and batches of rows) to a file as it comes, so a
// 100,000-row export holds one batch in memory, never the whole day: CSV
// through csv-stringify with the stream's back-pressure honoured, XLSX
// through exceljs's streaming workbook writer (each row committed as written).

export type TableSink = Readonly<{
  /** Appends rows; resolves when the file can take more. */
  add(rows: readonly (readonly Cell[])[]): Promise<void>;
  /** Finishes the file. */
  close(): Promise<void>;
}>;

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function drained(out: WriteStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    out.once('error', onError);
    if (out.write(chunk)) {
      out.off('error', onError);
      resolve();
    } else
      out.once('drain', () => {
        out.off('error', onError);
        resolve();
      });
  });
}

function csvSink(path: string, headers: readonly string[]): TableSink {
  const out = createWriteStream(path, { flags: 'w' });
  // The byte-order mark makes Excel read the file as UTF-8 (payer names are not ASCII-only).
  let pending = drained(out, stringify([headers.map((h) => h)], { bom: true, record_delimiter: 'windows' }));
  return {
    async add(rows) {
      await pending;
      pending = drained(out, stringify(rows.map((r) => r.map(csvText)), { record_delimiter: 'windows' }));
      await pending;
    },
    async close() {
      await pending;
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
    },
  };
}

function xlsxSink(path: string, headers: readonly string[], sheetName: string): TableSink {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers.map((h) => ({ header: h, key: h, width: Math.min(40, Math.max(12, h.length + 2)) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  return {
    async add(rows) {
      for (const cells of rows) {
        const row = sheet.addRow(cells.map(xlsxValue));
        cells.forEach((c, i) => {
          if (c.kind === 'money') row.getCell(i + 1).numFmt = currencyFormat(c.currency);
          else if (c.kind === 'dateTime') row.getCell(i + 1).numFmt = DATE_TIME_FORMAT;
          else if (c.kind === 'number' && c.decimals > 0) row.getCell(i + 1).numFmt = `0.${'0'.repeat(c.decimals)}`;
        });
        row.commit();
      }
      // Let the zip stream flush between batches.
      await new Promise((r) => setImmediate(r));
    },
    async close() {
      sheet.commit();
      await workbook.commit();
    },
  };
}

// A text cell is written as a string cell: a spreadsheet never evaluates it,
// so XLSX keeps the text exactly (CSV, which has no cell types, neutralises it).
function xlsxValue(c: Cell): ExcelJS.CellValue {
  switch (c.kind) {
    case 'empty':
      return null;
    case 'text':
      return c.text;
    case 'number':
      return c.value;
    case 'money':
      return c.cents / 100;
    case 'dateTime':
      return wallTimeDate(c.iso, c.zone);
  }
}

export function openTableSink(format: ExportFormat, path: string, headers: readonly string[], sheetName: string): TableSink {
  return format === 'csv' ? csvSink(path, headers) : xlsxSink(path, headers, sheetName);
}
