import { QueryClient, type Query } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { apiQueryKey, mergeRowsChanged, rowsChangedTouches } from './query';

function cachedQuery(key: readonly unknown[]): Query {
  const client = new QueryClient();
  client.setQueryData(key, null);
  const query = client.getQueryCache().find({ queryKey: key, exact: true });
  if (!query) throw new Error('no query');
  return query;
}

describe('query keys and rows:changed invalidation', () => {
  it('keys a query by contract method and arguments', () => {
    expect(apiQueryKey('grid:detail', { transactionId: 7 })).toEqual(['grid:detail', { transactionId: 7 }]);
  });

  it('makes one transaction’s reads stale only when that transaction changed, lists always', () => {
    const detail7 = cachedQuery(apiQueryKey('grid:detail', { transactionId: 7 }));
    const failedList = cachedQuery(apiQueryKey('posting:failed', {}));
    const settings = cachedQuery(apiQueryKey('settings:get', {}));
    expect(rowsChangedTouches(detail7, { transactionIds: [7, 9] })).toBe(true);
    expect(rowsChangedTouches(detail7, { transactionIds: [8] })).toBe(false);
    expect(rowsChangedTouches(detail7, { transactionIds: null })).toBe(true);
    expect(rowsChangedTouches(failedList, { transactionIds: [8] })).toBe(true);
    // Settings do not follow the rows.
    expect(rowsChangedTouches(settings, { transactionIds: null })).toBe(false);
  });

  it('keeps the approvals inbox and its top-bar counts live: any changed transaction may add or decide an item', () => {
    for (const method of ['inbox:list', 'inbox:counts'] as const) expect(rowsChangedTouches(cachedQuery(apiQueryKey(method, {})), { transactionIds: [8] })).toBe(true);
  });

  it('gathers a burst of events into one: the union, or all when one says all', () => {
    expect(mergeRowsChanged({ transactionIds: [1, 2] }, { transactionIds: [2, 3] })).toEqual({ transactionIds: [1, 2, 3] });
    expect(mergeRowsChanged({ transactionIds: [1] }, { transactionIds: null })).toEqual({ transactionIds: null });
  });
});
