import { z } from 'zod';
import { ROW_STATUSES, type RowStatus } from './domain';
import { searchTermSchema, type SearchTerm } from './search-query';
import { freeText } from './api/free-text';

// What the work queue shows, as the engine needs it to answer in windows: the
// tab, the clerk's search text (parsed by the engine with shared/search-query),
// the column filters (already structured), and the sort. A selection is either
// the rows the clerk ticked or "every row of this view except …", so bulk
// actions never ship 100,000 ids to the renderer and back.

export const TAB_IDS = [...ROW_STATUSES, 'all'] as const;
export type TabId = (typeof TAB_IDS)[number];

/** Columns the engine can sort on with SQL (the ERP balance and difference are computed per row, not sortable). */
export const SORT_KEYS = ['createdAt', 'transactionId', 'payer', 'reference', 'amount', 'status', 'score', 'owner'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortSpec = Readonly<{ key: SortKey; dir: 'asc' | 'desc' }>;

export type GridView = Readonly<{
  tab: TabId;
  search: string;
  /** Column-menu filters, combined with the search's terms (all must hold). */
  filters: readonly SearchTerm[];
  /** First key first; empty: newest first. */
  sort: readonly SortSpec[];
}>;

export const DEFAULT_VIEW: GridView = { tab: 'auto', search: '', filters: [], sort: [] };

export const gridViewSchema = z
  .object({
    tab: z.enum(TAB_IDS),
    search: freeText({ max: 500 }),
    filters: z.array(searchTermSchema).max(20),
    sort: z.array(z.object({ key: z.enum(SORT_KEYS), dir: z.enum(['asc', 'desc']) }).strict()).max(3),
  })
  .strict();

export type RowSelection =
  | Readonly<{ kind: 'ids'; ids: readonly number[] }>
  /** Every row the view shows (its tab, search and filters) except the ones the clerk unticked. */
  | Readonly<{ kind: 'view'; view: GridView; exceptIds: readonly number[] }>;

const id = z.number().int().positive();
export const rowSelectionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ids'), ids: z.array(id).max(100_000) }).strict(),
  z.object({ kind: z.literal('view'), view: gridViewSchema, exceptIds: z.array(id).max(100_000) }).strict(),
]);

/** Rows per tab for the view's search and filters (the tab itself ignored), plus all of them. */
export type ViewCounts = Readonly<Record<RowStatus | 'all', number>>;

export type MoneyTotal = Readonly<{ currency: string; cents: number }>;

export type SelectionSummary = Readonly<{ count: number; totals: readonly MoneyTotal[] }>;
