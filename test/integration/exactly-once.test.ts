import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/run-chaos';
import { openTestEngine, testSecretStore } from './support/engine';
import { runDemoSandboxes } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';

describe('exactly-once posting', () => {
  it('a short chaos run (SIGKILLs and a fault plan) ends with no duplicate and no lost receipt', async () => {
    const r = await runChaos({ seed: 11, receipts: 40, kills: 4 });
    expect(r.expected).toBe(40);
    expect(r.duplicates).toBe(0);
    expect(r.lost).toBe(0);
    expect(r.posted).toBe(40);
  }, 240_000);

  it('two workstations (two data folders, one ERP) approving the same payments post one receipt each', async () => {
    const demo = await runDemoSandboxes({ erpKind: 'p21', seed: 5, payments: 60 });
    const secretStore = testSecretStore();
    const open = () => openTestEngine(demo.descriptor, { secretStore });
    const [a, b] = [await open(), await open()];
    try {
      await a.sync.runOnce();
      await b.sync.runOnce();
      const ids = gridRows(a.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);
      expect(ids.length).toBeGreaterThan(10);
      // Approving kicks the worker; drain() joins that run.
      await a.dispatch('matches:approve', { transactionIds: ids });
      expect((await a.worker.drain()).dead).toBe(0);
      expect(gridRows(a.db).filter((r) => r.status === 'posted')).toHaveLength(ids.length);
      // B approved the same payments from its own (stale) data: its look-up finds every receipt A posted.
      await b.dispatch('matches:approve', { transactionIds: ids });
      expect((await b.worker.drain()).dead).toBe(0);
      expect(gridRows(b.db).filter((r) => r.status === 'posted')).toHaveLength(ids.length);
      const receipts = (await axios.post(`${demo.descriptor.erp.baseUrl}/__control/receipts`, {})).data as { receipts: Array<{ checkNumber: string }> };
      expect(receipts.receipts).toHaveLength(ids.length);
      const stats = (await axios.post(`${demo.descriptor.erp.baseUrl}/__control/stats`, {})).data as { transactionPosts: number };
      expect(stats.transactionPosts).toBe(ids.length);
    } finally {
      await a.close();
      await b.close();
      await demo.close();
    }
  });
});
