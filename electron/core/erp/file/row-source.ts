import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { ErpError } from '../errors';

// Rows of a CSV or XLSX file as text cells with their line (CSV) or row
// (XLSX) number, header first. CSV is streamed; an XLSX workbook is read
// whole by exceljs (zip), which is fine for the sizes sites export.

export type SourceRow = Readonly<{ line: number; cells: readonly string[] }>;

function fsError(path: string, e: unknown): ErpError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new ErpError('config', `Open AR file ${path} does not exist`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') return new ErpError('permission', `Open AR file ${path} cannot be read (permission denied)`, { cause: e });
  return new ErpError('transient', `Open AR file ${path} could not be read: ${(e as Error).message}`, { cause: e });
}

async function* csvRows(path: string, delimiter: string): AsyncIterable<SourceRow> {
  const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  const input = createReadStream(path);
  // pipe() does not forward a read error (missing file): hand it to the parser so the loop ends.
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { line: item.info.lines, cells: item.record };
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('CSV_')) {
      throw new ErpError('malformed', `${basename(path)}: not readable as CSV (${(e as Error).message})`, { cause: e });
    }
    throw fsError(path, e);
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // A date cell with an unusable serial reads back as an invalid Date; toISOString() would throw a RangeError (fuzz finding).
    // "Invalid Date" then fails the row's own checks with a message naming the cell.
    if (Number.isNaN(value.getTime())) return 'Invalid Date';
    return value.toISOString().slice(0, 10); // Excel dates have no zone: UTC parts are the typed date
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    if ('result' in value && value.result !== undefined) return cellText(value.result as ExcelJS.CellValue);
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

async function* xlsxRows(path: string, sheetName: string): AsyncIterable<SourceRow> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code) throw fsError(path, e);
    throw new ErpError('malformed', `${basename(path)}: not a readable XLSX workbook (${(e as Error).message})`, { cause: e });
  }
  const sheet = sheetName ? workbook.getWorksheet(sheetName) : workbook.worksheets[0];
  if (!sheet) throw new ErpError('config', `${basename(path)}: no worksheet ${sheetName ? `named "${sheetName}"` : 'at all'}`);
  const rows: SourceRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    if (cells.some((x) => x.trim() !== '')) rows.push({ line: rowNumber, cells });
  });
  yield* rows;
}

export function readRows(path: string, format: 'csv' | 'xlsx', options: Readonly<{ delimiter: string; sheetName: string }>): AsyncIterable<SourceRow> {
  return format === 'xlsx' ? xlsxRows(path, options.sheetName) : csvRows(path, options.delimiter);
}
