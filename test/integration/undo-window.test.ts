import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { manualClock } from '../../electron/core/clock';
import { openTestEngine, value } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import type { ApproveResult, PostingSummary } from '../../shared/api-contract';

// Issue 15: a clerk's bulk approval waits out the undo window in the outbox.
// Over real HTTP to the P21 sandbox: nothing reaches the ERP during the window,
// Ctrl+Z (matches:undo) takes the whole batch back, and a batch left alone
// posts exactly once after the window. The window is the stored setting (60 s
// by default); the engine's clock is moved, never slept on.

let demo: RunningDemo;
let engine: Engine;
const clock = manualClock(Date.now());

async function receiptsFor(ids: readonly number[]): Promise<number> {
  let n = 0;
  for (const id of ids) n += ((await axios.post(`${demo.descriptor.erp.baseUrl}/__control/count-receipts`, { reference: String(id) })).data as { count: number }).count;
  return n;
}

const autoIds = (n: number) =>
  gridRows(engine.db)
    .filter((r) => r.status === 'auto')
    .slice(0, n)
    .map((r) => r.transactionId);

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 15, payments: 80 });
  // undefined: no override, the stored setting (the default window) decides.
  engine = await openTestEngine(demo.descriptor, { clock, undoWindowSeconds: undefined });
  await engine.sync.runOnce();
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('the undo window of a bulk approval', () => {
  it('is 60 seconds on a new installation', async () => {
    const view = value<{ settings: { sync: { undoWindowSeconds: number } } }>(await engine.dispatch('settings:get', {}));
    expect(view.settings.sync.undoWindowSeconds).toBe(60);
  });

  it('holds the batch, sends nothing during the window, and undo takes every row back', async () => {
    const ids = autoIds(5);
    expect(ids.length).toBe(5);
    const result = value<ApproveResult>(await engine.dispatch('matches:approve', { transactionIds: ids }));
    expect(result.approved).toEqual(ids);
    expect(Date.parse(result.postsAt!)).toBe(clock.now() + 60_000);

    const waiting = value<PostingSummary>(await engine.dispatch('posting:status', {}));
    expect(waiting.waiting).toEqual({ count: 5, until: result.postsAt });

    clock.advance(59_000);
    await engine.worker.drain();
    expect(await receiptsFor(ids)).toBe(0);
    expect(gridRows(engine.db, ids).map((r) => r.status)).toEqual(ids.map(() => 'approved'));

    const undone = value<{ undone: string | null; transactionIds: number[] }>(await engine.dispatch('matches:undo', {}));
    expect(undone.transactionIds).toEqual(ids);
    expect(gridRows(engine.db, ids).map((r) => r.status)).toEqual(ids.map(() => 'auto'));
    expect(engine.db.prepare(`SELECT COUNT(*) FROM outbox WHERE transaction_id IN (${ids.join(',')})`).pluck().get()).toBe(0);

    // Long after the window: the ERP never heard of them.
    clock.advance(120_000);
    await engine.worker.drain();
    expect(await receiptsFor(ids)).toBe(0);
  });

  it('posts a batch left alone exactly once, after the window, and undo then says posting has started', async () => {
    const ids = autoIds(3);
    value<ApproveResult>(await engine.dispatch('matches:approve', { transactionIds: ids }));
    clock.advance(30_000);
    await engine.worker.drain();
    expect(await receiptsFor(ids)).toBe(0);

    clock.advance(31_000);
    await engine.worker.drain();
    expect(await receiptsFor(ids)).toBe(ids.length);
    expect(gridRows(engine.db, ids).map((r) => r.status)).toEqual(ids.map(() => 'posted'));
    expect(value<PostingSummary>(await engine.dispatch('posting:status', {})).waiting?.count).toBe(0);

    const refused = await engine.dispatch('matches:undo', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('has already started') } });
    await engine.worker.drain();
    expect(await receiptsFor(ids)).toBe(ids.length);
  });

  it('refuses to undo a row a worker has claimed, even inside the window', async () => {
    const [id] = autoIds(1);
    value<ApproveResult>(await engine.dispatch('matches:approve', { transactionIds: [id!] }));
    // A lane of another workstation holds the lease (the claim can win the race with the clerk's Ctrl+Z).
    engine.db.prepare('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE transaction_id = ?').run('other-lane', new Date(clock.now() + 60_000).toISOString(), id);
    const refused = await engine.dispatch('matches:undo', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(gridRows(engine.db, [id!])[0]!.status).toBe('approved');
    engine.db.prepare('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE transaction_id = ?').run(id);
  });
});
