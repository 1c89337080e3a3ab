import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundView } from '@shared/api/refunds';
import { main } from '../../electron/cli/tieout';
import { runWorkspaceCommand } from '../../electron/cli/workspace-command';
import { auditBetween } from '../../electron/core/audit/audit-log';
import { systemClock } from '../../electron/core/clock';
import type { Engine } from '../../electron/core/engine';
import { DATABASE_FILE, type Db } from '../../electron/core/store/db';
import { openDataFolderStore } from '../../electron/core/store/open-data-folder';
import { TEST_WORKSPACE_ENV } from '../../electron/core/store/pg/open-workspace';
import { PgSyncClient } from '../../electron/core/store/pg/sync-client';
import { gridRows } from '../../electron/core/store/queries/matches';
import { readWorkspaceLink, workspacePasswordAccount } from '../../electron/core/store/workspace-link';
import { createWorkspace, issueJoinCode, joinWorkspace, leaveWorkspace, workspaceStatus, type WorkspaceTarget } from '../../electron/core/team/workspace-admin';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { openTestEngine, signedInCalls, testSecretStore } from './support/engine';

// Team set-up end to end on a real PostgreSQL server, the real keychain and the
// demo sandboxes over HTTP: a single-user folder with history (approvals,
// postings, a refund, its audit trail) is moved into a new workspace, the trail
// verifies there with `tieout audit verify --workspace` and a tampered row is
// named; a second workstation (its own keychain) joins with a join code and
// signs in as the users created on the first; leaving puts a folder back on
// its own SQLite store. The source folders are SQLite whatever the project:
// moving a single-user store is what is under test.

type Cluster = { adminUrl: string; port: number; user: string; password: string; stop(): void };
const PASSWORD = 'tieout-demo-pass';
const PASSPHRASE = 'correct horse battery staple';
const savedWorkspaceEnv = process.env[TEST_WORKSPACE_ENV];
let cluster: Cluster;
let demo: RunningDemo;
let dbCount = 0;

/** A new empty database in the test cluster; the connection target as an admin would type it. */
function newDatabase(): WorkspaceTarget {
  const name = `ws_${process.pid}_${++dbCount}`;
  const admin = new PgSyncClient({ connectionString: cluster.adminUrl, ssl: false });
  try {
    admin.run([{ sql: `CREATE DATABASE ${name}` }]);
  } finally {
    admin.close();
  }
  return { host: '127.0.0.1', port: cluster.port, database: name, user: cluster.user, ssl: 'disable' };
}

function superuser(t: WorkspaceTarget): PgSyncClient {
  return new PgSyncClient({ connectionString: `postgresql://${cluster.user}@127.0.0.1:${cluster.port}/${t.database}`, password: cluster.password, ssl: false });
}

const urlOf = (t: WorkspaceTarget) => `postgresql://${t.user}@${t.host}:${t.port}/${t.database}?sslmode=${t.ssl}`;

async function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
}

const tempFolder = (label: string) => mkdtempSync(join(tmpdir(), `tieout-ws-${label}-`));

beforeAll(async () => {
  // The folders under test start as single-user SQLite stores, also in the postgres project.
  delete process.env[TEST_WORKSPACE_ENV];
  cluster = (await startPgCluster()) as Cluster;
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 23 });
}, 120_000);

afterAll(async () => {
  await demo?.close();
  cluster?.stop();
  if (savedWorkspaceEnv !== undefined) process.env[TEST_WORKSPACE_ENV] = savedWorkspaceEnv;
});

