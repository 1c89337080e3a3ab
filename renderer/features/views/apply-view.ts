import type { GridView } from '@shared/grid-view';
import type { ColumnLayout, SavedView } from '@shared/api/views';
import { gridApi } from '../../grid/grid-handle';
import { useUi } from '../../state/ui-store';
import { toast } from '../../state/toast-store';

// The one place a saved view meets the UI store. Today's store knows the tab
// and the search text; when the grid serves windows (a GridView in the store,
// `setView(view)`), only this adapter changes: filters and sort then apply too.

export function applyView(view: GridView): void {
  const ui = useUi.getState();
  ui.setActiveTab(view.tab);
  ui.setQuickFilter(view.search);
}

/** What the queue shows now, as a GridView (column filters and sort join when the store holds them). */
export function currentView(): GridView {
  const ui = useUi.getState();
  return { tab: ui.activeTab, search: ui.quickFilter, filters: [], sort: [] };
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
