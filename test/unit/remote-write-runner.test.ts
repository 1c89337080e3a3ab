import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../electron/core/clock';
import { ErpError } from '../../electron/core/erp/errors';
import { backoffDelay } from '../../electron/core/remote-writes/backoff';
import { Breaker } from '../../electron/core/remote-writes/breaker';
import { sendExactlyOnce, type Stop } from '../../electron/core/remote-writes/exactly-once';
import { RemoteWriteRunner, type QueuedRow, type RunnerKind, type RunnerQueue } from '../../electron/core/remote-writes/runner';
import type { WaitingState, WriteState } from '../../electron/core/remote-writes/states';

// The runner against an in-memory queue and a scripted remote system, time on a
// manual clock: leases and backoff are moved through by hand, never slept.

type Row = QueuedRow & { next: number; leaseUntil: number; owner: string | null; ref: string; message?: string };
/** `partial-then-transient`: the remote books part of the write, then the reply fails as transient. */
type Reply = 'ok' | 'transient' | 'unknown' | 'lost-after-commit' | 'refused' | 'partial-then-transient' | 'unknown-not-booked';

function world(o: { rows: number; replies: (call: number) => Reply; maxAttempts?: number; leaseMs?: number; breakerThreshold?: number }) {
  const clock = manualClock();
  const rows: Row[] = Array.from({ length: o.rows }, (_, i) => ({ id: i + 1, attempts: 0, state: 'queued' as WriteState, next: 0, leaseUntil: 0, owner: null, ref: `R${i + 1}` }));
  const remote = new Map<string, string>();
  /** What the remote system saw, in order. */
  const log: Array<{ op: 'lookup' | 'send'; ref: string }> = [];
  let calls = 0;
  const unfinished = (r: Row) => ['queued', 'sending', 'retry_wait', 'unknown_outcome'].includes(r.state);
  const due = (r: Row, now: number) => unfinished(r) && r.next <= now && r.leaseUntil < now;
  const queue: RunnerQueue<Row> = {
    releaseAbandonedLeases: () => {},
    dueCount: (now) => rows.filter((r) => due(r, Date.parse(now))).length,
    nextDueAt: () => {
      const open = rows.filter(unfinished);
      return open.length ? new Date(Math.min(...open.map((r) => Math.max(r.next, r.leaseUntil)))).toISOString() : null;
    },
    claim: (owner, now, until) => {
      const r = rows.find((x) => due(x, Date.parse(now)));
      if (!r) return null;
      r.owner = owner;
      r.leaseUntil = Date.parse(until);
      return { ...r };
    },
    markSending: (row) => {
      const r = rows.find((x) => x.id === row.id)!;
      r.state = 'sending';
      r.attempts += 1;
    },
    reschedule: (row, state: WaitingState, next) => {
      const r = rows.find((x) => x.id === row.id)!;
      Object.assign(r, { state, next: Date.parse(next), leaseUntil: 0, owner: null });
    },
  };
  const end = (row: Row, state: WriteState) => Object.assign(rows.find((x) => x.id === row.id)!, { state, leaseUntil: 0, owner: null });
  const kind: RunnerKind<Row, null> = {
    write: (row) => ({
      mayHaveBeenSent: row.attempts > 0 || row.state === 'sending' || row.state === 'unknown_outcome',
      lookup: async () => {
        log.push({ op: 'lookup', ref: row.ref });
        const id = remote.get(row.ref);
        if (id === 'PARTIAL') throw new ErpError('partial', `Partial booking of ${row.ref}`);
        return id ? { erpDocumentId: id } : null;
      },
      send: async () => {
        log.push({ op: 'send', ref: row.ref });
        const reply = o.replies(calls++);
        if (reply === 'transient') throw new ErpError('transient', 'busy', { retryAfterSeconds: 3 });
        if (reply === 'refused') throw new ErpError('validation', 'no such customer');
        if (reply === 'unknown-not-booked') throw new ErpError('unknown_outcome', 'waiting for the lock-box upload');
        if (reply === 'partial-then-transient') {
          remote.set(row.ref, 'PARTIAL');
          throw new ErpError('transient', 'busy');
        }
        remote.set(row.ref, `DOC-${row.ref}`);
        if (reply === 'unknown') throw new ErpError('unknown_outcome', 'timeout');
        if (reply === 'lost-after-commit') throw new Error('socket hang up');
        return { erpDocumentId: `DOC-${row.ref}` };
      },
    }),
    done: (row) => end(row, 'posted'),
    stopped: (row, stop: Stop) => Object.assign(end(row, stop.state), { message: stop.message }),
  };
  const runner = new RemoteWriteRunner<Row, null>({
    queue,
    kindOf: () => kind,
    connection: async () => null,
    owner: 'test',
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1_000, maxMs: 60_000 },
    maxAttempts: o.maxAttempts ?? 8,
    leaseMs: o.leaseMs ?? 30_000,
    breakerThreshold: o.breakerThreshold ?? 1_000,
    breakerPauseMs: 10_000,
    concurrency: 2,
  });
  /** Drains until nothing is left, moving the clock to each next due time. */
  const runAll = async () => {
    for (let i = 0; i < 10_000; i++) {
      await runner.drain();
      const next = runner.nextDueAt();
      if (next === null) return;
      clock.set(Math.max(clock.now() + 1, Date.parse(next) + 1));
    }
    throw new Error('did not settle');
  };
  return { clock, rows, remote, log, runner, runAll };
}

