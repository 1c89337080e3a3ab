import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { runDemoSandboxes } from '../../electron/sandboxes/demo/demo-sandboxes';
import { seededRandom } from '../../electron/sandboxes/kit/random';
import { writeWorkspaceLink, workspacePasswordAccount } from '../../electron/core/store/workspace-link';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { forgetFolderProfile } from '../../electron/core/vault/folder-identity';
import { chaosFaultPlan } from './run-chaos';
import { createWorkspaceDatabase } from '../support/workspace-database';
// @ts-expect-error plain ESM helper shared with the test suite and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

// The team chaos run: three workstations (three data folders, three engine
// processes) joined to one PostgreSQL workspace post the same approved
// receipts to one P21 sandbox at once, under the ERP fault plan, each process
// SIGKILLed at random moments and restarted on its folder. Then the ERP is
// compared with the approvals: every receipt booked once, none lost, and the
// sandbox's own count of committed receipts (commit-then-drop included) equal
// to the approvals.

export type TeamChaosOptions = Readonly<{
  seed: number;
  receipts: number;
  /** SIGKILLs per workstation before it is let run to the end. */
  killsPerStation: number;
  stations?: number;
  /** The range a process lives after it starts posting before its SIGKILL, in ms. */
  killWindowMs?: readonly [number, number];
  log?: (line: string) => void;
}>;

export type TeamChaosResult = Readonly<{
  expected: number;
  posted: number;
  duplicates: number;
  lost: number;
  /** Receipts the ERP sandbox booked (replies lost to commit-then-drop included). */
  erpCommitted: number;
  /** Receipts each workstation's log says it posted (a SIGKILL can cut the last log lines). */
  postedBy: readonly number[];
  /** Of those, posted by the fault-free runs after the chaos (the rest were posted under kills and faults). */
  postedAfterChaos: number;
  /** Receipts found booked by the look-up before a retry (sent, then the reply or the process was lost). */
  foundByLookUp: number;
  /** Receipts whose outbox row records more than one attempt (faults met before the post). */
  retried: number;
  /** Receipts posted as `tieout status` (read-only, no engine) reports them on the last workstation's joined folder. */
  statusPosted: number;
  killsDone: number;
  /** Runs that ended with the outbox drained (exit 0) before their kill. */
  cleanExits: number;
  seconds: number;
}>;

const root = resolve(__dirname, '../..');
const cli = join(root, 'out/engine/tieout.js');

type CliRun = { code: number | null; killed: boolean; out: string };

/**
 * A SIGKILL `afterMs` after the process's first receipt posted (its engine is
 * up and sending), or `fallbackMs` after its start when it never gets to post:
 * kills land while receipts are in flight, not only during start-up.
 */
type Kill = Readonly<{ afterMs: number; fallbackMs: number }>;
const POSTING_LINE = /"msg":"outbox \d+ posted as /;

function runCli(args: string[], kill?: Kill): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    let timer: NodeJS.Timeout | null = null;
    const arm = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, ms);
    };
    let armed = false;
    if (kill) arm(kill.fallbackMs);
    const take = (d: Buffer) => {
      out += d.toString();
      if (kill && !armed && POSTING_LINE.test(out)) {
        armed = true;
        arm(kill.afterMs);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      done({ code, killed, out });
    });
  });
}

