import { isAbsolute, join } from 'node:path';
import { ErpError } from '../errors';
import type { ErpOptionField } from '../kind-module';
import { optionReader, type RawOptions } from '../option-reader';
import { parseColumnMapping, type ColumnMapping } from './mapping';

// File connector settings. The connection's base "URL" is the folder; file
// names below are relative to it unless absolute (docs/erp/file.md).

export const FILE_OPTION_FIELDS: readonly ErpOptionField[] = [
  { key: 'openArFile', label: 'Open AR file', default: 'open-ar.csv', help: 'CSV or XLSX export of open invoices (by extension).' },
  { key: 'columnMapping', label: 'Column mapping (JSON)', default: '', help: 'JSON object field → column header; empty = the open-ar.csv format (docs/erp/file.md).' },
  { key: 'sheetName', label: 'XLSX sheet', default: '', help: 'Worksheet to read; empty = the first sheet.' },
  { key: 'csvDelimiter', label: 'CSV delimiter', default: ',', help: 'One character: "," ";" or a tab.' },
  { key: 'defaultCurrency', label: 'Currency', default: 'USD', help: 'Used when the file has no currency column or the cell is empty.' },
  { key: 'outputFolder', label: 'Receipts folder', default: 'receipts', help: 'Where receipt and credit-memo files are exported for the ERP\'s own import.' },
  { key: 'exportFormat', label: 'Export format', default: 'csv', help: 'csv, xlsx, or both.', choices: ['csv', 'xlsx', 'csv+xlsx'] },
  { key: 'referenceMaxLength', label: 'Reference max length', default: 30, help: 'Longest PayTrace reference the receiving ERP\'s import field takes.', unconfirmed: true },
  { key: 'pageSize', label: 'Page size', default: 500, help: 'Invoices per page handed to the engine.' },
];

export type ExportFormat = 'csv' | 'xlsx' | 'csv+xlsx';

export type FileOptions = Readonly<{
  folder: string;
  openArPath: string;
  format: 'csv' | 'xlsx';
  mapping: ColumnMapping;
  sheetName: string;
  csvDelimiter: string;
  defaultCurrency: string;
  outputFolder: string;
  exportFormat: ExportFormat;
  referenceMaxLength: number;
  pageSize: number;
}>;

type Raw = RawOptions;

const reader = optionReader(FILE_OPTION_FIELDS, 'File');
const pick = (options: Raw, key: string): string => String(reader.value(options, key));
const { positiveInt } = reader;

const under = (folder: string, p: string): string => (isAbsolute(p) ? p : join(folder, p));

export function parseFileOptions(folder: string, options: Raw): FileOptions {
  if (!folder.trim()) throw new ErpError('config', 'The File connection needs a folder');
  const openArPath = under(folder, pick(options, 'openArFile').trim());
  const lower = openArPath.toLowerCase();
  const format = lower.endsWith('.xlsx') ? 'xlsx' : lower.endsWith('.csv') || lower.endsWith('.txt') ? 'csv' : null;
  if (!format) throw new ErpError('config', `Open AR file ${openArPath} must end in .csv, .txt or .xlsx`);
  const delimiter = pick(options, 'csvDelimiter') === '\\t' ? '\t' : pick(options, 'csvDelimiter');
  if (delimiter.length !== 1) throw new ErpError('config', 'File setting csvDelimiter must be one character');
  const exportFormat = pick(options, 'exportFormat').trim() as ExportFormat;
  if (!['csv', 'xlsx', 'csv+xlsx'].includes(exportFormat)) throw new ErpError('config', 'File setting exportFormat must be csv, xlsx or csv+xlsx');
  const currency = pick(options, 'defaultCurrency').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new ErpError('config', 'File setting defaultCurrency must be a 3-letter code');
  return {
    folder,
    openArPath,
    format,
    mapping: parseColumnMapping(pick(options, 'columnMapping')),
    sheetName: pick(options, 'sheetName').trim(),
    csvDelimiter: delimiter,
    defaultCurrency: currency,
    outputFolder: under(folder, pick(options, 'outputFolder').trim() || 'receipts'),
    exportFormat,
    referenceMaxLength: positiveInt(options, 'referenceMaxLength'),
    pageSize: positiveInt(options, 'pageSize'),
  };
}