/** A single-user folder with history: synced, auto matches approved and posted, one refund executed. */
async function folderWithHistory(): Promise<{ dataDir: string; posted: number; refundId: number }> {
  const dataDir = tempFolder('a');
  let engine: Engine | null = await openTestEngine(demo.descriptor, { dataDir, secretStore: keytarSecretStore(), actor: 'os-user', shell: 'web' });
  try {
    const e = engine;
    await e.sync.runOnce();
    const auto = gridRows(e.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);
    expect((await e.dispatch('matches:approve', { transactionIds: auto })).ok).toBe(true);
    await e.worker.drain();
    const { ok, signIn } = signedInCalls(() => e);
    await signIn(['clerk', 'supervisor'], PASSWORD);
    const sale = gridRows(e.db).find((r) => r.status === 'posted' && r.amountCents >= 500)!;
    const req = await ok<RefundView>('clerk', 'refunds:request', { transactionId: sale.transactionId, amountCents: 150, reasonCode: 'Overpayment', note: 'moved with the store' });
    const done = await ok<RefundView>('supervisor', 'refunds:approve', { refundId: req.id, password: PASSWORD });
    expect(['approved', 'executing', 'done']).toContain(done.state);
    await e.worker.drain();
    return { dataDir, posted: gridRows(e.db).filter((r) => r.status === 'posted').length, refundId: req.id };
  } finally {
    await engine?.close();
    engine = null;
  }
}

function tableCounts(db: { prepare(sql: string): { get(): unknown } }, tables: string[]): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]));
}

describe('moving a single-user store into a new workspace', () => {
  let source: Awaited<ReturnType<typeof folderWithHistory>>;
  let target: WorkspaceTarget;
  const secretStore = keytarSecretStore();

  beforeAll(async () => {
    source = await folderWithHistory();
    target = newDatabase();
  }, 180_000);

  it('copies every row, keeps the SQLite file, records the move, and the trail verifies with tieout audit verify --workspace', async () => {
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(join(source.dataDir, DATABASE_FILE), { readonly: true });
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]);
    const before = tableCounts(sqlite, tables);
    const lastAudit = (sqlite.prepare('SELECT MAX(id) AS id FROM audit').get() as { id: number }).id;
    sqlite.close();
    expect(before.audit).toBeGreaterThan(5);
    expect(before.refund_requests).toBe(1);

    const created = await createWorkspace({ dataDir: source.dataDir, secretStore, clock: systemClock, target, password: cluster.password, name: 'AR team', moveData: true, actor: 'cli:test' });
    expect(created.copied?.find((c) => c.table === 'audit')?.rows).toBe(before.audit);
    expect(readWorkspaceLink(source.dataDir)).toMatchObject({ name: 'AR team', database: target.database, ssl: 'disable' });
    expect(JSON.stringify(readWorkspaceLink(source.dataDir))).not.toContain(cluster.password);
    expect(await secretStore.get(workspacePasswordAccount(created.link))).toBe(cluster.password);
    expect(existsSync(join(source.dataDir, DATABASE_FILE))).toBe(true);

    const db = (await openDataFolderStore(source.dataDir, secretStore)) as Db;
    try {
      const after = tableCounts(db, tables);
      // Exactly one more audit entry (workspace.migrated) than the store had; every other table row for row.
      expect(after).toEqual({ ...before, audit: before.audit! + 1 });
      const moved = auditBetween(db, '2000-01-01', '2999-01-01').find((e) => e.action === 'workspace.migrated');
      expect(moved).toMatchObject({ id: lastAudit + 1, actor: 'cli:test' });
    } finally {
      db.close();
    }

    const verified = await cli(['audit', 'verify', '--workspace', urlOf(target), '--data-dir', source.dataDir]);
    expect(verified.err).toBe('');
    expect(verified.out).toMatch(/^audit OK: \d+ entries, chain intact; \d+ sealed with the audit key/);
    expect(verified.code).toBe(0);
    // From another folder the password comes from PGPASSWORD; it never appears in the output.
    const elsewhere = await cli(['audit', 'verify', '--workspace', urlOf(target), '--data-dir', tempFolder('x')], { PGPASSWORD: cluster.password });
    expect(elsewhere).toMatchObject({ code: 0 });
    expect(elsewhere.out + elsewhere.err).not.toContain(cluster.password);
  }, 120_000);

  it('the engine runs on the workspace: same rows, users sign in, new ids continue past the copied ones', async () => {
    const engine = await openTestEngine(demo.descriptor, { dataDir: source.dataDir, secretStore, actor: 'os-user', shell: 'web' });
    try {
      expect(gridRows(engine.db).filter((r) => r.status === 'posted').length).toBe(source.posted);
      const { ok, signIn } = signedInCalls(() => engine);
      await signIn(['clerk', 'supervisor'], PASSWORD);
      const refunds = await ok<RefundView[]>('clerk', 'refunds:list', {});
      expect(refunds.map((r) => r.id)).toContain(source.refundId);
      const sale = gridRows(engine.db).find((r) => r.status === 'posted' && r.amountCents >= 500 && !refunds.some((x) => x.transactionId === r.transactionId))!;
      const req = await ok<RefundView>('clerk', 'refunds:request', { transactionId: sale.transactionId, amountCents: 120, reasonCode: 'Overpayment' });
      // The identity was advanced past the copied rows: no primary-key clash, the next id.
      expect(req.id).toBe(source.refundId + 1);
    } finally {
      await engine.close();
    }
    const ok = await cli(['audit', 'verify', '--workspace', urlOf(target), '--data-dir', source.dataDir]);
    expect(ok.code).toBe(0);
  }, 120_000);

  it('tampering with one audit row in PostgreSQL (trigger disabled as superuser) is named by its entry', async () => {
    const su = superuser(target);
    let victim: number;
    try {
      victim = (su.run([{ sql: "SELECT id FROM audit WHERE action <> 'audit.keyed' ORDER BY id DESC OFFSET 3 LIMIT 1" }]).rows[0] as { id: number }).id;
      su.run([
        { sql: 'ALTER TABLE audit DISABLE TRIGGER USER' },
        { sql: `UPDATE audit SET actor = 'mallory' WHERE id = $1`, params: [victim] },
        { sql: 'ALTER TABLE audit ENABLE TRIGGER USER' },
      ]);
    } finally {
      su.close();
    }
    const broken = await cli(['audit', 'verify', '--workspace', urlOf(target), '--data-dir', source.dataDir]);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`audit BROKEN at entry ${victim}: entry ${victim} was altered`);
  }, 60_000);
});

