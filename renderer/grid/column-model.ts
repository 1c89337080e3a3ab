import type { FilterModel, SortModelItem } from 'ag-grid-community';
import { SORT_KEYS, type SortKey, type SortSpec } from '@shared/grid-view';
import { STATUS_WORDS, type SearchTerm, type StatusWord } from '@shared/search-query';

// AG Grid's column sort and filter models, as the engine's view needs them
// (SortSpec, SearchTerm). The grid offers only what translates (one condition
// per column, the operators listed in columns.ts); anything else is refused
// with a message rather than silently dropped, which would show more rows
// than the clerk asked for.

export type ColumnModel = Readonly<{ sort: readonly SortSpec[]; filters: readonly SearchTerm[] }>;
export type Translated = ColumnModel | Readonly<{ problem: string }>;

/** Column id → what the engine filters on for a text "contains". */
const TEXT_FILTER_FIELDS: Readonly<Record<string, 'payer' | 'ref' | 'invoice' | 'owner'>> = {
  payer: 'payer',
  reference: 'ref',
  matchedInvoices: 'invoice',
  owner: 'owner',
};

const isSortKey = (colId: string): colId is SortKey => (SORT_KEYS as readonly string[]).includes(colId);

/** The grid's sort model: at most 3 keys (the engine's limit), each a sortable column. */
export function translateSort(model: readonly SortModelItem[]): readonly SortSpec[] | string {
  const out: SortSpec[] = [];
  for (const item of model) {
    if (!isSortKey(item.colId)) return `The ${item.colId} column cannot be sorted.`;
    out.push({ key: item.colId, dir: item.sort });
  }
  return out.length > 3 ? 'Sort by at most 3 columns.' : out;
}

/** Dollars as typed in the number filter → cents (the amount filter is in the row's currency). */
const toCents = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 100) : null);
/** AG Grid's date filter gives "YYYY-MM-DD hh:mm:ss"; the engine wants the merchant-zone day. */
const toDay = (s: unknown): string | null => (typeof s === 'string' && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : null);

function shiftDay(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

type Condition = Readonly<{ filterType?: string; type?: string; filter?: unknown; filterTo?: unknown; dateFrom?: unknown; dateTo?: unknown; values?: unknown; conditions?: unknown }>;

function amountTerm(c: Condition): SearchTerm | string {
  const a = toCents(c.filter);
  const b = toCents(c.filterTo);
  if (a === null) return 'The amount filter needs a number.';
  switch (c.type) {
    case 'equals':
      return { field: 'amount', minCents: a, maxCents: a };
    case 'greaterThan':
      return { field: 'amount', minCents: a + 1 };
    case 'greaterThanOrEqual':
      return { field: 'amount', minCents: a };
    case 'lessThan':
      return { field: 'amount', maxCents: a - 1 };
    case 'lessThanOrEqual':
      return { field: 'amount', maxCents: a };
    case 'inRange':
      if (b === null) return 'The amount range needs two numbers.';
      return { field: 'amount', minCents: Math.min(a, b), maxCents: Math.max(a, b) };
    default:
      return `The amount filter "${String(c.type)}" is not supported.`;
  }
}

function dateTerm(c: Condition): SearchTerm | string {
  const from = toDay(c.dateFrom);
  const to = toDay(c.dateTo);
  if (from === null) return 'The date filter needs a date.';
  switch (c.type) {
    case 'equals':
      return { field: 'date', from, to: from };
    case 'greaterThan':
      return { field: 'date', from: shiftDay(from, 1) };
    case 'lessThan':
      return { field: 'date', to: shiftDay(from, -1) };
    case 'inRange':
      if (to === null) return 'The date range needs two dates.';
      return from <= to ? { field: 'date', from, to } : { field: 'date', from: to, to: from };
    default:
      return `The date filter "${String(c.type)}" is not supported.`;
  }
}

function textTerm(colId: string, c: Condition): SearchTerm | string {
  const field = TEXT_FILTER_FIELDS[colId];
  if (!field) return `The ${colId} column cannot be filtered.`;
  if (c.type !== 'contains') return `The ${colId} filter supports "contains" only.`;
  const text = typeof c.filter === 'string' ? c.filter.trim() : '';
  if (text === '') return `The ${colId} filter needs some text.`;
  return { field, text };
}

function statusTerm(c: Condition): SearchTerm | string {
  const values = Array.isArray(c.values) ? c.values.filter((v): v is StatusWord => (STATUS_WORDS as readonly string[]).includes(v as string)) : [];
  return values.length > 0 ? { field: 'status', values } : 'Pick at least one status.';
}

export function translateFilters(model: FilterModel): readonly SearchTerm[] | string {
  const out: SearchTerm[] = [];
  for (const [colId, raw] of Object.entries(model)) {
    const c = raw as Condition;
    if (c.conditions !== undefined) return `The ${colId} filter combines conditions; use one condition per column.`;
    let term: SearchTerm | string;
    if (colId === 'amount') term = amountTerm(c);
    else if (colId === 'createdAt') term = dateTerm(c);
    else if (colId === 'status') term = statusTerm(c);
    else term = textTerm(colId, c);
    if (typeof term === 'string') return term;
    out.push(term);
  }
  return out;
}

export function translateColumns(sortModel: readonly SortModelItem[], filterModel: FilterModel): Translated {
  const sort = translateSort(sortModel);
  if (typeof sort === 'string') return { problem: sort };
  const filters = translateFilters(filterModel);
  if (typeof filters === 'string') return { problem: filters };
  return { sort, filters };
}
