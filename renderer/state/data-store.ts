import { create } from 'zustand';
import type { AppInfo, PostingSummary, RemoteReachability, SyncStatus } from '@shared/api-contract';
import type { GridRow, StatusCounts } from '@shared/domain';
import { errorMessage, invoke, onEngineConnection, subscribe } from '../api/client';
import { toast } from './toast-store';

// What the engine last told us. Rows are kept as the immutable array AG Grid
// consumes (with getRowId it diffs by transaction id, so a refresh of 100k
// rows only repaints what changed).

export type RemoteId = 'paytrace' | 'erp' | 'engine';
export type RemoteProblem = Readonly<{ reachability: RemoteReachability; message: string | null }>;
/** A problem stays in the banner until the remote is back online and the clerk dismisses the notice. */
export type BannerEntry = Readonly<{ remote: RemoteId; problem: RemoteProblem; resolved: boolean }>;

type DataState = Readonly<{
  info: AppInfo | null;
  rows: readonly GridRow[];
  rowsLoaded: boolean;
  counts: StatusCounts & { all: number };
  sync: SyncStatus | null;
  posting: PostingSummary | null;
  banner: readonly BannerEntry[];
  dismissBanner: (remote: RemoteId) => void;
}>;

export function countRows(rows: readonly GridRow[]): StatusCounts & { all: number } {
  const counts = { auto: 0, review: 0, exception: 0, approved: 0, conflict: 0, posted: 0, failed: 0, all: rows.length };
  for (const r of rows) counts[r.status] += 1;
  return counts;
}

const emptyCounts = countRows([]);

export const useData = create<DataState>()((set, get) => ({
  info: null,
  rows: [],
  rowsLoaded: false,
  counts: emptyCounts,
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

let rowsInFlight: Promise<void> | null = null;
let rowsAgain = false;

/** Fetches all rows; concurrent requests collapse into one follow-up fetch. */
export async function refreshRows(): Promise<void> {
  if (rowsInFlight) {
    rowsAgain = true;
    return rowsInFlight;
  }
  rowsInFlight = (async () => {
    do {
      rowsAgain = false;
      try {
        const rows = await invoke('grid:rows', {});
        useData.setState({ rows, rowsLoaded: true, counts: countRows(rows) });
      } catch (err) {
        toast('error', 'Could not load transactions', [errorMessage(err)]);
      }
    } while (rowsAgain);
  })();
  try {
    await rowsInFlight;
  } finally {
    rowsInFlight = null;
  }
}

let started = false;

/** Loads the first picture and keeps it current from pushed events. Idempotent. */
export function startDataFeed(): void {
  if (started) return;
  started = true;
  let rowsTimer: number | null = null;
  subscribe('rows:changed', () => {
    // Coalesce bursts (a sync upserts in batches) into one refetch.
    if (rowsTimer !== null) return;
    rowsTimer = window.setTimeout(() => {
      rowsTimer = null;
      void refreshRows();
    }, 150);
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
