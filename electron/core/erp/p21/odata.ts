import { ErpError } from '../errors';

// Client-side OData helpers. P21's $filter takes literals only on the
// right-hand side ([C, P6]): column-to-column comparisons answer 404, so open
// balances are computed here, never in the filter.

/** A quoted OData string literal; a single quote is doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A literal matching the type the ERP returned for the key (Edm.Decimal vs Edm.String). */
export function odataLiteralLike(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return odataString(String(value));
}

/**
 * An unquoted Edm.Decimal literal (payment_number, receipt_number are
 * decimal(19,0) [P9]): real P21 answers 404 to a quoted decimal, so a key read
 * back as the string "900001" is still sent bare, and anything else is refused.
 */
export function odataDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d+(?:\.\d+)?$/.test(text)) throw new ErpError('malformed', `P21 sent ${JSON.stringify(value)} where a decimal key was expected`);
  return text;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/** An unquoted ISO date literal, validated so nothing but a date reaches the filter. */
export function odataDate(value: string): string {
  if (!ISO_DATE.test(value)) throw new ErpError('validation', `Not an ISO date for an OData filter: ${JSON.stringify(value)}`);
  return value;
}

export type ODataQuery = Readonly<{
  select?: readonly string[];
  filter?: string;
  orderby?: string;
  top?: number;
  skip?: number;
  count?: boolean;
}>;

/** Builds the query string by hand so spaces become %20 (not '+') and `$` stays literal. */
export function odataQueryString(q: ODataQuery): string {
  const parts: string[] = [];
  const add = (k: string, v: string) => parts.push(`${k}=${encodeURIComponent(v)}`);
  if (q.select && q.select.length > 0) add('$select', q.select.join(','));
  if (q.filter) add('$filter', q.filter);
  if (q.orderby) add('$orderby', q.orderby);
  if (q.top !== undefined) add('$top', String(q.top));
  if (q.skip !== undefined) add('$skip', String(q.skip));
  if (q.count) add('$count', 'true');
  return parts.join('&');
}

/**
 * customer.customer_id is Edm.Decimal (10023 or 10023.0) while
 * invoice_hdr.customer_id is Edm.String ("10023") [C, P6]: one canonical form.
 */
export function normalizeCustomerId(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : '';
  }
  if (typeof value !== 'string') return '';
  const s = value.trim();
  const m = /^0*(\d+?)(?:\.0+)?$/.exec(s);
  return m ? m[1]! : s;
}

/** "2025-01-15T00:00:00" → "2025-01-15"; null/blank → null. */
export function dateOnly(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  return m ? m[1]! : null;
}
