import type { GridView } from '@shared/grid-view';
import { termToSearchText } from '@shared/search-query';
import type { ColumnLayout, SavedView } from '@shared/api/views';
import { gridApi } from '../../grid/grid-handle';
import { useUi } from '../../state/ui-store';
import { toast } from '../../state/toast-store';

// The one place a saved view meets the UI store. The column filters of a
// saved view come back as search terms (written in the search language, so
// the clerk sees and can edit them in the box); the sort goes to the columns.

export function applyView(view: GridView): void {
  const ui = useUi.getState();
  ui.setActiveTab(view.tab);
  const api = gridApi();
  api?.setFilterModel(null);
  ui.setSearch([view.search.trim(), ...view.filters.map(termToSearchText)].filter((t) => t !== '').join(' '));
  api?.applyColumnState({ state: view.sort.map((s, i) => ({ colId: s.key, sort: s.dir, sortIndex: i })), defaultState: { sort: null } });
}

/** What the queue shows now: tab, search, the column filters and the sort. */
export function currentView(): GridView {
  return useUi.getState().view;
}

/** The grid's column order, widths and hidden columns, for a saved view. */
export function currentColumns(): ColumnLayout {
  const state = gridApi()?.getColumnState() ?? [];
  const columns = state.filter((c) => c.colId !== 'ag-Grid-SelectionColumn');
  return {
    order: columns.map((c) => c.colId).slice(0, 100),
    widths: Object.fromEntries(columns.filter((c) => c.width !== undefined).map((c) => [c.colId, Math.round(Math.min(Math.max(c.width!, 20), 4000))])),
    hidden: columns.filter((c) => c.hide).map((c) => c.colId),
  };
}

function applyColumns(layout: ColumnLayout): void {
  const api = gridApi();
  if (!api || !layout.order) return;
  const hidden = new Set(layout.hidden ?? []);
  api.applyColumnState({
    state: layout.order.map((colId) => ({ colId, hide: hidden.has(colId), ...(layout.widths?.[colId] ? { width: layout.widths[colId] } : {}) })),
    applyOrder: true,
  });
}

export function applySavedView(saved: SavedView): void {
  if (!saved.view) {
    toast('warning', `The view "${saved.name}" cannot be applied`, [saved.problem ?? 'It was saved in a form this version does not read.']);
    return;
  }
  applyView(saved.view);
  applyColumns(saved.columns);
}
