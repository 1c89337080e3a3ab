import type { GridApi, IRowNode } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { useUi } from '../state/ui-store';

// The live grid API, shared by keyboard handling and actions. Set once the grid is ready.
let current: GridApi<GridRow> | null = null;

export function setGridApi(api: GridApi<GridRow> | null): void {
  current = api;
  window.__tieoutGrid = api ?? undefined;
}

export function gridApi(): GridApi<GridRow> | null {
  return current && !current.isDestroyed() ? current : null;
}

export function focusedNode(): IRowNode<GridRow> | null {
  const api = gridApi();
  const cell = api?.getFocusedCell();
  if (!api || !cell) return null;
  return api.getDisplayedRowAtIndex(cell.rowIndex) ?? null;
}

/** Moves the focused row by delta (j/k, arrows when focus is outside the grid). */
export function moveFocus(delta: number): void {
  const api = gridApi();
  if (!api) return;
  const count = api.getDisplayedRowCount();
  if (count === 0) return;
  const cell = api.getFocusedCell();
  const from = cell ? cell.rowIndex : delta > 0 ? -1 : count;
  const to = Math.min(count - 1, Math.max(0, from + delta));
  api.ensureIndexVisible(to);
  api.setFocusedCell(to, cell?.column ?? 'transactionId');
}

export function toggleFocusedSelection(): void {
  const node = focusedNode();
  if (node) node.setSelected(!node.isSelected());
}

/**
 * Shows another row (e.g. a refund's sale): switches to its tab when the
 * current one hides it, focuses it in the grid and in the detail panel.
 */
export function focusRow(transactionId: number): void {
  const ui = useUi.getState();
  const node = gridApi()?.getRowNode(String(transactionId));
  if (node?.data && ui.activeTab !== 'all' && node.data.status !== ui.activeTab) ui.setActiveTab(node.data.status);
  // After the tab change has re-filtered the grid.
  setTimeout(() => {
    const api = gridApi();
    const n = api?.getRowNode(String(transactionId));
    if (api && n && n.rowIndex !== null && n.displayed) {
      api.ensureIndexVisible(n.rowIndex, 'middle');
      api.setFocusedCell(n.rowIndex, api.getFocusedCell()?.column ?? 'transactionId');
    }
    useUi.getState().setFocusedId(transactionId);
  }, 0);
}