/** Per reference: never two sends without a look-up between them. */
function sendsAreLookedUpBetween(log: ReadonlyArray<{ op: string; ref: string }>): boolean {
  const lastWasSend = new Map<string, boolean>();
  for (const e of log) {
    if (e.op === 'send' && lastWasSend.get(e.ref)) return false;
    lastWasSend.set(e.ref, e.op === 'send');
  }
  return true;
}

describe('remote-write runner', () => {
  it('sends a row that was never sent without a look-up', async () => {
    const w = world({ rows: 3, replies: () => 'ok' });
    await w.runAll();
    expect(w.log.filter((e) => e.op === 'lookup')).toHaveLength(0);
    expect(w.rows.map((r) => r.state)).toEqual(['posted', 'posted', 'posted']);
  });

  it('property: whatever the replies, never two sends of one row without a look-up between them, and each row ends in the remote at most once', async () => {
    const reply = fc.constantFrom<Reply>('ok', 'ok', 'ok', 'transient', 'unknown', 'lost-after-commit', 'refused');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(reply, { minLength: 1, maxLength: 40 }), async (n, replies) => {
        const w = world({ rows: n, replies: (i) => replies[i % replies.length]!, maxAttempts: 5 });
        await w.runAll();
        expect(sendsAreLookedUpBetween(w.log)).toBe(true);
        for (const r of w.rows) {
          expect(['posted', 'dead']).toContain(r.state);
          // A row in the remote is recorded as posted unless it was refused before reaching it.
          if (w.remote.has(r.ref)) expect(r.state).toBe('posted');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the step: a check that finds the write already there, or stops it, commits no intent and sends nothing', async () => {
    const calls: string[] = [];
    const base = {
      mayHaveBeenSent: false,
      lookup: async () => (calls.push('lookup'), null),
      commitSending: () => void calls.push('commit'),
      send: async () => (calls.push('send'), { erpDocumentId: 'new' }),
    };
    expect(await sendExactlyOnce({ ...base, beforeSend: async () => ({ found: { erpDocumentId: 'D1' } }) })).toEqual({ outcome: 'found', doc: { erpDocumentId: 'D1' } });
    expect(await sendExactlyOnce({ ...base, beforeSend: async () => ({ state: 'conflict' as const, message: 'changed' }) })).toMatchObject({ outcome: 'stopped' });
    expect(calls).toEqual([]);
    expect(await sendExactlyOnce({ ...base, send: async () => Promise.reject(new Error('reset')) })).toMatchObject({ outcome: 'failed', sent: true });
    expect(calls).toEqual(['commit']);
  });

  it('a lease that expired mid-send is looked up before any resend', async () => {
    const w = world({ rows: 1, replies: () => 'ok' });
    // A first worker claimed the row, committed "sending" and was never heard from again.
    Object.assign(w.rows[0]!, { state: 'sending', attempts: 1, owner: 'crashed', leaseUntil: w.clock.now() + 30_000 });
    w.remote.set('R1', 'DOC-R1');
    await w.runner.drain();
    expect(w.log).toEqual([]); // still leased
    w.clock.advance(30_001);
    await w.runner.drain();
    expect(w.log).toEqual([{ op: 'lookup', ref: 'R1' }]);
    expect(w.rows[0]!.state).toBe('posted');
  });

  // Found by the property above (seed 2047768114): a send whose connection dropped
  // after the remote committed reads as transient; when it was the last allowed
  // attempt the row went dead although the remote held it.
  it('looks the row up before dead-lettering it, so a last send that arrived is recorded as posted', async () => {
    const replies: Reply[] = ['lost-after-commit', 'transient', 'transient'];
    const w = world({ rows: 4, replies: (i) => replies[i % replies.length]!, maxAttempts: 5 });
    await w.runAll();
    expect(sendsAreLookedUpBetween(w.log)).toBe(true);
    for (const r of w.rows) if (w.remote.has(r.ref)) expect(r.state).toBe('posted');
  });

  it('a partial booking found by the last look-up is what the dead letter says, never "posted"', async () => {
    for (const maxAttempts of [1, 3]) {
      const w = world({ rows: 1, replies: () => 'partial-then-transient', maxAttempts });
      await w.runAll();
      expect(w.rows[0]!.state).toBe('dead');
      expect(w.rows[0]!.message).toBe('Partial booking of R1');
      expect(w.log.filter((e) => e.op === 'send')).toHaveLength(1);
    }
  });

  it('an outcome that stays unknown (a person must act in the ERP) is looked up ever less often, never dead-lettered', async () => {
    const w = world({ rows: 1, replies: () => 'unknown-not-booked', maxAttempts: 3 });
    const waits: number[] = [];
    for (let round = 0; round < 12; round++) {
      await w.runner.drain();
      const row = w.rows[0]!;
      expect(row.state).toBe('unknown_outcome');
      waits.push(row.next - w.clock.now());
      w.clock.set(row.next + 1);
    }
    // This world's policy: base 1 s, ceiling 60 s, jitter at its middle.
    expect(waits[0]).toBeLessThanOrEqual(1_000);
    expect(waits[11]).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(60_000);
    expect(sendsAreLookedUpBetween(w.log)).toBe(true);
  });

  it('dead-letters a row after max attempts of transient failures, waiting at least Retry-After between them', async () => {
    const w = world({ rows: 1, replies: () => 'transient', maxAttempts: 3 });
    const start = w.clock.now();
    await w.runner.drain();
    expect(w.rows[0]!.state).toBe('retry_wait');
    expect(w.rows[0]!.next - start).toBeGreaterThanOrEqual(3_000);
    await w.runAll();
    expect(w.rows[0]!.state).toBe('dead');
    expect(w.log.filter((e) => e.op === 'send')).toHaveLength(3);
    expect(sendsAreLookedUpBetween(w.log)).toBe(true);
  });

  it('the breaker opens after the threshold, half-opens when the pause ends, and a success closes it', () => {
    const clock = manualClock();
    const b = new Breaker({ clock, threshold: 3, pauseMs: 10_000 });
    expect(b.failure(() => 'x')).toBe(false);
    expect(b.failure(() => 'x')).toBe(false);
    expect(b.state).toBe('closed');
    expect(b.failure((n) => `failed ${n} times`)).toBe(true);
    expect(b.state).toBe('open');
    expect(b.paused).toBe('failed 3 times');
    clock.advance(10_001);
    expect(b.state).toBe('half-open');
    expect(b.paused).toBeNull();
    // One failure while half-open opens it again at once.
    expect(b.failure(() => 'again')).toBe(true);
    expect(b.paused).toBe('again');
    clock.advance(10_001);
    b.success();
    expect(b.state).toBe('closed');
  });

  it('an open breaker stops the drain; rows wait for the pause to end', async () => {
    const w = world({ rows: 4, replies: (i) => (i < 2 ? 'transient' : 'ok'), breakerThreshold: 2 });
    await w.runner.drain();
    expect(w.runner.paused).toMatch(/failed 2 times/);
    w.clock.advance(5_000);
    const during = w.log.length;
    await w.runner.drain();
    expect(w.log.length).toBe(during);
    await w.runAll();
    expect(w.rows.every((r) => r.state === 'posted')).toBe(true);
  });

  it('backoff: jittered within [ceiling/2, ceiling], capped, never below Retry-After', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }), (attempt, r, retryAfter) => {
        const policy = { baseMs: 1_000, maxMs: 60_000 };
        const d = backoffDelay(attempt, policy, () => r, retryAfter);
        const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
        expect(d).toBeGreaterThanOrEqual(Math.max(ceiling / 2, (retryAfter ?? 0) * 1000) - 1);
        expect(d).toBeLessThanOrEqual(Math.max(ceiling, (retryAfter ?? 0) * 1000));
      }),
    );
  });
});
