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

function sameRow(a: GridRow, b: GridRow): boolean {
  for (const key in b) {
    const k = key as keyof GridRow;
    if (a[k] === b[k]) continue;
    if (k !== 'matchedInvoices') return false;
    const x = a.matchedInvoices;
    const y = b.matchedInvoices;
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return Object.keys(a).length === Object.keys(b).length;
}

/**
 * Keeps the previous object for every row whose content did not change, so
 * AG Grid (which compares row data by reference under getRowId) re-renders and
 * re-indexes only what changed, and keeps its quick-filter cache for the rest.
 * Returns `prev` itself when nothing changed at all.
 */
export function shareUnchangedRows(prev: readonly GridRow[], next: readonly GridRow[]): readonly GridRow[] {
  if (prev.length === 0) return next;
  const byId = new Map<number, GridRow>();
  for (const r of prev) byId.set(r.transactionId, r);
  let changed = prev.length !== next.length;
  const out = new Array<GridRow>(next.length);
  for (let i = 0; i < next.length; i++) {
    const n = next[i]!;
    const p = byId.get(n.transactionId);
    const keep = p !== undefined && sameRow(p, n);
    out[i] = keep ? p : n;
    if (!changed && out[i] !== prev[i]) changed = true;
  }
  return changed ? out : prev;
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
        performance.mark('tieout:rows-requested');
        const rows = await invoke('grid:rows', {});
        performance.mark('tieout:rows-received');
        const state = useData.getState();
        const shared = shareUnchangedRows(state.rows, rows);
        // Nothing changed: no store update, so nothing re-renders.
        if (shared !== state.rows || !state.rowsLoaded) useData.setState({ rows: shared, rowsLoaded: true, counts: countRows(shared) });
        performance.mark('tieout:rows-stored');
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
