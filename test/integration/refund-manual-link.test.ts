import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine, value } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import type { RefundTask } from '../../shared/domain';

// A clerk's word on which sale a refund belongs to overrides the rule, is
// audited, survives a sync, and can be taken back.

let demo: RunningDemo;
let engine: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21, payments: 200 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
});
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

const row = (id: number) => gridRows(engine.db, [id])[0]!;

describe('refunds:link', () => {
  it('unlinks, relinks and hands back to the rule; each step re-matches the sale', async () => {
    const refund = gridRows(engine.db).find((r) => r.exception === 'refund' && r.refundOf != null)!;
    expect(refund, 'the demo week holds a linked refund').toBeDefined();
    const saleId = refund.refundOf!;
    expect(row(saleId).exception).toBe('refunded');
    expect(row(saleId).refundedBy).toEqual([refund.transactionId]);

    const none = value<RefundTask>(await engine.dispatch('refunds:link', { transactionId: refund.transactionId, saleTransactionId: null }));
    expect(none.state).toBe('link_needed');
    expect(none.clerkLink).toMatchObject({ saleId: null });
    expect(row(saleId).exception).not.toBe('refunded');
    expect(row(saleId).refundedBy).toBeUndefined();
    expect(row(refund.transactionId).reason).toContain('a clerk recorded');

    // A sync keeps the clerk's word.
    await engine.sync.runOnce();
    expect(row(saleId).exception).not.toBe('refunded');

    const linked = value<RefundTask>(await engine.dispatch('refunds:link', { transactionId: refund.transactionId, saleTransactionId: saleId }));
    expect(linked.saleTransactionId).toBe(saleId);
    expect(row(saleId).exception).toBe('refunded');
    expect(row(refund.transactionId).reason).toContain('linked by a clerk');

    const ruled = value<RefundTask>(await engine.dispatch('refunds:link', { transactionId: refund.transactionId }));
    expect(ruled.clerkLink).toBeNull();
    expect(ruled.saleTransactionId).toBe(saleId);

    const audit = engine.db.prepare("SELECT action FROM audit WHERE object_id = ? AND action LIKE 'refund.%linked' ORDER BY id").all(String(refund.transactionId)) as Array<{ action: string }>;
    expect(audit.map((a) => a.action)).toEqual(['refund.linked', 'refund.linked', 'refund.unlinked']);
  });

  it('refuses what cannot be a refund of that sale, with the reason', async () => {
    const refund = gridRows(engine.db).find((r) => r.exception === 'refund')!;
    const sale = gridRows(engine.db).find((r) => r.status === 'auto')!;
    const notRefund = await engine.dispatch('refunds:link', { transactionId: sale.transactionId, saleTransactionId: refund.transactionId });
    expect(notRefund).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const later = gridRows(engine.db)
      .filter((r) => r.status === 'auto' && r.createdAt > refund.createdAt && r.amountCents >= refund.amountCents)
      .at(0);
    if (later) {
      const reply = await engine.dispatch('refunds:link', { transactionId: refund.transactionId, saleTransactionId: later.transactionId });
      expect(reply).toMatchObject({ ok: false, error: { code: 'conflict' } });
      if (!reply.ok) expect(reply.error.message).toContain('after refund');
    }
    const smaller = gridRows(engine.db).find((r) => r.status === 'auto' && r.createdAt < refund.createdAt && r.amountCents < refund.amountCents)!;
    const tooBig = await engine.dispatch('refunds:link', { transactionId: refund.transactionId, saleTransactionId: smaller.transactionId });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const declined = gridRows(engine.db).find((r) => r.exception === 'declined' && r.createdAt < refund.createdAt);
    if (declined) expect(await engine.dispatch('refunds:link', { transactionId: refund.transactionId, saleTransactionId: declined.transactionId })).toMatchObject({ ok: false });
  });
});
