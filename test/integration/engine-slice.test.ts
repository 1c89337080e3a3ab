import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine, tempDir, testSecretStore } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows, statusCounts } from '../../electron/core/store/queries/matches';
import { verifyAudit } from '../../electron/core/audit/audit-log';

// The whole slice over real HTTP, a real SQLite file and the real keychain:
// PayTrace sandbox → sync → match → approve → outbox → P21 sandbox, then a
// restart on the same data folder that must not post anything again.

const secretStore = testSecretStore();
let demo: RunningDemo;
const dataDir = tempDir('slice');

async function open(): Promise<Engine> {
  return openTestEngine(demo.descriptor, { dataDir, secretStore, actor: 'test-clerk' });
}

async function receiptsFor(reference: string): Promise<number> {
  const r = await axios.post(`${demo.descriptor.erp.baseUrl}/__control/count-receipts`, { reference });
  return (r.data as { count: number }).count;
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 7 });
});
afterAll(async () => {
  await demo?.close();
});

describe('end-to-end slice with Prophet 21', () => {
  let autoIds: number[] = [];

  it('syncs the demo week and auto-matches the clean payments', async () => {
    const engine = await open();
    try {
      const status = await engine.sync.runOnce();
      expect(status.state).toBe('idle');
      expect(status.paytrace.reachability).toBe('online');
      expect(status.erp.reachability).toBe('online');
      const rows = gridRows(engine.db);
      expect(rows).toHaveLength(demo.world.payments.length);
      const byId = new Map(rows.map((r) => [r.transactionId, r]));
      // Every clean payment (exact reference, exact amount) is automatic unless PayTrace refunded it; nothing declined, voided, refunded or a refund is.
      const refunded = new Set(demo.world.payments.map((p) => p.refundOf).filter((id): id is number => id !== null));
      expect(refunded.size).toBeGreaterThan(0);
      for (const p of demo.world.payments) {
        const row = byId.get(p.transactionId)!;
        if (refunded.has(p.transactionId)) expect(row.status, `refunded sale ${p.transactionId}`).not.toBe('auto');
        else if (p.scenario === 'clean') expect(row.status, `payment ${p.transactionId}`).toBe('auto');
        if (p.scenario === 'declined' || p.scenario === 'voided' || p.scenario === 'refund') expect(row.status).toBe('exception');
        if (row.status === 'auto') expect([...row.matchedInvoices].sort()).toEqual([...p.intendedInvoices].sort());
      }
      autoIds = rows.filter((r) => r.status === 'auto').map((r) => r.transactionId);
      expect(autoIds.length).toBeGreaterThan(demo.world.payments.length / 2);
      // Sync is idempotent: a second run changes nothing.
      await engine.sync.runOnce();
      expect(gridRows(engine.db)).toHaveLength(demo.world.payments.length);
    } finally {
      await engine.close();
    }
  });

  it('approves the auto matches and posts each exactly once', async () => {
    const engine = await open();
    try {
      const approved = await engine.dispatch('matches:approve', { transactionIds: autoIds });
      expect(approved, JSON.stringify(approved).slice(0, 300)).toMatchObject({ ok: true });
      if (approved.ok) expect((approved.value as { approved: number[] }).approved).toHaveLength(autoIds.length);
      // Approving again is refused per row, never queued twice.
      const again = await engine.dispatch('matches:approve', { transactionIds: autoIds.slice(0, 3) });
      if (again.ok) expect((again.value as { skipped: unknown[] }).skipped).toHaveLength(3);
      const drained = await engine.worker.drain();
      expect(drained).toMatchObject({ posted: autoIds.length, dead: 0 });
      const counts = statusCounts(gridRows(engine.db));
      expect(counts.posted).toBe(autoIds.length);
      expect(counts.auto).toBe(0);
      for (const id of autoIds.slice(0, 40)) expect(await receiptsFor(String(id))).toBe(1);
      expect(verifyAudit(engine.db).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('after a restart on the same data folder nothing is posted again', async () => {
    const engine = await open();
    try {
      await engine.sync.runOnce();
      const drained = await engine.worker.drain();
      expect(drained).toEqual({ posted: 0, retrying: 0, dead: 0, unknown: 0 });
      expect(statusCounts(gridRows(engine.db)).posted).toBe(autoIds.length);
      const all = (await axios.post(`${demo.descriptor.erp.baseUrl}/__control/receipts`, {})).data as { receipts: Array<{ checkNumber: string }> };
      expect(all.receipts).toHaveLength(autoIds.length);
      expect(new Set(all.receipts.map((r) => r.checkNumber))).toEqual(new Set(autoIds.map(String)));
    } finally {
      await engine.close();
    }
  });
});
