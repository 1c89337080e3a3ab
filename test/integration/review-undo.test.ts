import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine, value } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import { outboxCounts } from '../../electron/core/posting/outbox-worker';
import type { MatchOutcome } from '../../shared/domain';
import { approveMatches } from '../../electron/core/approval/approve';
import { restoreSnapshot, snapshotRows, UndoError } from '../../electron/core/review/undo';

let demo: RunningDemo;
let engine: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21, payments: 120 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
});
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});


describe('review workflow: pick a candidate, approve, undo step by step', () => {
  it('undoes an approval before posting starts, then the candidate choice', async () => {
    const row = gridRows(engine.db).find((r) => r.status === 'auto')!;
    const detail = value<{ outcome: MatchOutcome }>(await engine.dispatch('grid:detail', { transactionId: row.transactionId }));
    expect(detail.outcome.candidates.length).toBeGreaterThan(0);

    value(await engine.dispatch('matches:pickCandidate', { transactionId: row.transactionId, candidateIndex: 0 }));
    expect(gridRows(engine.db, [row.transactionId])[0]!.status).toBe('review');
    expect(value<{ label: string | null }>(await engine.dispatch('matches:undoAvailable', {})).label).toContain('candidate choice');

    value(await engine.dispatch('matches:approve', { transactionIds: [row.transactionId] }));
    // Approving kicks the worker; once it has posted, undo must refuse rather than rewind.
    await engine.worker.idle();
    expect(gridRows(engine.db, [row.transactionId])[0]!.status).toBe('posted');
    const refused = await engine.dispatch('matches:undo', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('undo of an approval whose posting has not started removes the queued posting; a started one refuses', () => {
    const [a, b] = gridRows(engine.db).filter((r) => r.status === 'auto');
    const before = outboxCounts(engine.db);
    // Store-level approval (no worker kick), so the order is deterministic.
    const snapA = snapshotRows(engine.db, [a!.transactionId]);
    approveMatches(engine.db, [a!.transactionId], 'clerk', 'America/Los_Angeles');
    expect(outboxCounts(engine.db).queued).toBe(before.queued + 1);
    restoreSnapshot(engine.db, { label: 'approve', transactionIds: [a!.transactionId], snapshot: snapA, at: '' }, 'clerk');
    expect(gridRows(engine.db, [a!.transactionId])[0]!.status).toBe('auto');
    expect(outboxCounts(engine.db).queued).toBe(before.queued);

    const snapB = snapshotRows(engine.db, [b!.transactionId]);
    approveMatches(engine.db, [b!.transactionId], 'clerk', 'America/Los_Angeles');
    engine.db.prepare("UPDATE outbox SET state = 'sending', attempts = 1 WHERE transaction_id = ?").run(b!.transactionId);
    expect(() => restoreSnapshot(engine.db, { label: 'approve', transactionIds: [b!.transactionId], snapshot: snapB, at: '' }, 'clerk')).toThrow(UndoError);
    expect(gridRows(engine.db, [b!.transactionId])[0]!.status).toBe('approved');
  });

  it('undoes an exception reason and a note', async () => {
    const row = gridRows(engine.db).find((r) => r.status === 'exception' || r.status === 'review')!;
    value(await engine.dispatch('matches:note', { transactionId: row.transactionId, note: 'called the customer' }));
    expect(gridRows(engine.db, [row.transactionId])[0]!.note).toBe('called the customer');
    expect(value<{ undone: string | null }>(await engine.dispatch('matches:undo', {})).undone).toContain('note');
    expect(gridRows(engine.db, [row.transactionId])[0]!.note ?? null).toBeNull();
  });
});
