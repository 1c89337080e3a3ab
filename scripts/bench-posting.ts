import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../electron/core/engine';
import type { SandboxDescriptor } from '../electron/sandboxes/demo/demo-sandboxes';
import { silentLogger } from '../electron/core/log/logger';
import { gridRows } from '../electron/core/store/queries/matches';
import { approveMatches } from '../electron/core/approval/approve';
import { keytarSecretStore } from '../electron/core/vault/keytar-store';
import type { FaultRule } from '../electron/sandboxes/kit/faults';

// Posting throughput: 1,000 receipts to the P21 sandbox, fault-free and with
// a 10% fault rate (500s, resets, replies lost after commit), in one run.
// The sandboxes run in a child process (scripts/bench-posting-sandboxes.ts):
// the ERP's and PayTrace's own work is not the engine's, and in the same
// process it took about a third of the engine's event loop.

export type PostingBench = Readonly<{
  label: string;
  receipts: number;
  seconds: number;
  /** CPU seconds of the engine's process while draining: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  perSecond: number;
  posted: number;
  /** ERP posting calls counted at the sandbox (each commits a receipt). */
  sends: number;
  /** OData reads at the sandbox (look-ups, read-backs, the catch-up's open-item reads). */
  reads: number;
}>;

/** The targets: the faulty run drains in ≤ 10 s with exactly one posting call per receipt. */
const TARGET_SECONDS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the sandboxes in their own process; close() ends it. */
async function sandboxes(payments: number): Promise<{ descriptor: SandboxDescriptor; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-posting-sandboxes.ts'), '99', String(payments)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const descriptor = await new Promise<SandboxDescriptor>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.indexOf('\n');
      if (line >= 0) resolve(JSON.parse(out.slice(0, line)) as SandboxDescriptor);
    });
    child.once('exit', (code) => reject(new Error(`the sandboxes exited (${code}) before starting`)));
  });
  return {
    descriptor,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

async function once(label: string, receipts: number, faults: FaultRule[]): Promise<PostingBench> {
  const demo = await sandboxes(Math.ceil(receipts / 0.6) + 50);
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
    const before = (await (await fetch(`${demo.descriptor.erp.baseUrl}/__control/stats`, { method: 'POST', body: '{}' })).json()) as { odataReads: number; transactionPosts: number };
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let posted = 0;
    for (;;) {
      posted += (await engine.worker.drain()).posted;
      const next = engine.worker.nextDueAt();
      if (next === null) break;
      await sleep(Math.max(5, Date.parse(next) - Date.now()));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const stats = (await (await fetch(`${demo.descriptor.erp.baseUrl}/__control/stats`, { method: 'POST', body: '{}' })).json()) as { odataReads: number; transactionPosts: number };
    return {
      label,
      receipts: ids.length,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      perSecond: ids.length / seconds,
      posted,
      sends: stats.transactionPosts - before.transactionPosts,
      reads: stats.odataReads - before.odataReads,
    };
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
      console.log(
        `posting ${r.label.padEnd(10)} ${r.receipts} receipts in ${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} s CPU) = ${r.perSecond.toFixed(0)}/s (ERP posting calls: ${r.sends}, OData reads: ${r.reads})`,
      );
    }
    if (clean && faulty) {
      console.log(`posting: time to drain with 10% faults = ${(faulty.seconds / clean.seconds).toFixed(2)}× the fault-free run`);
      console.log(`posting 1,000 receipts under 10% faults: ${faulty.seconds.toFixed(2)} s (target ≤ ${TARGET_SECONDS} s) ${faulty.seconds <= TARGET_SECONDS ? 'MEETS' : 'SHORT'}`);
      console.log(`posting ERP posting calls under 10% faults: ${faulty.sends} (target ${faulty.receipts}) ${faulty.sends === faulty.receipts ? 'MEETS' : 'SHORT'}`);
    }
  });
}
