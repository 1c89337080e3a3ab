import type { ColDef, GetQuickFilterTextParams, GridApi, IRowNode, ValueGetterParams } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';

// With cacheQuickFilter, AG Grid builds each row's search text the first time
// a search runs: half a second for 100k rows, paid on the clerk's first
// keystroke. This builds the same text (visible columns in order, each
// column's getQuickFilterText or value, upper-cased, joined by newlines: what
// AG Grid's quick filter service does) in idle slices right after rows load.
// Rows whose data changes get their text reset by AG Grid and are rebuilt on
// the next warm-up (or lazily by AG Grid itself), so results never differ.

type Idle = { timeRemaining(): number };

const schedule: (cb: (deadline: Idle) => void) => void =
  typeof window.requestIdleCallback === 'function'
    ? (cb) => void window.requestIdleCallback(cb, { timeout: 200 })
    : (cb) => void window.setTimeout(() => cb({ timeRemaining: () => 8 }), 0);

function cellValue(def: ColDef<GridRow>, node: IRowNode<GridRow>, api: GridApi<GridRow>): unknown {
  const data = node.data;
  if (!data) return undefined;
  if (typeof def.valueGetter === 'function') return def.valueGetter({ data, node, colDef: def, api } as ValueGetterParams<GridRow>);
  return def.field ? (data as Record<string, unknown>)[def.field] : undefined;
}

/** The text AG Grid would cache for this row. */
function aggregateText(defs: readonly ColDef<GridRow>[], node: IRowNode<GridRow>, api: GridApi<GridRow>): string {
  const parts: string[] = [];
  for (const def of defs) {
    let value = cellValue(def, node, api);
    if (def.getQuickFilterText) value = def.getQuickFilterText({ value, node, data: node.data!, colDef: def, api } as GetQuickFilterTextParams<GridRow>);
    // AG Grid's _exists: null, undefined and '' contribute nothing.
    if (value !== null && value !== undefined && value !== '') parts.push(String(value).toUpperCase());
  }
  return parts.join('\n');
}

let generation = 0;

/** Fills the quick-filter cache of every row lacking it, in idle time; a newer call cancels an older one. */
export function warmQuickFilter(api: GridApi<GridRow>, onDone?: () => void): void {
  const run = ++generation;
  // AG Grid's quick filter reads visible provided columns only (includeHiddenColumnsInQuickFilter is off).
  const defs = api
    .getColumns()
    ?.filter((c) => c.isVisible())
    .map((c) => c.getColDef() as ColDef<GridRow>)
    .filter((d) => d.field !== undefined || d.valueGetter !== undefined || d.getQuickFilterText !== undefined);
  if (!defs || defs.some((d) => typeof d.valueGetter === 'string')) return;
  const pending: IRowNode<GridRow>[] = [];
  api.forEachNode((n) => {
    if (n.data && !n.quickFilterAggregateText) pending.push(n);
  });
  let next = 0;
  const slice = (deadline: Idle): void => {
    if (run !== generation || api.isDestroyed()) return;
    // At least a small batch per slice so a busy page still makes progress.
    let budget = 500;
    while (next < pending.length && (budget-- > 0 || deadline.timeRemaining() > 1)) {
      const node = pending[next++]!;
      if (!node.quickFilterAggregateText && node.data) node.quickFilterAggregateText = aggregateText(defs, node, api);
    }
    if (next < pending.length) schedule(slice);
    else onDone?.();
  };
  schedule(slice);
}
