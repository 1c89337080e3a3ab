import { describe, expect, it } from 'vitest';
import { apiContract, ApiFailure, METHOD_NAMES } from '../../shared/api-contract';
import { createDispatcher, type ApiHandlers } from '../../electron/core/api/dispatch';
import { silentLogger } from '../../electron/core/log/logger';

const calls: Array<[string, unknown]> = [];
const handlers = Object.fromEntries(
  METHOD_NAMES.map((m) => [
    m,
    (args: unknown) => {
      calls.push([m, args]);
      if (m === 'grid:detail') throw new ApiFailure('not_found', 'no such transaction');
      if (m === 'sync:now') throw new Error('boom with details');
      return { echoed: args };
    },
  ]),
) as unknown as ApiHandlers;
const dispatch = createDispatcher(handlers, silentLogger);

describe('API contract validation', () => {
  it('every method has an argument schema', () => {
    for (const m of METHOD_NAMES) expect(apiContract[m].args).toBeDefined();
  });

  it('passes valid arguments to the handler and wraps the value', async () => {
    await expect(dispatch('matches:approve', { transactionIds: [1, 2] })).resolves.toEqual({ ok: true, value: { echoed: { transactionIds: [1, 2] } } });
  });

  it('refuses invalid arguments before any handler runs', async () => {
    calls.length = 0;
    const bad = [
      ['matches:approve', { transactionIds: [] }],
      ['matches:approve', { transactionIds: [1.5] }],
      ['matches:approve', { transactionIds: ['1'] }],
      ['grid:rows', { extra: true }],
      ['credentials:set', { connection: 'paytrace', username: 'u' }],
      ['credentials:set', { connection: 'bank', username: 'u', password: 'p' }],
      ['settings:save', { sync: { intervalMinutes: 0 } }],
    ] as const;
    for (const [m, a] of bad) {
      const r = await dispatch(m, a);
      expect(r.ok, `${m} ${JSON.stringify(a)}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid_args');
    }
    expect(calls).toEqual([]);
  });

  it('names unknown methods and maps handler failures to codes', async () => {
    expect(await dispatch('fs:read', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await dispatch('grid:detail', { transactionId: 9 })).toEqual({ ok: false, error: { code: 'not_found', message: 'no such transaction' } });
    expect(await dispatch('sync:now', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
