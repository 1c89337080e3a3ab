import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../electron/core/engine';
import { runDemoSandboxes } from '../electron/core/demo/demo-sandboxes';
import { silentLogger } from '../electron/core/log/logger';
import { gridRows } from '../electron/core/store/queries/matches';
import { approveMatches } from '../electron/core/approval/approve';
import { keytarSecretStore } from '../electron/core/vault/keytar-store';
import type { FaultRule } from '../electron/core/sandbox-kit/faults';

// Posting throughput: 1,000 receipts to the P21 sandbox, fault-free and with
// a 10% fault rate (500s, resets, replies lost after commit), same process.

export type PostingBench = Readonly<{ label: string; receipts: number; seconds: number; perSecond: number; posted: number; sends: number }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(label: string, receipts: number, faults: FaultRule[]): Promise<PostingBench> {
  const demo = await runDemoSandboxes({ erpKind: 'p21', seed: 99, payments: Math.ceil(receipts / 0.6) + 50 });
  const engine = await createEngine({
    dataDir: mkdtempSync(join(tmpdir(), 'tieout-bench-')),
    shell: 'cli',
    background: false,
    logger: silentLogger,
    secretStore: keytarSecretStore(`Tieout-bench-${randomBytes(4).toString('hex')}`),
    sandbox: demo.descriptor,
    posting: { backoffBaseMs: 20, maxAttempts: 1000, erpTimeoutMs: 2000, concurrency: 4 },
  });
  try {
    await engine.sync.runOnce();
    const ids = gridRows(engine.db).filter((r) => r.status === 'auto').map((r) => r.transactionId).slice(0, receipts);
    // Approved straight in the store (the API would kick the worker before the clock starts).
    approveMatches(engine.db, ids, 'bench', engine.settings().sync.merchantZone);
    await fetch(`${demo.descriptor.erp.baseUrl}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1, rules: faults }) });
    const started = performance.now();
    let posted = 0;
    for (;;) {
      posted += (await engine.worker.drain()).posted;
      const next = engine.worker.nextDueAt();
      if (next === null) break;
      await sleep(Math.max(5, Date.parse(next) - Date.now()));
    }
    const seconds = (performance.now() - started) / 1000;
    const stats = (await (await fetch(`${demo.descriptor.erp.baseUrl}/__control/stats`, { method: 'POST', body: '{}' })).json()) as { transactionPosts: number };
    return { label, receipts: ids.length, seconds, perSecond: ids.length / seconds, posted, sends: stats.transactionPosts };
  } finally {
    await engine.close();
    await demo.close();
  }
}

export async function benchPosting(receipts = 1000): Promise<PostingBench[]> {
  // A short unreported run first, so JIT warm-up does not land on the baseline.
  await once('warm-up', Math.min(200, receipts), []);
  const clean = await once('fault-free', receipts, []);
  const faulty = await once('10% faults', receipts, [
    { fault: { kind: 'status', status: 500 }, method: 'POST', probability: 0.05 },
    { fault: { kind: 'reset' }, method: 'POST', probability: 0.02 },
    { fault: { kind: 'commit-then-drop' }, method: 'POST', pathPrefix: '/uiserver0/api/v2/transaction', probability: 0.03 },
  ]);
  return [clean, faulty];
}

if (require.main === module) {
  void benchPosting(Number(process.argv[2] ?? 1000)).then((runs) => {
    const [clean, faulty] = runs;
    for (const r of runs) {
      console.log(`posting ${r.label.padEnd(10)} ${r.receipts} receipts in ${r.seconds.toFixed(2)} s = ${r.perSecond.toFixed(0)}/s (ERP transaction calls: ${r.sends})`);
    }
    if (clean && faulty) console.log(`posting: time to drain with 10% faults = ${(faulty.seconds / clean.seconds).toFixed(2)}× the fault-free run`);
  });
}
