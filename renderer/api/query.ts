import { keepPreviousData, QueryClient, useMutation, useQuery, useQueryClient, type Query } from '@tanstack/react-query';
import type { ApiEvents, MethodArgs, MethodName, MethodResult } from '@shared/api-contract';
import { invoke, subscribe } from './client';

// Renderer data fetching: every read is a query keyed by [contract method,
// args], every write a mutation that invalidates what it changes, and the
// engine's pushed events invalidate what they announce. The review grid keeps
// its own incremental row store (state/data-store.ts) and is not in here.

export const queryClient = new QueryClient({
  defaultOptions: {
    // The engine is local and pushes what changes: no polling, no refetch on
    // focus, and a failed call is shown at once rather than retried.
    queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false, staleTime: Infinity },
    mutations: { retry: false },
  },
});

export type ApiQueryKey<M extends MethodName> = readonly [M, MethodArgs<M>];

export function apiQueryKey<M extends MethodName>(method: M, args: MethodArgs<M>): ApiQueryKey<M> {
  return [method, args];
}

/** `refetchOnMount: 'always'` for what a screen reloads each time it opens (its data is otherwise kept until an event or a write makes it stale). */
/** `keepPrevious` shows the last answer while the answer to new args loads (a preview that follows typing). */
export function useApiQuery<M extends MethodName>(
  method: M,
  args: MethodArgs<M>,
  options: Readonly<{ enabled?: boolean; refetchOnMount?: boolean | 'always'; keepPrevious?: boolean }> = {},
) {
  return useQuery<MethodResult<M>>({
    queryKey: apiQueryKey(method, args),
    queryFn: () => invoke(method, args),
    enabled: options.enabled ?? true,
    refetchOnMount: options.refetchOnMount ?? true,
    ...(options.keepPrevious ? { placeholderData: keepPreviousData } : {}),
  });
}

/** A write through the contract; on success the queries of the `invalidates` methods are fetched again. */
export function useApiMutation<M extends MethodName>(method: M, options: Readonly<{ invalidates?: readonly MethodName[] }> = {}) {
  const client = useQueryClient();
  return useMutation<MethodResult<M>, Error, MethodArgs<M>>({
    mutationFn: (args) => invoke(method, args),
    onSuccess: () => invalidateMethods(client, options.invalidates ?? []),
  });
}

/** A UI action that reports its own outcome (toasts, refreshes) as a mutation: `busy` while it runs; `onDone` gets its result. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>, onDone?: (result: R) => void) {
  const m = useMutation({ mutationFn: (args: A) => action(...args), ...(onDone ? { onSuccess: onDone } : {}) });
  return { run: (...args: A) => m.mutate(args), busy: m.isPending };
}

export function invalidateMethods(client: QueryClient, methods: readonly MethodName[]): Promise<void> {
  if (methods.length === 0) return Promise.resolve();
  const wanted = new Set<string>(methods);
  return client.invalidateQueries({ predicate: (q) => wanted.has(String(q.queryKey[0])) });
}

/** Reads that show a transaction's state: a `rows:changed` for those transactions makes them stale. */
const ROW_QUERIES: ReadonlySet<MethodName> = new Set<MethodName>([
  'grid:detail',
  'posting:failed',
  'refunds:list',
  'refunds:refundable',
  'controls:list',
  'controls:preview',
  'conflicts:list',
  'matches:undoAvailable',
  'erp:mappingPreview',
  'workspace:offlineState',
  // The approvals inbox and its top-bar counts: any change of a transaction may add or decide an item.
  'inbox:list',
  'inbox:counts',
]);

function transactionOf(query: Query): number | null {
  const args = query.queryKey[1];
  if (typeof args !== 'object' || args === null || !('transactionId' in args)) return null;
  const id = (args as { transactionId?: unknown }).transactionId;
  return typeof id === 'number' ? id : null;
}

/** Whether a `rows:changed` event concerns this query: lists always, one transaction's reads only when it changed. */
export function rowsChangedTouches(query: Query, event: ApiEvents['rows:changed']): boolean {
  if (!ROW_QUERIES.has(query.queryKey[0] as MethodName)) return false;
  if (event.transactionIds === null) return true;
  const id = transactionOf(query);
  return id === null || event.transactionIds.includes(id);
}

/** Two rows:changed events as one: the union of their transactions, or all when either says all. */
export function mergeRowsChanged(a: ApiEvents['rows:changed'], b: ApiEvents['rows:changed']): ApiEvents['rows:changed'] {
  if (a.transactionIds === null || b.transactionIds === null) return { transactionIds: null };
  return { transactionIds: [...new Set([...a.transactionIds, ...b.transactionIds])] };
}

/** How long bursts of rows:changed (a sync upserts in batches) are gathered into one invalidation. */
const ROWS_CHANGED_COALESCE_MS = 150;

/** Subscribes the query cache to the engine's events; returns the unsubscribe. */
export function connectQueriesToEvents(client: QueryClient): () => void {
  // sync:status and posting:status feed the banner and footer through the data
  // store; no query reads them.
  let pending: ApiEvents['rows:changed'] | null = null;
  let timer: number | null = null;
  const flush = () => {
    timer = null;
    const event = pending;
    pending = null;
    if (event) void client.invalidateQueries({ predicate: (q) => rowsChangedTouches(q, event) });
  };
  const off = subscribe('rows:changed', (event) => {
    pending = pending ? mergeRowsChanged(pending, event) : event;
    if (timer === null) timer = window.setTimeout(flush, ROWS_CHANGED_COALESCE_MS);
  });
  return () => {
    off();
    if (timer !== null) window.clearTimeout(timer);
  };
}

/** Puts a write's reply into the cache as the answer of a read (the engine replied with the new state). */
export function setApiQueryData<M extends MethodName>(client: QueryClient, method: M, args: MethodArgs<M>, value: MethodResult<M>): void {
  client.setQueryData(apiQueryKey(method, args), value);
}
