import { MoneyParseError, parseDecimalToCents } from '@shared/money';
import type { PaymentTerms } from '@shared/domain';

// Early-payment discount terms as ERPs state them: separate percent / days
// columns, or a text like "2/10 net 30". Every connector and sandbox goes
// through here so "2%" means 200 basis points everywhere.

/** How an ERP writes a discount rate: 2 (percent) or 0.02 (fraction). */
export type RateUnit = 'percent' | 'fraction';

/**
 * A rate as basis points, without float arithmetic: a percent parsed as if it
 * were dollars gives its basis points ("2.000" → 200). Null when unreadable.
 */
export function rateToBasisPoints(value: unknown, unit: RateUnit = 'percent'): number | null {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return null;
  try {
    const asCents = parseDecimalToCents(typeof value === 'string' ? value.trim().replace(/%$/, '') : value);
    return unit === 'percent' ? asCents : asCents * 100;
  } catch (e) {
    if (e instanceof MoneyParseError) return null;
    throw e;
  }
}

function wholeDays(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isInteger(n) && n >= 0 && n <= 999 ? n : null;
}

/**
 * Terms from separate fields. Null unless there is a real discount (rate > 0
 * and a discount period): plain "net 30" carries nothing the matcher can use.
 * A missing net period falls back to the discount period (due when the discount ends).
 */
export function termsFromParts(parts: Readonly<{ rate: unknown; discountDays: unknown; netDays?: unknown; unit?: RateUnit }>): PaymentTerms | null {
  const bp = rateToBasisPoints(parts.rate, parts.unit);
  const discountDays = wholeDays(parts.discountDays);
  if (bp === null || bp <= 0 || bp >= 10_000 || discountDays === null || discountDays === 0) return null;
  const net = wholeDays(parts.netDays);
  return { discountBasisPoints: bp, discountDays, netDays: net && net >= discountDays ? net : discountDays };
}

// "2/10 net 30", "2% 10 Net 30", "2/10 N30", "1.5/15, net 45", "2%10NET30".
const TERMS_TEXT = /^\s*(\d{1,2}(?:\.\d{1,3})?)\s*%?\s*[/ ]?\s*(\d{1,3})\s*(?:days?)?\s*,?\s*(?:n(?:et)?\s*\/?\s*(\d{1,3}))?\s*(?:days?)?\s*$/i;

/** Terms from a text such as "2/10 net 30"; null for "Net 30", "COD" or anything unreadable. */
export function parseTermsText(text: string | null | undefined): PaymentTerms | null {
  const m = TERMS_TEXT.exec(text ?? '');
  if (!m) return null;
  return termsFromParts({ rate: m[1], discountDays: m[2], netDays: m[3] });
}

/** "2/10 net 30": how sandboxes and exports write terms back as text. */
export function formatTerms(t: PaymentTerms): string {
  const pct = (t.discountBasisPoints / 100).toString();
  return `${pct}/${t.discountDays} net ${t.netDays}`;
}

/** The terms as a decimal percent string ("2.000"), as SAP and Sage columns hold them. */
export function termsPercent(t: PaymentTerms, decimals = 3): string {
  return (t.discountBasisPoints / 100).toFixed(decimals);
}
