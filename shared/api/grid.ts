import { z } from 'zod';
import type { ApproveResult } from '../api-contract';
import type { GridRow } from '../domain';
import { gridViewSchema, rowSelectionSchema, type GridView, type RowSelection, type SelectionSummary, type ViewCounts } from '../grid-view';
import { method } from './define';

// The work queue served in windows (issue 15): no reply carries the whole day.

export type GridWindowResult = Readonly<{ rows: readonly GridRow[]; total: number }>;

export const gridMethods = {
  /** Rows `offset`…`offset + limit` of a view, in its order, and the view's row count. A search that cannot be read is refused ('invalid_args'), never widened. */
  'grid:window': method<z.ZodType<{ view: GridView; offset: number; limit: number }>, GridWindowResult>({
    role: 'clerk',
    args: z.object({ view: gridViewSchema, offset: z.number().int().min(0).max(10_000_000), limit: z.number().int().min(1).max(1000) }).strict(),
  }),
  /** Rows per tab for the view's search and filters. */
  'grid:viewCounts': method<z.ZodType<{ view: GridView }>, ViewCounts>({ role: 'clerk', args: z.object({ view: gridViewSchema }).strict() }),
  /** Count and total per currency of a selection (ticked rows, or every row of a view but some). */
  'grid:selectionSummary': method<z.ZodType<{ selection: RowSelection }>, SelectionSummary>({ role: 'clerk', args: z.object({ selection: rowSelectionSchema }).strict() }),
  /** Approves a selection (ticked rows, or every row of a view but some): the engine resolves the ids, so "all 100,000" never crosses the wire. Same service and skips as matches:approve. */
  'matches:approveSelection': method<z.ZodType<{ selection: RowSelection }>, ApproveResult>({ role: 'clerk', args: z.object({ selection: rowSelectionSchema }).strict() }),
} as const;
