import { create } from 'zustand';
import { DEFAULT_VIEW, type GridView, type RowSelection, type SortSpec, type TabId } from '@shared/grid-view';
import type { SearchTerm } from '@shared/search-query';

// UI state only (style guide §5.15): the view the grid shows (tab, search,
// column filters, sort: what the engine answers in windows), the selection,
// which row is focused and which panels are open. Engine data lives in data-store.ts.

export type { TabId };
export const TAB_ORDER: readonly TabId[] = ['auto', 'review', 'exception', 'approved', 'conflict', 'posted', 'failed', 'all'];

const NOTHING: RowSelection = { kind: 'ids', ids: [] };

type UiState = Readonly<{
  view: GridView;
  /** Why the engine refused the view's search or a column filter (shown under the search box); null when understood. */
  searchProblem: string | null;
  selection: RowSelection;
  focusedId: number | null;
  panelOpen: boolean;
  settingsOpen: boolean;
  /** The row whose allocation editor is open in the detail panel (e.g. after "Edit allocation & retry"). */
  allocationEditFor: number | null;
  setActiveTab: (tab: TabId) => void;
  setSearch: (text: string) => void;
  setFilters: (filters: readonly SearchTerm[]) => void;
  setSort: (sort: readonly SortSpec[]) => void;
  setSearchProblem: (problem: string | null) => void;
  setSelection: (selection: RowSelection) => void;
  setFocusedId: (id: number | null) => void;
  setPanelOpen: (open: boolean) => void;
  setSettingsOpen: (open: boolean) => void;
  setAllocationEditFor: (id: number | null) => void;
}>;

export const useUi = create<UiState>()((set, get) => ({
  view: DEFAULT_VIEW,
  searchProblem: null,
  selection: NOTHING,
  focusedId: null,
  panelOpen: false,
  settingsOpen: false,
  allocationEditFor: null,
  // A selection never outlives the rows it was made on: approving must only touch what is on screen.
  setActiveTab: (tab) => {
    if (get().view.tab !== tab) set({ view: { ...get().view, tab }, selection: NOTHING });
  },
  setSearch: (search) => {
    if (get().view.search !== search) set({ view: { ...get().view, search }, selection: NOTHING });
  },
  setFilters: (filters) => set({ view: { ...get().view, filters }, selection: NOTHING }),
  // The same rows in another order: a "whole view" selection follows the new order.
  setSort: (sort) => {
    const { view, selection } = get();
    const next = { ...view, sort };
    set({ view: next, selection: selection.kind === 'view' ? { ...selection, view: next } : selection });
  },
  setSearchProblem: (searchProblem) => set({ searchProblem }),
  setSelection: (selection) => set({ selection }),
  setFocusedId: (focusedId) => set({ focusedId }),
  setPanelOpen: (panelOpen) => set({ panelOpen }),
  setSettingsOpen: (settingsOpen) => set({ settingsOpen }),
  setAllocationEditFor: (allocationEditFor) => set({ allocationEditFor }),
}));

/** The tab on screen. */
export const activeTab = (): TabId => useUi.getState().view.tab;

export function currentSelection(): RowSelection {
  return useUi.getState().selection;
}

export function selectionIsEmpty(selection: RowSelection = currentSelection()): boolean {
  return selection.kind === 'ids' && selection.ids.length === 0;
}

export function clearSelection(): void {
  if (!selectionIsEmpty()) useUi.getState().setSelection(NOTHING);
}

/** Ctrl+A / the header checkbox: every row of the view on screen, loaded or not. */
export function selectWholeView(): void {
  const ui = useUi.getState();
  ui.setSelection({ kind: 'view', view: ui.view, exceptIds: [] });
}

export function isRowSelected(selection: RowSelection, id: number): boolean {
  return selection.kind === 'ids' ? selection.ids.includes(id) : !selection.exceptIds.includes(id);
}

/** Ticks or unticks one row, whichever kind of selection holds it. */
export function setRowSelected(id: number, selected: boolean): void {
  const selection = currentSelection();
  if (isRowSelected(selection, id) === selected) return;
  const toggle = (ids: readonly number[], add: boolean) => (add ? [...ids, id] : ids.filter((x) => x !== id));
  useUi.getState().setSelection(
    selection.kind === 'ids' ? { kind: 'ids', ids: toggle(selection.ids, selected) } : { ...selection, exceptIds: toggle(selection.exceptIds, !selected) },
  );
}