describe('creating, joining and leaving', () => {
  const storeA = keytarSecretStore();
  const storeB = testSecretStore();

  it('refuses a database holding non-Tieout tables or another workspace, with a clear message', async () => {
    const foreign = newDatabase();
    const su = superuser(foreign);
    su.run([{ sql: 'CREATE TABLE customers (id int)' }]);
    su.close();
    const base = { secretStore: storeA, clock: systemClock, password: cluster.password, name: 'Team', moveData: false, actor: 'test' };
    await expect(createWorkspace({ ...base, dataDir: tempFolder('r1'), target: foreign })).rejects.toThrow(/already has tables that are not Tieout's \(customers\): create the workspace in an empty database/);
    const taken = newDatabase();
    await createWorkspace({ ...base, dataDir: tempFolder('r2'), target: taken, name: 'First team' });
    await expect(createWorkspace({ ...base, dataDir: tempFolder('r3'), target: taken })).rejects.toThrow(/already holds the Tieout workspace "First team": join it instead/);
    await expect(createWorkspace({ ...base, dataDir: tempFolder('r4'), target: newDatabase(), password: 'wrong' })).rejects.toThrow(/refused the password for user "tieout_test"/);
    // A user who may sign in but not create tables (PostgreSQL 15+: no CREATE on public by default) is told what to grant.
    const locked = newDatabase();
    const owner = superuser(locked);
    owner.run([{ sql: "CREATE ROLE reader_only LOGIN PASSWORD 'reader-pass-123'" }, { sql: `GRANT CONNECT ON DATABASE ${locked.database} TO reader_only` }]);
    owner.close();
    const folder = tempFolder('r5');
    await expect(createWorkspace({ ...base, dataDir: folder, target: { ...locked, user: 'reader_only' }, password: 'reader-pass-123' })).rejects.toThrow(
      /The database user "reader_only" may not create or change tables in "ws_\d+_\d+": make it the database's owner/,
    );
    expect(readWorkspaceLink(folder)).toBeNull();
  }, 60_000);

  let target: WorkspaceTarget;
  let folderA: string;
  let folderB: string;

  it('a second workstation joins with the join code; users and roles are the workspace’s', async () => {
    target = newDatabase();
    folderA = tempFolder('ja');
    folderB = tempFolder('jb');
    // Workstation A: a fresh workspace (no data moved); its engine seeds the demo users there.
    const created = await createWorkspace({ dataDir: folderA, secretStore: storeA, clock: systemClock, target, password: cluster.password, name: 'Joiners', moveData: false, actor: 'admin', joinPassphrase: PASSPHRASE });
    expect(created.joinCode).toMatch(/^tieout-join-1:/);
    const engineA = await openTestEngine(demo.descriptor, { dataDir: folderA, secretStore: storeA, actor: 'os-user', shell: 'web' });
    try {
      await engineA.sync.runOnce();
    } finally {
      await engineA.close();
    }
    const code = await issueJoinCode({ dataDir: folderA, secretStore: storeA, passphrase: PASSPHRASE, clock: systemClock, actor: 'admin' });
    const join = { dataDir: folderB, secretStore: storeB, clock: systemClock, actor: 'admin-b', workstation: 'desk-b', target, password: cluster.password, joinCode: code };
    await expect(joinWorkspace({ ...join, passphrase: 'not the passphrase' })).rejects.toThrow(/passphrase is wrong/);
    expect(readWorkspaceLink(folderB)).toBeNull();
    const link = await joinWorkspace({ ...join, passphrase: PASSPHRASE });
    expect(link).toMatchObject({ workspaceId: created.link.workspaceId, name: 'Joiners' });

    const engineB = await openTestEngine(demo.descriptor, { dataDir: folderB, secretStore: storeB, actor: 'os-user', shell: 'web' });
    try {
      // The rows A synced are there, and a supervisor from the workspace's users table signs in on B with that role.
      expect(gridRows(engineB.db).length).toBeGreaterThan(0);
      const { call, signIn } = signedInCalls(() => engineB);
      await signIn(['supervisor', 'clerk'], PASSWORD);
      expect(await call('clerk', 'settings:save', { sync: { intervalMinutes: 9 } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      // Who handed the keys out and who joined are in the workspace's trail (never the code itself).
      const trail = auditBetween(engineB.db, '2000-01-01', '2999-01-01');
      expect(trail.filter((e) => e.action === 'workspace.join_code_issued').map((e) => e.actor)).toEqual(['admin', 'admin']);
      expect(trail.find((e) => e.action === 'workspace.joined')).toMatchObject({ actor: 'admin-b', after: { workstation: 'desk-b', ssl: 'disable' } });
      expect(JSON.stringify(trail)).not.toContain(code.slice(20, 60));
    } finally {
      await engineB.close();
    }
    // B's appends are sealed with the same key: the trail verifies from A's keychain.
    const verified = await cli(['audit', 'verify', '--workspace', urlOf(target), '--data-dir', folderA]);
    expect(verified.out).toMatch(/^audit OK/);
  }, 120_000);

  it('status says where the folder stands; leave puts it back on its own SQLite store', async () => {
    expect(await workspaceStatus({ dataDir: folderB, secretStore: storeB })).toMatchObject({ mode: 'workspace', reachable: true, problem: null, schemaVersion: expect.any(Number) });
    // The sync leader as the live helper records it (sync_leader + its session advisory lock, electron/core/team/leader.ts).
    const su = superuser(target);
    const leaderSession = superuser(target);
    try {
      su.run([
        { sql: 'CREATE TABLE IF NOT EXISTS sync_leader (id INTEGER PRIMARY KEY, workstation TEXT NOT NULL, since TEXT NOT NULL)' },
        { sql: "INSERT INTO sync_leader (id, workstation, since) VALUES (1, 'desk-3', '2026-12-07T09:00:00Z') ON CONFLICT (id) DO UPDATE SET workstation = EXCLUDED.workstation" },
      ]);
      leaderSession.run([{ sql: 'SELECT pg_advisory_lock(7349201114)' }]);
      expect(await workspaceStatus({ dataDir: folderB, secretStore: storeB })).toMatchObject({ leader: { workstation: 'desk-3', holding: true } });
      leaderSession.run([{ sql: 'SELECT pg_advisory_unlock(7349201114)' }]);
      expect(await workspaceStatus({ dataDir: folderB, secretStore: storeB })).toMatchObject({ leader: { workstation: 'desk-3', holding: false } });
    } finally {
      leaderSession.close();
      su.close();
    }
    const left = await leaveWorkspace({ dataDir: folderB, secretStore: storeB });
    expect(left.name).toBe('Joiners');
    expect(readWorkspaceLink(folderB)).toBeNull();
    expect(await storeB.get(workspacePasswordAccount({ workspaceId: readWorkspaceLink(folderA)!.workspaceId, user: target.user }))).toBeNull();
    expect(await workspaceStatus({ dataDir: folderB, secretStore: storeB })).toEqual({ mode: 'single-user' });
    const db = await openDataFolderStore(folderB, storeB);
    try {
      expect(existsSync(join(folderB, DATABASE_FILE))).toBe(true);
      expect(gridRows(db as Db)).toEqual([]);
    } finally {
      db.close();
    }
    // The CLI says the same; an unreachable workspace is reported, not hidden.
    const status = await runWorkspaceCommand({ sub: 'status', dataDir: folderB }, { stdout: () => {}, stderr: () => {} }, { secretStore: storeB });
    expect(status).toBe(0);
    const broken = join(folderA, 'workspace.json');
    const linkA = readWorkspaceLink(folderA)!;
    writeFileSync(broken, JSON.stringify({ ...linkA, port: 1 }));
    let out = '';
    expect(await runWorkspaceCommand({ sub: 'status', dataDir: folderA }, { stdout: (s) => (out += s), stderr: () => {} }, { secretStore: storeA })).toBe(1);
    expect(out).toMatch(/NOT reachable: Nothing answers at 127\.0\.0\.1:1/);
    writeFileSync(broken, JSON.stringify(linkA));
  }, 60_000);
});

describe('the tieout workspace commands', () => {
  it('create asks for the password and passphrase, prints the join code once and never a secret; join and leave by the CLI', async () => {
    const t = newDatabase();
    const storeA = testSecretStore();
    const folderA = tempFolder('cli-a');
    const answers = [cluster.password, PASSPHRASE, PASSPHRASE];
    const asked: string[] = [];
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s) };
    const readSecret = async (q: string) => {
      asked.push(q);
      return answers.shift()!;
    };
    const created = await runWorkspaceCommand({ sub: 'create', dataDir: folderA, url: urlOf(t), name: 'CLI team', joinCode: true }, io, { secretStore: storeA, readSecret, env: {} });
    expect(err).toBe('');
    expect(created).toBe(0);
    expect(asked).toEqual([expect.stringMatching(/^Password of tieout_test at 127\.0\.0\.1/), expect.stringMatching(/^Passphrase for the join code/), 'The same passphrase again: ']);
    const code = /(tieout-join-1:\S+)/.exec(out)?.[1];
    expect(code).toBeDefined();
    expect(out).not.toContain(cluster.password);
    expect(out).not.toContain(PASSPHRASE);

    const storeB = testSecretStore();
    const folderB = tempFolder('cli-b');
    answers.push(code!, PASSPHRASE);
    out = '';
    // The database password from PGPASSWORD, as psql reads it.
    expect(await runWorkspaceCommand({ sub: 'join', dataDir: folderB, url: urlOf(t) }, io, { secretStore: storeB, readSecret, env: { PGPASSWORD: cluster.password } })).toBe(0);
    expect(out).toMatch(/Joined the workspace "CLI team"/);
    out = '';
    expect(await runWorkspaceCommand({ sub: 'status', dataDir: folderB, json: true }, io, { secretStore: storeB })).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ mode: 'workspace', reachable: true, link: { name: 'CLI team' } });
    expect(out).not.toContain(cluster.password);
    out = '';
    expect(await runWorkspaceCommand({ sub: 'leave', dataDir: folderB }, io, { secretStore: storeB })).toBe(0);
    expect(out).toMatch(/Left the workspace "CLI team"/);
    expect(readWorkspaceLink(folderB)).toBeNull();
  }, 60_000);
});
