import { z } from 'zod';
import { ROW_STATUSES, type RowStatus } from './domain';
import { freeText } from './api/free-text';

// The work queue's search language. Plain words search the text a clerk sees
// (payer, reference, transaction id, invoices, note, reason); `field:value`
// and `amount>1000` narrow by one field. A term that names a known field but
// cannot be read (`amount>abc`, `date:2026-13-01`) is a problem the clerk is
// told about: the engine refuses the search rather than silently dropping a
// condition and showing more rows than asked for.

export const TEXT_FIELDS = ['customer', 'payer', 'ref', 'invoice', 'owner', 'note', 'text'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** 'awaiting': a write-off or override waits for a supervisor (a control, not a status of its own). */
export const STATUS_WORDS = [...ROW_STATUSES, 'awaiting'] as const;
export type StatusWord = (typeof STATUS_WORDS)[number];

export type SearchTerm =
  | Readonly<{ field: TextField; text: string }>
  /** Inclusive bounds in minor units; either may be absent. */
  | Readonly<{ field: 'amount'; minCents?: number; maxCents?: number }>
  /** Inclusive calendar days (YYYY-MM-DD) in the merchant's zone. */
  | Readonly<{ field: 'date'; from?: string; to?: string }>
  | Readonly<{ field: 'status'; values: readonly StatusWord[] }>
  | Readonly<{ field: 'method'; value: 'card' | 'ach' }>
  | Readonly<{ field: 'type'; value: string }>
  | Readonly<{ field: 'id'; value: number }>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const cents = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const day = z.string().max(10).regex(DAY).refine(isCalendarDay, 'not a calendar day');

export const searchTermSchema: z.ZodType<SearchTerm> = z.union([
  z.object({ field: z.enum(TEXT_FIELDS), text: freeText({ min: 1, max: 200 }) }).strict(),
  z.object({ field: z.literal('amount'), minCents: cents.optional(), maxCents: cents.optional() }).strict(),
  z.object({ field: z.literal('date'), from: day.optional(), to: day.optional() }).strict(),
  z.object({ field: z.literal('status'), values: z.array(z.enum(STATUS_WORDS)).min(1).max(STATUS_WORDS.length) }).strict(),
  z.object({ field: z.literal('method'), value: z.enum(['card', 'ach']) }).strict(),
  z.object({ field: z.literal('type'), value: freeText({ min: 1, max: 40 }) }).strict(),
  z.object({ field: z.literal('id'), value: z.number().int().positive() }).strict(),
]);

export type ParsedSearch = Readonly<{ terms: readonly SearchTerm[]; problems: readonly string[] }>;

/** Field names a clerk may type, and what they stand for. */
const FIELD_ALIASES: Readonly<Record<string, SearchTerm['field']>> = {
  amount: 'amount', amt: 'amount',
  customer: 'customer', cust: 'customer',
  payer: 'payer', name: 'payer',
  ref: 'ref', reference: 'ref',
  invoice: 'invoice', inv: 'invoice',
  owner: 'owner', assigned: 'owner',
  note: 'note',
  status: 'status', is: 'status',
  date: 'date',
  method: 'method',
  type: 'type',
  id: 'id', txn: 'id', transaction: 'id',
};

export const SEARCH_FIELD_NAMES = Object.keys(FIELD_ALIASES);

/** Words a clerk uses for the tabs (the tab labels too). */
const STATUS_SYNONYMS: Readonly<Record<string, StatusWord>> = {
  auto: 'auto', automatic: 'auto',
  review: 'review', 'needs-review': 'review', suggested: 'review',
  exception: 'exception', exceptions: 'exception',
  approved: 'approved',
  conflict: 'conflict', conflicts: 'conflict',
  posted: 'posted',
  failed: 'failed',
  awaiting: 'awaiting', pending: 'awaiting',
};

export function isCalendarDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** "1000", "1,000.5", "$1,000.50", "-12.3" → minor units; null when it is not an amount with at most two decimals. */
export function parseAmountText(text: string): number | null {
  const m = /^(-)?\$?((?:\d{1,3}(?:,\d{3})+)|\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const whole = Number(m[2]!.replace(/,/g, ''));
  const fraction = m[3] ? Number(m[3].padEnd(2, '0')) : 0;
  const value = whole * 100 + fraction;
  if (!Number.isSafeInteger(value)) return null;
  return m[1] ? -value : value;
}

/** Splits on spaces, keeping "quoted phrases" (after a field or alone) as one token. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /(?:[^\s"]*"[^"]*"?[^\s"]*)+|[^\s]+/g;
  for (const m of text.matchAll(re)) tokens.push(m[0]);
  return tokens;
}

const unquote = (s: string): string => s.replace(/"/g, '').trim();

export function parseSearch(text: string): ParsedSearch {
  const terms: SearchTerm[] = [];
  const problems: string[] = [];
  for (const token of tokenize(text)) {
    const parsed = parseToken(token);
    if (parsed === null) continue;
    if (typeof parsed === 'string') problems.push(parsed);
    else terms.push(parsed);
  }
  return { terms, problems };
}

function parseToken(token: string): SearchTerm | string | null {
  const comparison = /^([a-z]+)(>=|<=|>|<|=)(.+)$/i.exec(token);
  if (comparison && FIELD_ALIASES[comparison[1]!.toLowerCase()] === 'amount') {
    return amountComparison(comparison[2]!, unquote(comparison[3]!), token);
  }
  const colon = token.indexOf(':');
  const field = colon > 0 ? FIELD_ALIASES[token.slice(0, colon).toLowerCase()] : undefined;
  // "INV:123" or a URL is not a field: the whole token is plain text.
  if (!field) {
    const plain = unquote(token);
    return plain === '' ? null : { field: 'text', text: plain };
  }
  const value = unquote(token.slice(colon + 1));
  if (value === '') return `"${token}": nothing after the colon`;
  switch (field) {
    case 'amount':
      return amountValue(value, token);
    case 'date':
      return dateValue(value, token);
    case 'status': {
      const values: StatusWord[] = [];
      for (const word of value.toLowerCase().split(',')) {
        const status = STATUS_SYNONYMS[word];
        if (!status) return `"${token}": unknown status "${word}" (use ${Object.keys(STATUS_SYNONYMS).filter((k) => !k.includes('-')).join(', ')})`;
        if (!values.includes(status)) values.push(status);
      }
      return { field: 'status', values };
    }
    case 'method': {
      const v = value.toLowerCase();
      if (v === 'card' || v === 'ach') return { field: 'method', value: v };
      if (v === 'check' || v === 'echeck') return { field: 'method', value: 'ach' };
      return `"${token}": the method is card or ach`;
    }
    case 'type':
      return value.length > 40 ? `"${token}": too long` : { field: 'type', value: value.toUpperCase() };
    case 'id': {
      const n = Number(value);
      return Number.isSafeInteger(n) && n > 0 ? { field: 'id', value: n } : `"${token}": a transaction id is a whole number`;
    }
    default:
      return value.length > 200 ? `"${token}": too long` : { field, text: value };
  }
}

function amountComparison(op: string, value: string, token: string): SearchTerm | string {
  const c = parseAmountText(value);
  if (c === null) return `"${token}": "${value}" is not an amount`;
  switch (op) {
    case '>':
      return { field: 'amount', minCents: c + 1 };
    case '>=':
      return { field: 'amount', minCents: c };
    case '<':
      return { field: 'amount', maxCents: c - 1 };
    case '<=':
      return { field: 'amount', maxCents: c };
    default:
      return { field: 'amount', minCents: c, maxCents: c };
  }
}

function amountValue(value: string, token: string): SearchTerm | string {
  const range = value.split('..');
  if (range.length === 2) {
    const min = range[0] === '' ? undefined : parseAmountText(range[0]!);
    const max = range[1] === '' ? undefined : parseAmountText(range[1]!);
    if (min === null || max === null || (min === undefined && max === undefined)) return `"${token}": write a range as amount:100..500`;
    if (min !== undefined && max !== undefined && min > max) return `"${token}": the range is empty (the first amount is larger)`;
    return { field: 'amount', ...(min !== undefined ? { minCents: min } : {}), ...(max !== undefined ? { maxCents: max } : {}) };
  }
  if (value.startsWith('>') || value.startsWith('<') || value.startsWith('=')) {
    const op = /^(>=|<=|>|<|=)/.exec(value)![1]!;
    return amountComparison(op, value.slice(op.length), token);
  }
  return amountComparison('=', value, token);
}

function dateValue(value: string, token: string): SearchTerm | string {
  const range = value.split('..');
  if (range.length > 2) return `"${token}": write a range as date:2026-11-01..2026-11-07`;
  const [fromText, toText] = range.length === 2 ? [range[0]!, range[1]!] : [value, value];
  for (const d of [fromText, toText]) {
    if (d !== '' && !isCalendarDay(d)) return `"${token}": "${d}" is not a date (YYYY-MM-DD)`;
  }
  if (fromText === '' && toText === '') return `"${token}": write a range as date:2026-11-01..2026-11-07`;
  if (fromText !== '' && toText !== '' && fromText > toText) return `"${token}": the range is empty (the first date is later)`;
  return { field: 'date', ...(fromText !== '' ? { from: fromText } : {}), ...(toText !== '' ? { to: toText } : {}) };
}

/** What a term means in words, for the chips under the search box. */
export function describeTerm(term: SearchTerm): string {
  switch (term.field) {
    case 'amount': {
      const f = (c: number) => `$${(c / 100).toFixed(2)}`;
      if (term.minCents !== undefined && term.minCents === term.maxCents) return `amount = ${f(term.minCents)}`;
      if (term.minCents !== undefined && term.maxCents !== undefined) return `amount ${f(term.minCents)}–${f(term.maxCents)}`;
      return term.minCents !== undefined ? `amount ≥ ${f(term.minCents)}` : `amount ≤ ${f(term.maxCents ?? 0)}`;
    }
    case 'date':
      if (term.from && term.to) return term.from === term.to ? `on ${term.from}` : `${term.from} to ${term.to}`;
      return term.from ? `from ${term.from}` : `until ${term.to ?? ''}`;
    case 'status':
      return `status ${term.values.join(' or ')}`;
    case 'method':
    case 'type':
      return `${term.field} ${term.value}`;
    case 'id':
      return `transaction ${term.value}`;
    case 'text':
      return `“${term.text}”`;
    default:
      return `${term.field} contains “${term.text}”`;
  }
}

export function isRowStatus(word: StatusWord): word is RowStatus {
  return word !== 'awaiting';
}

const quoted = (text: string): string => (/[\s"]/.test(text) ? `"${text.replace(/"/g, '')}"` : text);
const amountText = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/**
 * One term written in the search language, so a saved view's column filters
 * can be shown (and edited) in the search box: parseSearch reads it back as
 * the same term.
 */
export function termToSearchText(term: SearchTerm): string {
  switch (term.field) {
    case 'amount':
      return `amount:${term.minCents !== undefined ? amountText(term.minCents) : ''}..${term.maxCents !== undefined ? amountText(term.maxCents) : ''}`;
    case 'date':
      return `date:${term.from ?? ''}..${term.to ?? ''}`;
    case 'status':
      return `status:${term.values.join(',')}`;
    case 'method':
      return `method:${term.value}`;
    case 'type':
      return `type:${quoted(term.value)}`;
    case 'id':
      return `id:${term.value}`;
    case 'text':
      return quoted(term.text);
    default:
      return `${term.field}:${quoted(term.text)}`;
  }
}
