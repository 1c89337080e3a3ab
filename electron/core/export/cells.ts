import { DateTime } from 'luxon';
import { EXPORT_COLUMNS, type ExportColumnId } from '@shared/api/export';
import { ROW_STATUS_LABELS, type GridRow, type RowStatus } from '@shared/domain';
import { centsToDecimalString } from '@shared/money';

// One exported cell per grid column, typed so each format writes it its own
// way: money as a number of the currency's unit (XLSX: a number cell with a
// currency format; CSV: a plain decimal), dates as the merchant zone's wall
// time, everything else as text.

export type Cell =
  | Readonly<{ kind: 'text'; text: string }>
  | Readonly<{ kind: 'number'; value: number; decimals: number }>
  | Readonly<{ kind: 'money'; cents: number; currency: string }>
  | Readonly<{ kind: 'dateTime'; iso: string; zone: string }>
  | Readonly<{ kind: 'empty' }>;

const STATUS_LABEL: Record<RowStatus, string> = { ...ROW_STATUS_LABELS, exception: 'Exception' };

const text = (s: string | null | undefined): Cell => (s ? { kind: 'text', text: s } : { kind: 'empty' });
const money = (cents: number | null | undefined, currency: string): Cell => (cents === null || cents === undefined ? { kind: 'empty' } : { kind: 'money', cents, currency });

function statusText(row: GridRow): string {
  if (row.control === 'approval_pending') return `${STATUS_LABEL[row.status]} (awaiting supervisor)`;
  if (row.control === 'reversed') return `${STATUS_LABEL[row.status]} (reversed)`;
  return STATUS_LABEL[row.status];
}

export function cellOf(row: GridRow, column: ExportColumnId, zone: string): Cell {
  switch (column) {
    case 'createdAt':
      return { kind: 'dateTime', iso: row.createdAt, zone };
    case 'transactionId':
      return { kind: 'number', value: row.transactionId, decimals: 0 };
    case 'payer':
      return text(row.payer);
    case 'reference':
      return text(row.reference);
    case 'amount':
      return money(row.amountCents, row.currency);
    case 'matchedInvoices':
      return text(row.matchedInvoices.join(', '));
    case 'openBalance':
      return money(row.openBalanceCents, row.currency);
    case 'difference':
      return money(row.differenceCents, row.currency);
    case 'status':
      return text(statusText(row));
    case 'score':
      return { kind: 'number', value: Math.round(row.score * 100) / 100, decimals: 2 };
    case 'reason':
      return text(row.reason);
    case 'customer':
      return text(row.customerId);
    case 'method':
      return text(row.method);
    case 'erpDocument':
      return text(row.erpDocumentId);
    case 'owner':
      return text(row.owner);
    case 'note':
      return text(row.note);
  }
}

export const headerOf = (column: ExportColumnId): string => EXPORT_COLUMNS[column].header;

/** The merchant zone's wall time, as the grid shows it: "11/20/2026 10:42 AM". */
export function wallTimeText(iso: string, zone: string): string {
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return (t.isValid ? t : DateTime.fromISO(iso, { zone: 'utc' })).toFormat('MM/dd/yyyy h:mm a');
}

/** The merchant zone's wall time as a Date whose UTC fields are that wall time (spreadsheets have no zones: the cell shows the clerk's day). */
export function wallTimeDate(iso: string, zone: string): Date {
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  const w = t.isValid ? t : DateTime.fromISO(iso, { zone: 'utc' });
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}

// OWASP "CSV injection": a cell a spreadsheet would read as a formula (or
// whose leading tab/CR hides one) is prefixed with an apostrophe, so it opens
// as the text it is.
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralised(textValue: string): string {
  return FORMULA_START.test(textValue) ? `'${textValue}` : textValue;
}

/** The cell as CSV text: money and numbers as plain decimals (never neutralised: a negative amount stays a number), text neutralised. */
export function csvText(cell: Cell): string {
  switch (cell.kind) {
    case 'empty':
      return '';
    case 'text':
      return neutralised(cell.text);
    case 'number':
      return cell.value.toFixed(cell.decimals);
    case 'money':
      return centsToDecimalString(cell.cents);
    case 'dateTime':
      return wallTimeText(cell.iso, cell.zone);
  }
}

const CURRENCY_SYMBOL: Readonly<Record<string, string>> = { USD: '$', CAD: 'CA$', EUR: '€', GBP: '£', AUD: 'A$' };

/** An Excel number format showing the amount in its currency with 2 decimals. */
export function currencyFormat(currency: string): string {
  const symbol = CURRENCY_SYMBOL[currency];
  const pos = symbol ? `"${symbol}"#,##0.00` : `#,##0.00 "${currency.replace(/"/g, '')}"`;
  const neg = symbol ? `-"${symbol}"#,##0.00` : `-#,##0.00 "${currency.replace(/"/g, '')}"`;
  return `${pos};${neg}`;
}

export const DATE_TIME_FORMAT = 'mm/dd/yyyy h:mm AM/PM';
