import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStoreReadOnly } from '../../electron/core/store/db';
import { runDemoSandboxes } from '../../electron/sandboxes/demo/demo-sandboxes';
import { seededRandom } from '../../electron/sandboxes/kit/random';
import type { FaultRule } from '../../electron/sandboxes/kit/faults';

// The chaos run: approve N payments, post them to the P21 sandbox under a
// seeded fault plan while SIGKILLing the engine process at random moments and
// restarting it on the same data folder; then compare the ERP with the approvals.

export type ChaosOptions = Readonly<{ seed: number; receipts: number; kills: number; log?: (line: string) => void }>;
export type ChaosResult = Readonly<{ expected: number; posted: number; duplicates: number; lost: number; killsDone: number; seconds: number }>;

const root = resolve(__dirname, '../..');
const cli = join(root, 'out/engine/tieout.js');

function runCli(args: string[], killAfterMs?: number): Promise<{ code: number | null; killed: boolean; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let killed = false;
    const timer = killAfterMs === undefined ? null : setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      done({ code, killed, out });
    });
  });
}

export function chaosFaultPlan(seed: number): { seed: number; rules: FaultRule[] } {
  return {
    seed,
    rules: [
      { fault: { kind: 'latency', ms: 40 }, probability: 0.5 },
      { fault: { kind: 'status', status: 500 }, probability: 0.05 },
      { fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, probability: 0.03 },
      { fault: { kind: 'status', status: 503, retryAfterSeconds: 1 }, probability: 0.02 },
      { fault: { kind: 'reset' }, probability: 0.03 },
      { fault: { kind: 'timeout' }, probability: 0.01 },
      // The nasty one: the ERP commits the receipt and the reply is lost.
      { fault: { kind: 'commit-then-drop' }, method: 'POST', pathPrefix: '/uiserver0/api/v2/transaction', probability: 0.06 },
    ],
  };
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  if (!existsSync(cli)) throw new Error('out/engine/tieout.js is missing: run `npm run build` first');
  const log = o.log ?? (() => {});
  const started = Date.now();
  const random = seededRandom(o.seed);
  // Enough demo payments that at least `receipts` of them match automatically.
  const demo = await runDemoSandboxes({ erpKind: 'p21', seed: o.seed, payments: Math.ceil(o.receipts / 0.6) + 20 });
  const dir = mkdtempSync(join(tmpdir(), 'tieout-chaos-'));
  const sandboxFile = join(dir, 'sandboxes.json');
  writeFileSync(sandboxFile, JSON.stringify(demo.descriptor), { mode: 0o600 });
  const dataDir = join(dir, 'data');
  const common = ['--data-dir', dataDir, '--sandbox-file', sandboxFile];
  const posting = [...common, '--erp-timeout-ms', '1500', '--backoff-ms', '50', '--max-attempts', '10000', '--concurrency', '2'];
  try {
    const sync = await runCli(['sync', '--once', ...common]);
    if (sync.code !== 0) throw new Error(`sync failed: ${sync.out}`);
    const approve = await runCli(['approve', '--status', 'auto', '--limit', String(o.receipts), ...common]);
    if (approve.code !== 0) throw new Error(`approve failed: ${approve.out}`);
    log(`approved: ${approve.out.trim()}`);

    await fetch(`${demo.descriptor.erp.baseUrl}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chaosFaultPlan(o.seed)) });

    let killsDone = 0;
    while (killsDone < o.kills) {
      const r = await runCli(['post', '--until-done', ...posting], random.int(100, 1200));
      if (r.killed) killsDone += 1;
      else if (r.code === 0) break; // everything posted before the next kill
      log(`run ${killsDone}: ${r.killed ? 'killed' : `exited ${r.code}`}`);
    }
    await fetch(`${demo.descriptor.erp.baseUrl}/__control/faults`, { method: 'DELETE' });
    const final = await runCli(['post', '--until-done', ...posting]);
    log(`final run: ${final.out.trim().split('\n').pop()}`);

    // The folder's store as the engine opened it (its SQLite file, or its workspace database in the PostgreSQL run).
    const db = openStoreReadOnly(dataDir);
    const approved = (db.prepare("SELECT idempotency_key AS k FROM outbox WHERE kind = 'receipt'").all() as Array<{ k: string }>).map((r) => r.k);
    db.close();
    const receipts = ((await (await fetch(`${demo.descriptor.erp.baseUrl}/__control/receipts`, { method: 'POST', body: '{}' })).json()) as { receipts: Array<{ checkNumber: string }> }).receipts;
    const perRef = new Map<string, number>();
    for (const r of receipts) perRef.set(r.checkNumber, (perRef.get(r.checkNumber) ?? 0) + 1);
    const expected = approved.length;
    const posted = approved.filter((k) => (perRef.get(k) ?? 0) > 0).length;
    const duplicates = [...perRef.values()].reduce((s, n) => s + Math.max(0, n - 1), 0) + [...perRef.keys()].filter((k) => !approved.includes(k)).length;
    return { expected, posted, duplicates, lost: expected - posted, killsDone, seconds: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    await demo.close();
  }
}
