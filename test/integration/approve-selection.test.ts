import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { ApproveResult } from '../../shared/api-contract';
import type { GridView } from '../../shared/grid-view';
import { openTestEngine, value } from './support/engine';

// matches:approveSelection: the engine resolves "every row of this view but
// some" itself, so Ctrl+A on 100,000 rows never ships their ids.

let demo: RunningDemo;
let engine: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 31, payments: 120 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('matches:approveSelection', () => {
  it('approves exactly the rows of the view except the unticked ones, and is undoable as one step', async () => {
    const auto = gridRows(engine.db).filter((r) => r.status === 'auto');
    expect(auto.length).toBeGreaterThan(3);
    const threshold = [...auto].map((r) => r.amountCents).sort((a, b) => a - b)[Math.floor(auto.length / 2)]!;
    const view: GridView = { tab: 'auto', search: `amount>=${(threshold / 100).toFixed(2)}`, filters: [], sort: [] };
    const inView = auto.filter((r) => r.amountCents >= threshold).map((r) => r.transactionId);
    const except = inView[0]!;
    const result = value<ApproveResult>(await engine.dispatch('matches:approveSelection', { selection: { kind: 'view', view, exceptIds: [except] } }));
    expect([...result.approved].sort()).toEqual(inView.filter((id) => id !== except).sort());
    expect(gridRows(engine.db, [except])[0]!.status).toBe('auto');
    // Rows outside the view were not touched.
    const below = auto.filter((r) => r.amountCents < threshold).map((r) => r.transactionId);
    expect(gridRows(engine.db, below).every((r) => r.status === 'auto')).toBe(true);
    expect(value<{ label: string | null }>(await engine.dispatch('matches:undoAvailable', {})).label).toBe(`approve ${inView.length - 1} payment(s)`);
  });

  it('approves ticked ids like matches:approve, and the kept view counts follow the change', async () => {
    const [a] = gridRows(engine.db).filter((r) => r.status === 'auto');
    const view: GridView = { tab: 'auto', search: '', filters: [], sort: [] };
    const before = value<{ auto: number }>(await engine.dispatch('grid:viewCounts', { view }));
    expect(value<{ total: number }>(await engine.dispatch('grid:window', { view, offset: 0, limit: 1 })).total).toBe(before.auto);
    const result = value<ApproveResult>(await engine.dispatch('matches:approveSelection', { selection: { kind: 'ids', ids: [a!.transactionId] } }));
    expect(result.approved).toEqual([a!.transactionId]);
    // Counts are kept per view until the store changes: this approval changed it.
    expect(value<{ auto: number }>(await engine.dispatch('grid:viewCounts', { view })).auto).toBe(before.auto - 1);
    expect(value<{ total: number }>(await engine.dispatch('grid:window', { view, offset: 0, limit: 1 })).total).toBe(before.auto - 1);
  });

  it('refuses a search it cannot read rather than approving more than asked', async () => {
    const before = gridRows(engine.db).filter((r) => r.status === 'auto').length;
    const reply = await engine.dispatch('matches:approveSelection', { selection: { kind: 'view', view: { tab: 'auto', search: 'amount>abc', filters: [], sort: [] }, exceptIds: [] } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(gridRows(engine.db).filter((r) => r.status === 'auto').length).toBe(before);
  });
});
