import { create } from 'zustand';
import type { RowStatus } from '@shared/domain';

// UI state only (style guide §5.15): which tab, which rows are selected or
// focused, which panels are open. Engine data lives in data-store.ts.

export type TabId = 'all' | RowStatus;
export const TAB_ORDER: readonly TabId[] = ['auto', 'review', 'exception', 'approved', 'conflict', 'posted', 'failed', 'all'];

type UiState = Readonly<{
  activeTab: TabId;
  quickFilter: string;
  selectedIds: readonly number[];
  focusedId: number | null;
  panelOpen: boolean;
  settingsOpen: boolean;
  /** The row whose allocation editor is open in the detail panel (e.g. after "Edit allocation & retry"). */
  allocationEditFor: number | null;
  setActiveTab: (tab: TabId) => void;
  setQuickFilter: (text: string) => void;
  setSelectedIds: (ids: readonly number[]) => void;
  setFocusedId: (id: number | null) => void;
  setPanelOpen: (open: boolean) => void;
  setSettingsOpen: (open: boolean) => void;
  setAllocationEditFor: (id: number | null) => void;
}>;

export const useUi = create<UiState>()((set) => ({
  activeTab: 'auto',
  quickFilter: '',
  selectedIds: [],
  focusedId: null,
  panelOpen: false,
  settingsOpen: false,
  allocationEditFor: null,
  setActiveTab: (activeTab) => set({ activeTab }),
  setQuickFilter: (quickFilter) => set({ quickFilter }),
  setSelectedIds: (selectedIds) => set({ selectedIds }),
  setFocusedId: (focusedId) => set({ focusedId }),
  setPanelOpen: (panelOpen) => set({ panelOpen }),
  setSettingsOpen: (settingsOpen) => set({ settingsOpen }),
  setAllocationEditFor: (allocationEditFor) => set({ allocationEditFor }),
}));
