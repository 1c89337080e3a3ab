import { create } from 'zustand';
import type { AppInfo, PostingSummary, RemoteReachability, SyncStatus } from '@shared/api-contract';
import type { SelectionSummary, ViewCounts } from '@shared/grid-view';
import { ApiCallError, errorMessage, invoke, onEngineConnection, subscribe } from '../api/client';
import { toast } from './toast-store';
import { selectionIsEmpty, useUi } from './ui-store';

// What the engine last told us. The rows themselves are not here: the grid
// asks the engine for the windows on screen (grid:window); this store keeps
// the view's total, the tab counts and the selection's running total.

export type RemoteId = 'paytrace' | 'erp' | 'engine';
export type RemoteProblem = Readonly<{ reachability: RemoteReachability; message: string | null }>;
/** A problem stays in the banner until the remote is back online and the clerk dismisses the notice. */
export type BannerEntry = Readonly<{ remote: RemoteId; problem: RemoteProblem; resolved: boolean }>;

type DataState = Readonly<{
  info: AppInfo | null;
  /** A window of the view has arrived (the grid is no longer "loading"). */
  rowsLoaded: boolean;
  /** Rows in the view on screen (its tab, search and filters). */
  viewTotal: number;
  /** The first row of the first window loaded (a sample for previews), if any. */
  firstRowId: number | null;
  /** Rows per tab for the view's search and filters. */
  counts: ViewCounts;
  selectionSummary: SelectionSummary | null;
  sync: SyncStatus | null;
  posting: PostingSummary | null;
  banner: readonly BannerEntry[];
  dismissBanner: (remote: RemoteId) => void;
}>;

const emptyCounts: ViewCounts = { auto: 0, review: 0, exception: 0, approved: 0, conflict: 0, posted: 0, failed: 0, all: 0 };

export const useData = create<DataState>()((set, get) => ({
  info: null,
  rowsLoaded: false,
  viewTotal: 0,
  firstRowId: null,
  counts: emptyCounts,
  selectionSummary: null,
  sync: null,
  posting: null,
  banner: [],
  dismissBanner(remote) {
    set({ banner: get().banner.filter((b) => !(b.remote === remote && b.resolved)) });
  },
}));

function updateBanner(remote: RemoteId, reachability: RemoteReachability, message: string | null): void {
  const banner = useData.getState().banner;
  const existing = banner.find((b) => b.remote === remote);
  const isProblem = reachability === 'offline' || reachability === 'failing';
  let next: BannerEntry | null = existing ?? null;
  if (isProblem) next = { remote, problem: { reachability, message }, resolved: false };
  else if (existing && reachability === 'online') next = { ...existing, resolved: true };
  if (next === existing) return;
  const others = banner.filter((b) => b.remote !== remote);
  useData.setState({ banner: next ? [...others, next] : others });
}

function applySync(sync: SyncStatus): void {
  useData.setState({ sync });
  updateBanner('paytrace', sync.paytrace.reachability, sync.paytrace.message);
  updateBanner('erp', sync.erp.reachability, sync.erp.message);
}

let countsInFlight = false;
let countsAgain = false;

/** The tab counts for the view's search and filters; concurrent requests collapse into one follow-up. */
export async function refreshCounts(): Promise<void> {
  if (countsInFlight) {
    countsAgain = true;
    return;
  }
  countsInFlight = true;
  try {
    do {
      countsAgain = false;
      const view = useUi.getState().view;
      try {
        const counts = await invoke('grid:viewCounts', { view });
        useData.setState({ counts });
      } catch (err) {
        // The grid's window request reports a refused search under the box; here it only leaves the counts as they were.
        if (!(err instanceof ApiCallError && err.code === 'invalid_args')) toast('error', 'Could not count transactions', [errorMessage(err)]);
      }
    } while (countsAgain);
  } finally {
    countsInFlight = false;
  }
}

let summarySeq = 0;

/** The running total of the selection (count and amount per currency), from the engine: a "whole view" selection is never loaded here. */
export async function refreshSelectionSummary(): Promise<void> {
  const seq = ++summarySeq;
  const selection = useUi.getState().selection;
  if (selectionIsEmpty(selection)) {
    useData.setState({ selectionSummary: null });
    return;
  }
  try {
    const summary = await invoke('grid:selectionSummary', { selection });
    if (seq === summarySeq) useData.setState({ selectionSummary: summary });
  } catch (err) {
    if (seq === summarySeq) useData.setState({ selectionSummary: null });
    if (!(err instanceof ApiCallError && err.code === 'invalid_args')) toast('error', 'Could not total the selection', [errorMessage(err)]);
  }
}

type GridRefresher = () => void;
let gridRefresher: GridRefresher | null = null;

/** The grid registers how it reloads its windows in place (keeping scroll and focus). */
export function setGridRefresher(refresh: GridRefresher | null): void {
  gridRefresher = refresh;
}

/** Reloads what is on screen after a change: the loaded windows in place, the tab counts and the selection's total. */
export async function refreshRows(): Promise<void> {
  gridRefresher?.();
  await Promise.all([refreshCounts(), refreshSelectionSummary()]);
}

let started = false;

/** Loads the first picture and keeps it current from pushed events. Idempotent. */
export function startDataFeed(): void {
  if (started) return;
  started = true;
  let rowsTimer: number | null = null;
  subscribe('rows:changed', () => {
    // Coalesce bursts (a sync upserts in batches) into one refresh of what is on screen.
    if (rowsTimer !== null) return;
    rowsTimer = window.setTimeout(() => {
      rowsTimer = null;
      void refreshRows();
    }, 150);
  });
  // The counts follow the view's search and filters (not its tab); the running total follows the selection.
  let summaryTimer: number | null = null;
  useUi.subscribe((now, before) => {
    if (now.view.search !== before.view.search || now.view.filters !== before.view.filters) void refreshCounts();
    if (now.selection !== before.selection) {
      // The last total belongs to the last selection: never shown for this one.
      useData.setState({ selectionSummary: null });
      if (summaryTimer !== null) window.clearTimeout(summaryTimer);
      summaryTimer = window.setTimeout(() => {
        summaryTimer = null;
        void refreshSelectionSummary();
      }, 60);
    }
  });
  subscribe('sync:status', applySync);
  subscribe('posting:status', (posting) => useData.setState({ posting }));
  let lostEngine = false;
  onEngineConnection((connected) => {
    updateBanner('engine', connected ? 'online' : 'offline', connected ? null : 'Lost the connection to the Tieout engine. Reconnecting…');
    // Events may have been missed while disconnected: reload everything once back.
    if (connected && lostEngine) void refreshAll();
    lostEngine = !connected;
  });
  void refreshAll();
}

async function refreshAll(): Promise<void> {
  const [info, sync, posting] = await Promise.allSettled([invoke('app:info', {}), invoke('sync:status', {}), invoke('posting:status', {})]);
  if (info.status === 'fulfilled') useData.setState({ info: info.value });
  if (sync.status === 'fulfilled') applySync(sync.value);
  if (posting.status === 'fulfilled') useData.setState({ posting: posting.value });
  const failed = [info, sync, posting].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) toast('error', 'Could not reach the Tieout engine', [errorMessage(failed.reason)]);
  await refreshRows();
}

export { applySync };
