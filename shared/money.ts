// Money is integer minor units plus its currency, end to end. Decimal strings
// and numbers from PayTrace or an ERP are parsed once, at the edge, here.

declare const centsBrand: unique symbol;
/** An amount in minor units (cents for USD). Always a safe integer. */
export type Cents = number & { readonly [centsBrand]: true };

export type CurrencyCode = string; // ISO 4217, upper case, e.g. "USD"

export type Money = Readonly<{ cents: Cents; currency: CurrencyCode }>;

/** The input as the message shows it. Not String() alone: {"toString": 1} from a hostile reply makes it throw a TypeError. */
function shown(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (input === null || typeof input !== 'object') return String(input);
  try {
    return JSON.stringify(input)?.slice(0, 80) ?? 'an object';
  } catch {
    return 'an object';
  }
}

export class MoneyParseError extends Error {
  constructor(readonly input: unknown, reason: string) {
    super(`Not a valid amount: ${shown(input)} (${reason})`);
    this.name = 'MoneyParseError';
  }
}

export function cents(n: number): Cents {
  if (!Number.isSafeInteger(n)) throw new MoneyParseError(n, 'cents must be a safe integer');
  return n as Cents;
}

export const ZERO = 0 as Cents;

const DECIMAL = /^([+-])?(\d{1,15})(?:\.(\d{0,4}))?$/;

/**
 * Parses a dollar amount (string like "1,234.50", "-3.1", "110" or a JS number
 * like 110 or 51.88) into cents without going through float arithmetic.
 * More than two decimals are rounded half away from zero (PayTrace sometimes
 * sends 3 decimals on tax lines).
 */
export function parseDecimalToCents(input: unknown): Cents {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new MoneyParseError(input, 'not finite');
    // toFixed(4) gives the shortest exact-enough decimal for anything with
    // at most 4 decimals; a float like 51.88 becomes "51.8800".
    text = input.toFixed(4);
  } else if (typeof input === 'string') {
    text = input.trim().replace(/,/g, '').replace(/^\$/, '').replace(/^([+-])\$/, '$1');
    if (text.startsWith('(') && text.endsWith(')')) text = `-${text.slice(1, -1)}`;
  } else {
    throw new MoneyParseError(input, 'expected a number or a decimal string');
  }
  const m = DECIMAL.exec(text);
  if (!m) throw new MoneyParseError(input, 'expected digits with at most 4 decimals');
  const sign = m[1] === '-' ? -1 : 1;
  const whole = Number(m[2]);
  const frac = (m[3] ?? '').padEnd(4, '0');
  const firstTwo = Number(frac.slice(0, 2));
  const rest = Number(frac.slice(2, 4));
  const roundUp = rest >= 50 ? 1 : 0;
  // `|| 0` turns -0 ("-0.00") into 0 so it never displays as "-$0.00".
  return cents(sign * (whole * 100 + firstTwo + roundUp) || 0);
}

/** "1234.50" — the plain decimal form ERPs and PayTrace accept. */
export function centsToDecimalString(value: Cents | number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100).padStart(2, '0');
  return `${sign}${whole}.${frac}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** "$1,234.50" for display; never used for arithmetic. */
export function formatMoney(value: Cents | number, currency: CurrencyCode = 'USD'): string {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatters.set(currency, f);
  }
  // Dividing by 100 here is display-only; the result is never parsed back.
  return f.format(value / 100);
}

export function addCents(...values: (Cents | number)[]): Cents {
  let total = 0;
  for (const v of values) total += v;
  return cents(total);
}

export function sumCents<T>(items: readonly T[], pick: (item: T) => Cents | number): Cents {
  let total = 0;
  for (const item of items) total += pick(item);
  return cents(total);
}
