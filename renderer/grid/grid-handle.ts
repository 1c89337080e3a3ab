import type { GridApi, IRowNode } from 'ag-grid-community';
import type { GridRow, RowStatus } from '@shared/domain';
import { invoke } from '../api/client';
import { currentSelection, isRowSelected, useUi } from '../state/ui-store';

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

/** A loaded row of the view on screen (rows outside the loaded windows are not in the renderer). */
export function loadedRow(transactionId: number): GridRow | null {
  return gridApi()?.getRowNode(String(transactionId))?.data ?? null;
}

// --- Checkboxes mirror the UI store's selection (the store is the truth: a
// whole view can be selected while most of it is not loaded).

let syncing = false;

/** Ticks the loaded rows the selection holds and unticks the rest. */
export function syncCheckboxes(api: GridApi<GridRow>): void {
  const selection = currentSelection();
  const on: IRowNode<GridRow>[] = [];
  const off: IRowNode<GridRow>[] = [];
  api.forEachNode((n) => {
    if (!n.data) return;
    const want = isRowSelected(selection, n.data.transactionId);
    if (n.isSelected() !== want) (want ? on : off).push(n);
  });
  if (on.length === 0 && off.length === 0) return;
  syncing = true;
  try {
    if (on.length > 0) api.setNodesSelected({ nodes: on, newValue: true });
    if (off.length > 0) api.setNodesSelected({ nodes: off, newValue: false });
  } finally {
    syncing = false;
  }
}

/** A checkbox the clerk (or a script through the grid API) changed: the store takes it. */
export function takeCheckboxChanges(api: GridApi<GridRow>): void {
  if (syncing) return;
  const selection = currentSelection();
  const ticked: number[] = [];
  const unticked: number[] = [];
  api.forEachNode((n) => {
    if (!n.data) return;
    const id = n.data.transactionId;
    const now = n.isSelected() === true;
    if (now !== isRowSelected(selection, id)) (now ? ticked : unticked).push(id);
  });
  if (ticked.length === 0 && unticked.length === 0) return;
  const drop = new Set(unticked);
  const ui = useUi.getState();
  if (selection.kind === 'ids') ui.setSelection({ kind: 'ids', ids: [...selection.ids.filter((id) => !drop.has(id)), ...ticked] });
  else {
    const back = new Set(ticked);
    ui.setSelection({ ...selection, exceptIds: [...selection.exceptIds.filter((id) => !back.has(id)), ...unticked] });
  }
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
  if (node?.data) node.setSelected(!node.isSelected());
}

function showLoaded(transactionId: number): boolean {
  const api = gridApi();
  const n = api?.getRowNode(String(transactionId));
  if (!api || !n || n.rowIndex === null || !n.displayed) return false;
  api.ensureIndexVisible(n.rowIndex, 'middle');
  api.setFocusedCell(n.rowIndex, api.getFocusedCell()?.column ?? 'transactionId');
  return true;
}

/**
 * Shows another row (e.g. a refund's sale): switches to its tab when the
 * current one hides it (asking the engine which tab that is: the row may not
 * be loaded), focuses it in the grid when loaded and in the detail panel.
 */
export async function focusRow(transactionId: number): Promise<void> {
  const ui = useUi.getState();
  if (!showLoaded(transactionId)) {
    let status: RowStatus | null = loadedRow(transactionId)?.status ?? null;
    if (status === null) {
      const found = await invoke('grid:window', { view: { tab: 'all', search: '', filters: [{ field: 'id', value: transactionId }], sort: [] }, offset: 0, limit: 1 }).catch(() => null);
      status = found?.rows[0]?.status ?? null;
    }
    if (status && ui.view.tab !== 'all' && status !== ui.view.tab) ui.setActiveTab(status);
    // After the new tab's first window: focus it if it is there.
    setTimeout(() => showLoaded(transactionId), 300);
  }
  useUi.getState().setFocusedId(transactionId);
}
