import { MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import { isCalendarDate } from '../calendar-date';
import { ErpError } from '../errors';
import type { OdbcRow } from './odbc-session';

// ProvideX-flavoured SQL helpers: ODBC date escapes, quoted literals where a
// value cannot be bound, and strict parsing of what comes back.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `{d 'YYYY-MM-DD'}`, the ODBC date escape ProvideX understands. */
export function dateEscape(isoDate: string): string {
  const m = ISO_DATE.exec(isoDate);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) {
    throw new ErpError('validation', `Not a date (YYYY-MM-DD): "${isoDate}"`);
  }
  return `{d '${isoDate}'}`;
}

/** A quoted SQL literal; single quotes doubled. For the few places a value is not bound. */
export function literal(value: string): string {
  if (/[\0\r\n]/.test(value)) throw new ErpError('validation', 'Value contains control characters');
  return `'${value.replace(/'/g, "''")}'`;
}

export type RowContext = Readonly<{ table: string; key: string }>;

/** The value as an error shows it; JSON.stringify throws on the BigInt a BIGINT column can bring (fuzz finding). */
function shownValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value)?.slice(0, 60) ?? String(value);
  } catch {
    return typeof value;
  }
}

function malformed(ctx: RowContext, field: string, value: unknown, why: string): ErpError {
  const shown = shownValue(value);
  return new ErpError('malformed', `${ctx.table} ${ctx.key}: field ${field} ${why} (got ${shown})`);
}

export function text(row: OdbcRow, field: string): string {
  const v = row[field];
  if (v === null || v === undefined) return '';
  // StripTrailingSpaces=1 does this in the ProvideX driver; do it anyway.
  return String(v).trim();
}

export function requiredText(row: OdbcRow, field: string, ctx: RowContext): string {
  const v = text(row, field);
  if (v === '') throw malformed(ctx, field, row[field], 'is empty');
  return v;
}

/** Sage writes 1753-01-01 for "no date". */
export function optionalDate(row: OdbcRow, field: string, ctx: RowContext): string | null {
  const v = row[field];
  if (v === null || v === undefined || v === '') return null;
  // An invalid Date from the driver made toISOString() throw a RangeError (fuzz finding).
  if (v instanceof Date && Number.isNaN(v.getTime())) throw malformed(ctx, field, String(v), 'is not a date');
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim().slice(0, 10);
  if (!isCalendarDate(s)) throw malformed(ctx, field, v, 'is not a date');
  if (s === '1753-01-01') return null;
  return s;
}

export function requiredDate(row: OdbcRow, field: string, ctx: RowContext): string {
  const d = optionalDate(row, field, ctx);
  if (d === null) throw malformed(ctx, field, row[field], 'is empty');
  return d;
}

export function money(row: OdbcRow, field: string, ctx: RowContext): Cents {
  const v = row[field];
  if (v === null || v === undefined || v === '') return 0 as Cents;
  try {
    return parseDecimalToCents(v);
  } catch (e) {
    if (e instanceof MoneyParseError) throw malformed(ctx, field, v, 'is not an amount');
    throw e;
  }
}