function mustSucceed(what: string, r: CliRun): CliRun {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.out.trim().slice(-2000)}`);
  return r;
}

function logText(dataDir: string): string {
  const dir = join(dataDir, 'logs');
  return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('') : '';
}

/** Receipts a workstation's own log says it posted ("outbox N posted as …"). */
function postedInLog(dataDir: string): Set<number> {
  return new Set([...logText(dataDir).matchAll(/outbox (\d+) posted as /g)].map((m) => Number(m[1])));
}

/** Receipts a workstation found already booked when it looked before a retry (a lost reply, a kill mid-send). */
function foundByLookUpInLog(dataDir: string): number {
  return [...logText(dataDir).matchAll(/outbox \d+ posted as [^"]* \(found by look-up before retry\)/g)].length;
}

async function control<T>(baseUrl: string, route: string, init: RequestInit = { method: 'POST', body: '{}' }): Promise<T> {
  const res = await fetch(`${baseUrl}/__control/${route}`, { headers: { 'content-type': 'application/json' }, ...init });
  if (!res.ok) throw new Error(`sandbox control ${route}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function runTeamChaos(o: TeamChaosOptions): Promise<TeamChaosResult> {
  if (!existsSync(cli)) throw new Error('out/engine/tieout.js is missing: run `npm run build:engine` first');
  const log = o.log ?? (() => {});
  const stations = o.stations ?? 3;
  const [killMin, killMax] = o.killWindowMs ?? [0, 1500];
  const started = Date.now();
  const random = seededRandom(o.seed);
  const secrets = keytarSecretStore();

  const cluster = (await startPgCluster()) as { adminUrl: string; port: number; user: string; password: string; stop(): void };
  const dir = mkdtempSync(join(tmpdir(), 'tieout-team-chaos-'));
  const dataDirs = Array.from({ length: stations }, (_, i) => join(dir, `station-${i + 1}`));
  const link = await createWorkspaceDatabase(cluster, 'chaos team', 'tieout_team');
  const account = workspacePasswordAccount(link);
  let demo: Awaited<ReturnType<typeof runDemoSandboxes>> | null = null;
  try {
    await secrets.set(account, cluster.password);
    for (const d of dataDirs) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      writeWorkspaceLink(d, link);
    }

    // Enough demo payments that at least `receipts` of them match automatically.
    demo = await runDemoSandboxes({ erpKind: 'p21', seed: o.seed, payments: Math.ceil(o.receipts / 0.6) + 20 });
    const erp = demo.descriptor.erp.baseUrl;
    const sandboxFile = join(dir, 'sandboxes.json');
    writeFileSync(sandboxFile, JSON.stringify(demo.descriptor), { mode: 0o600 });
    const common = (d: string) => ['--data-dir', d, '--sandbox-file', sandboxFile];
    const posting = (d: string) => [...common(d), '--erp-timeout-ms', '1500', '--backoff-ms', '50', '--max-attempts', '10000', '--concurrency', '2'];

    // Each workstation syncs once (the first creates the workspace's schema and its demo data), then one approves;
    // the workspace shares the approvals with the others.
    for (const d of dataDirs) mustSucceed(`sync on ${d}`, await runCli(['sync', '--once', ...common(d)]));
    const approve = mustSucceed('approve', await runCli(['approve', '--status', 'auto', '--limit', String(o.receipts), ...common(dataDirs[0]!)]));
    log(`approved: ${approve.out.trim()}`);

    const before = await control<{ receiptsCommitted: number }>(erp, 'stats');
    await control(erp, 'faults', { method: 'POST', body: JSON.stringify(chaosFaultPlan(o.seed)) });

    let killsDone = 0;
    let cleanExits = 0;
    const station = async (i: number): Promise<void> => {
      const d = dataDirs[i]!;
      let kills = 0;
      while (kills < o.killsPerStation) {
        const t0 = Date.now();
        const r = await runCli(['post', '--until-done', '--verbose', ...posting(d)], { afterMs: random.int(killMin, killMax), fallbackMs: 12_000 });
        log(`station ${i + 1}: ${Date.now() - t0} ms, ${postedInLog(d).size} posted so far`);
        if (r.killed) {
          kills += 1;
          killsDone += 1;
        } else if (r.code === 0) {
          cleanExits += 1;
          break; // the outbox is drained: nothing left for this workstation
        } else throw new Error(`station ${i + 1}: post exited ${r.code}: ${r.out.trim().slice(-2000)}`);
        log(`station ${i + 1} run: ${r.killed ? 'killed' : `exited ${r.code}`}`);
      }
    };
    await Promise.all(dataDirs.map((_, i) => station(i)));

    await control(erp, 'faults', { method: 'DELETE' });
    // Whatever the kills left (a lease, a receipt in unknown outcome) is finished by every workstation at once, fault-free.
    const finals = await Promise.all(dataDirs.map((d) => runCli(['post', '--until-done', ...posting(d)])));
    finals.forEach((f, i) => log(`station ${i + 1} final run: ${f.out.trim().split('\n').pop() ?? ''}`));
    finals.forEach((f, i) => mustSucceed(`station ${i + 1} final post`, f));
    const postedAfterChaos = finals.reduce((sum, f) => sum + ((JSON.parse(f.out.trim().split('\n').pop() ?? '{}') as { posted?: number }).posted ?? 0), 0);

    // The read-only CLI on a joined folder reads the workspace, not the folder's (absent) SQLite file.
    const status = mustSucceed('status', await runCli(['status', '--json', '--data-dir', dataDirs[stations - 1]!]));
    const statusPosted = (JSON.parse(status.out.trim().split('\n').pop() ?? '{}') as { posting?: { posted?: number } }).posting?.posted ?? -1;

    const pgc = new Client({ host: link.host, port: link.port, database: link.database, user: link.user, password: cluster.password });
    await pgc.connect();
    const approved = (
      await pgc.query<{ k: string; id: number; state: string }>("SELECT idempotency_key AS k, id, state FROM outbox WHERE kind = 'receipt'")
    ).rows;
    const sent = (await pgc.query<{ n: string }>("SELECT COUNT(*) AS n FROM (SELECT outbox_id FROM outbox_attempts GROUP BY outbox_id HAVING COUNT(*) > 1) x")).rows[0]!.n;
    await pgc.end();

    const receipts = (await control<{ receipts: Array<{ checkNumber: string }> }>(erp, 'receipts')).receipts;
    const after = await control<{ receiptsCommitted: number }>(erp, 'stats');
    const perRef = new Map<string, number>();
    for (const r of receipts) perRef.set(r.checkNumber, (perRef.get(r.checkNumber) ?? 0) + 1);
    const keys = new Set(approved.map((r) => r.k));
    const expected = approved.length;
    const posted = approved.filter((r) => (perRef.get(r.k) ?? 0) > 0).length;
    const duplicates = [...perRef.values()].reduce((s, n) => s + Math.max(0, n - 1), 0) + [...perRef.keys()].filter((k) => !keys.has(k)).length;
    return {
      expected,
      posted,
      duplicates,
      lost: expected - posted,
      erpCommitted: after.receiptsCommitted - before.receiptsCommitted,
      postedBy: dataDirs.map((d) => postedInLog(d).size),
      postedAfterChaos,
      foundByLookUp: dataDirs.reduce((sum, d) => sum + foundByLookUpInLog(d), 0),
      retried: Number(sent),
      statusPosted,
      killsDone,
      cleanExits,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await demo?.close();
    for (const d of dataDirs) await forgetFolderProfile(secrets, d).catch(() => {});
    await secrets.delete(account).catch(() => {});
    cluster.stop();
    if (!process.env.TIEOUT_CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}
