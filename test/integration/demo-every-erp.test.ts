import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERP_KINDS } from '../../electron/core/erp/connector';
import { openTestEngine, tempDir, testSecretStore } from './support/engine';
import { runDemoSandboxes } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows, statusCounts } from '../../electron/core/store/queries/matches';

// Demo mode runs against every ERP kind: the same demo week, synced, matched,
// approved and posted through that kind's connector to its sandbox.

const secretStore = testSecretStore();

describe.each(ERP_KINDS)('demo mode against %s', (kind) => {
  it('syncs, auto-matches, approves and posts every auto match once', async () => {
    const workDir = tempDir(`demo-${kind}`);
    const demo = await runDemoSandboxes({ erpKind: kind, seed: 3, payments: 80, workDir });
    const engine = await openTestEngine(demo.descriptor, { dataDir: join(workDir, 'data'), secretStore });
    try {
      const status = await engine.sync.runOnce();
      expect(status.erp.reachability, status.lastError ?? '').toBe('online');
      const auto = gridRows(engine.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);
      expect(auto.length).toBeGreaterThan(20);
      const approved = await engine.dispatch('matches:approve', { transactionIds: auto });
      expect(approved.ok, JSON.stringify(approved)).toBe(true);
      await engine.worker.idle();
      for (let i = 0; i < 20 && statusCounts(gridRows(engine.db)).posted < auto.length; i++) {
        await engine.worker.drain();
        if (statusCounts(gridRows(engine.db)).posted < auto.length) await new Promise((r) => setTimeout(r, 500));
      }
      const counts = statusCounts(gridRows(engine.db));
      expect(counts.failed).toBe(0);
      expect(counts.posted).toBe(auto.length);
      // Every posted payment is found in the ERP by its reference, once.
      const connector = await engine.erpConnector();
      for (const id of auto.slice(0, 5)) expect(await connector.findReceipt(String(id)), `receipt ${id}`).not.toBeNull();
    } finally {
      await engine.close();
      await demo.close();
    }
  }, 120_000);
});
