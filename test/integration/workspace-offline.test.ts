import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceOfflineState } from '@shared/api/workspace-offline';
import { createEngine, type EngineOptions } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { cacheFile, cacheMeta, openWorkspaceCache, WORKSPACE_CACHE_DIR } from '../../electron/core/offline/workspace-cache';
import { isWorkspaceUnreachable } from '../../electron/core/offline/workspace-reachability';
import { queuedCount } from '../../electron/core/offline/workspace-replay';
import { gridRows } from '../../electron/core/store/queries/matches';
import { PgStoreError } from '../../electron/core/store/pg/sync-client';
import { workspacePasswordAccount, writeWorkspaceLink, type WorkspaceLink } from '../../electron/core/store/workspace-link';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { relayThread } from '../support/tcp-relay-thread';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

// A workstation joined to a team workspace keeps working when the workspace
// cannot be reached: it opens on its copy, the clerk's decisions queue there
// (nothing is sent), and when the workspace is back they are replayed once,
// a teammate's decision on the same row made meanwhile becoming a conflict.

type Cluster = { adminUrl: string; port: number; user: string; password: string; stop(): void };

const keychainService = `Tieout-test-${randomBytes(4).toString('hex')}`;
const secretStore = keytarSecretStore(keychainService);
let cluster: Cluster;
let demo: RunningDemo;
let link: WorkspaceLink;
let network: Awaited<ReturnType<typeof relayThread>>;
const dirA = mkdtempSync(join(tmpdir(), 'tieout-ws-a-'));
const dirB = mkdtempSync(join(tmpdir(), 'tieout-ws-b-'));

function ok<T>(envelope: { ok: boolean; value?: unknown }): T {
  expect(envelope, JSON.stringify(envelope).slice(0, 400)).toMatchObject({ ok: true });
  return envelope.value as T;
}

const open = (dataDir: string, actor: string, extra: Partial<EngineOptions> = {}) =>
  createEngine({ dataDir, shell: 'cli', background: false, undoWindowSeconds: 0, secretStore, logger: silentLogger, sandbox: demo.descriptor, actor, ...extra });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Opens the engine in a child process that SIGKILLs itself right after the replay's first workspace commit. */
function replayInChildKilledAfterFirstCommit(dataDir: string, actor: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'support', 'workspace-replay-child.ts'), dataDir, keychainService, actor], {
      env: { ...process.env, TIEOUT_TEST_SANDBOX: JSON.stringify(demo.descriptor) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function receiptsFor(reference: string): Promise<number> {
  const r = await axios.post(`${demo.descriptor.erp.baseUrl}/__control/count-receipts`, { reference });
  return (r.data as { count: number }).count;
}

beforeAll(async () => {
  cluster = (await startPgCluster()) as Cluster;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE team_ws');
  await admin.end();
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 5 });
  link = {
    version: 1,
    workspaceId: randomBytes(8).toString('hex'),
    name: 'Accounts receivable',
    host: '127.0.0.1',
    port: cluster.port,
    database: 'team_ws',
    user: cluster.user,
    ssl: 'disable',
    joinedAt: new Date().toISOString(),
  };
  await secretStore.set(workspacePasswordAccount(link), cluster.password);
  // Workstation A reaches the workspace through a relay the test switches off (a dropped network) and on.
  network = await relayThread(`postgresql://127.0.0.1:${cluster.port}`);
  writeWorkspaceLink(dirA, { ...link, port: Number(new URL(network.url).port) });
  writeWorkspaceLink(dirB, link);
}, 120_000);

afterAll(async () => {
  await network?.close();
  await demo?.close();
  cluster?.stop();
});

describe('telling an unreachable workspace from a refusal', () => {
  it('socket errors and connection-class SQLSTATEs are unreachable; what the server refused is not', () => {
    const err = (code: string | undefined) => new PgStoreError('x', code, undefined, undefined);
    expect(isWorkspaceUnreachable(err(undefined))).toBe(true);
    expect(isWorkspaceUnreachable(err('ECONNREFUSED'))).toBe(true);
    expect(isWorkspaceUnreachable(err('EPIPE'))).toBe(true);
    expect(isWorkspaceUnreachable(err('08006'))).toBe(true);
    expect(isWorkspaceUnreachable(err('57P03'))).toBe(true);
    expect(isWorkspaceUnreachable(err('28P01'))).toBe(false);
    expect(isWorkspaceUnreachable(err('42P01'))).toBe(false);
    expect(isWorkspaceUnreachable(new Error('ECONNREFUSED'))).toBe(false);
  });
});

describe('workspace-offline mode', () => {
  let approveMine: number;
  let approveBoth: number;
  let noteOnly: number;
  let noteBoth: number;
  let reference: (id: number) => string;
  let snapshotAt: string;

  it('a joined workstation that never reached the workspace has no copy: the error says so', async () => {
    const never = mkdtempSync(join(tmpdir(), 'tieout-ws-never-'));
    writeWorkspaceLink(never, { ...link, port: await closedPort() });
    await expect(open(never, 'clerk-c')).rejects.toThrow(/cannot be reached .*no copy of it yet/);
  });

  it('online, the workstation keeps a private copy of the workspace with no secret in it', async () => {
    const a = await open(dirA, 'clerk-a');
    try {
      await a.sync.runOnce();
      const signedIn = await a.auth.signIn({ userName: 'clerk', password: 'tieout-demo-pass' });
      expect(signedIn.sessionToken).toBeTruthy();
      expect((a.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n).toBeGreaterThan(0);
      const refresh = await a.workspaceOffline.refresh();
      expect(refresh).toMatchObject({ refreshed: true });
      const rows = gridRows(a.db);
      const pending = rows.filter((r) => r.status === 'auto' || r.status === 'review');
      expect(pending.length).toBeGreaterThanOrEqual(2);
      approveMine = pending[0]!.transactionId;
      approveBoth = pending[1]!.transactionId;
      const exceptions = rows.filter((r) => r.status === 'exception');
      expect(exceptions.length).toBeGreaterThanOrEqual(2);
      noteOnly = exceptions[0]!.transactionId;
      noteBoth = exceptions[1]!.transactionId;
      const refs = new Map(rows.map((r) => [r.transactionId, r.reference]));
      reference = (id) => refs.get(id)!;
      const state = ok<WorkspaceOfflineState>(await a.dispatch('workspace:offlineState', {}));
      expect(state).toMatchObject({ mode: 'workspace', workspaceName: 'Accounts receivable', queued: 0 });
      expect(state.snapshotAt).toBeTruthy();
      // The network drops while the engine works on the workspace: a probe notices, the banner asks to reopen on the copy.
      expect(await a.workspaceOffline.probe()).toBe(true);
      expect(a.workspaceOffline.state().unreachableSince).toBeNull();
      await network.stop();
      expect(await a.workspaceOffline.probe()).toBe(false);
      expect(a.workspaceOffline.state()).toMatchObject({ mode: 'workspace', unreachableSince: expect.any(String) });
    } finally {
      await a.close();
    }
    // The copy also follows each completed sync: the newest one is what offline work starts from.
    const copy = openWorkspaceCache(dirA)!;
    snapshotAt = cacheMeta(copy)!.snapshotAt;
    // Sign-in sessions stay with the host that made them.
    expect(copy.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    expect((copy.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBeGreaterThan(0);
    copy.close();
    const file = cacheFile(dirA);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    for (const secret of [cluster.password, demo.descriptor.erp.password, demo.descriptor.paytrace.password]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('a workspace that accepts connections but never answers is not waited for: the engine opens on the copy', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const dirC = mkdtempSync(join(tmpdir(), 'tieout-ws-c-'));
    writeWorkspaceLink(dirC, { ...link, port: (silent.address() as { port: number }).port });
    mkdirSync(join(dirC, WORKSPACE_CACHE_DIR));
    copyFileSync(cacheFile(dirA), cacheFile(dirC));
    const started = performance.now();
    const c = await open(dirC, 'clerk-c');
    try {
      // The engine's own connection would wait for its 120 s reply limit.
      expect(performance.now() - started).toBeLessThan(30_000);
      expect(c.workspaceOffline.state()).toMatchObject({ mode: 'offline', unreachableReason: expect.stringMatching(/timeout/i) });
    } finally {
      await c.close();
      for (const socket of held) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 60_000);

  it('unreachable at start-up, the engine opens on the copy; decisions queue and nothing is sent', async () => {
    await network.stop();
    const a = await open(dirA, 'clerk-a');
    try {
      expect(a.workspaceOffline.offline).not.toBeNull();
      expect(a.db.name).toBe(cacheFile(dirA));
      const before = ok<WorkspaceOfflineState>(await a.dispatch('workspace:offlineState', {}));
      expect(before).toMatchObject({ mode: 'offline', snapshotAt, queued: 0 });
      expect(before.unreachableReason).toMatch(/ECONNREFUSED|connect/);
      expect(gridRows(a.db).length).toBeGreaterThan(0);

      ok(await a.dispatch('matches:approve', { transactionIds: [approveMine] }));
      ok(await a.dispatch('matches:approve', { transactionIds: [approveBoth] }));
      ok(await a.dispatch('matches:note', { transactionId: noteOnly, note: 'Customer says remittance follows' }));
      ok(await a.dispatch('matches:note', { transactionId: noteBoth, note: 'Short-paid: disputed freight' }));
      const after = ok<WorkspaceOfflineState>(await a.dispatch('workspace:offlineState', {}));
      expect(after.queued).toBe(4);
      // What the copy cannot carry back is refused, not done and lost.
      const refund = await a.dispatch('refunds:request', { transactionId: approveMine, amountCents: 100, reasonCode: 'Overpayment' });
      expect(refund).toMatchObject({ ok: false, error: { code: 'offline' } });
      if (!refund.ok) expect(refund.error.message).toMatch(/cannot be reached.*carries back notes/);
      expect(a.db.prepare('SELECT COUNT(*) AS n FROM refund_requests').get()).toEqual({ n: 0 });
      await expect(a.erpConnector()).rejects.toThrow(/cannot be reached/);
      await expect(a.payTraceClient()).rejects.toThrow(/cannot be reached/);
      // The queued approvals sit in the copy: the posting worker cannot even open a connection from it.
      await expect(a.worker.drain()).rejects.toThrow(/cannot be reached/);

      // The network comes back: the engine notices, and the banner asks the clerk to reopen.
      expect(await a.workspaceOffline.probe()).toBe(false);
      expect(a.workspaceOffline.state().reachableAgainAt).toBeNull();
      await network.start();
      expect(await a.workspaceOffline.probe()).toBe(true);
      expect(a.workspaceOffline.state()).toMatchObject({ mode: 'offline', reachableAgainAt: expect.any(String), queued: 4 });
    } finally {
      await a.close();
    }
    expect(await receiptsFor(reference(approveMine))).toBe(0);
  });

  it('a teammate decides one of the same rows while the first workstation is offline', async () => {
    const b = await open(dirB, 'clerk-b');
    try {
      const r = ok<{ approved: number[] }>(await b.dispatch('matches:approve', { transactionIds: [approveBoth] }));
      expect(r.approved).toEqual([approveBoth]);
      ok(await b.dispatch('matches:note', { transactionId: noteBoth, note: 'Called: cheque in the post' }));
    } finally {
      await b.close();
    }
  });

  it('back online, a replay SIGKILLed after its first commit resumes: each decision applied once, the overtaken one a conflict', async () => {
    const killed = await replayInChildKilledAfterFirstCommit(dirA, 'clerk-a');
    // tsx runs the script in a process of its own and reports its SIGKILL as exit status 128 + 9.
    expect(killed.signal === 'SIGKILL' || killed.code === 137, `${killed.code} ${killed.signal} ${killed.stdout}${killed.stderr}`).toBe(true);
    expect(killed.stdout).toMatch(/^committed \d+\n$/);
    // That decision is in the workspace but the copy did not record it: it and the rest still wait there.
    const copy = openWorkspaceCache(dirA)!;
    expect(queuedCount(copy)).toBeGreaterThanOrEqual(2);
    copy.close();

    const a = await open(dirA, 'clerk-a');
    try {
      const state = ok<WorkspaceOfflineState>(await a.dispatch('workspace:offlineState', {}));
      expect(state.mode).toBe('workspace');
      expect(state.queued).toBe(0);
      expect([...state.lastReplay!.applied, ...state.lastReplay!.alreadyApplied].sort()).toEqual([approveMine, noteOnly].sort());
      expect(state.lastReplay!.alreadyApplied).toHaveLength(1);
      // Found in whichever run reached them first (the decisions replay in payment order).
      expect(state.lastReplay!.conflicts.every((id) => id === approveBoth || id === noteBoth)).toBe(true);
      // The copy was rebuilt after the replay.
      expect(state.snapshotAt! > snapshotAt).toBe(true);

      const replays = a.db.prepare("SELECT object_id, actor, after_json FROM audit WHERE action = 'offline.replay' ORDER BY id").all() as Array<{ object_id: string; actor: string; after_json: string }>;
      expect(replays).toHaveLength(2);
      expect(new Set(replays.map((r) => r.object_id)).size).toBe(2);
      expect(replays.every((r) => r.actor === 'clerk-a' && (JSON.parse(r.after_json) as { decidedOfflineAt: string }).decidedOfflineAt >= snapshotAt)).toBe(true);
      expect(a.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'match.note' AND object_id = ?").get(String(noteOnly))).toEqual({ n: 1 });
      expect(a.db.prepare('SELECT note FROM matches WHERE transaction_id = ?').get(noteOnly)).toEqual({ note: 'Customer says remittance follows' });
      // The replayed approval is the clerk's, queued for posting like any (the catch-up re-validation first), never twice.
      expect(a.db.prepare('SELECT review_state, decided_by FROM matches WHERE transaction_id = ?').get(approveMine)).toMatchObject({ review_state: expect.stringMatching(/approved|posted/), decided_by: 'clerk-a' });
      await a.worker.idle();
      expect(await receiptsFor(reference(approveMine))).toBeLessThanOrEqual(1);
      expect(a.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE transaction_id = ?').get(approveMine)).toEqual({ n: 1 });
      // The teammate's approval stands; the offline one is shown beside it.
      expect(a.db.prepare('SELECT decided_by FROM matches WHERE transaction_id = ?').get(approveBoth)).toEqual({ decided_by: 'clerk-b' });
      expect(a.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE transaction_id = ?').get(approveBoth)).toEqual({ n: 1 });
      // The teammate's note was not overwritten.
      expect(a.db.prepare('SELECT note FROM matches WHERE transaction_id = ?').get(noteBoth)).toEqual({ note: 'Called: cheque in the post' });
      expect(state.conflicts.map((c) => c.transactionId).sort()).toEqual([approveBoth, noteBoth].sort());
      const conflict = state.conflicts.find((c) => c.transactionId === approveBoth)!;
      const notes = state.conflicts.find((c) => c.transactionId === noteBoth)!;
      expect(notes).toMatchObject({ base: { note: null }, mine: { note: 'Short-paid: disputed freight' }, theirs: { note: 'Called: cheque in the post' } });
      expect(conflict).toMatchObject({ transactionId: approveBoth, decidedBy: 'clerk-a', decision: { approve: true } });
      expect(conflict.base.reviewState).toBe('pending');
      expect(conflict.mine.reviewState).toBe('approved');
      expect(conflict.theirs).toMatchObject({ reviewState: expect.stringMatching(/approved|posted/), decidedBy: 'clerk-b' });
      expect(conflict.reasons.join(' ')).toMatch(/clerk-b/);

      // Applying mine over an approval is refused like any second approval; keeping theirs settles it, on the record.
      const refused = await a.dispatch('workspace:resolveOfflineConflict', { decisionKey: conflict.decisionKey, choice: 'apply_mine' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
      ok(await a.dispatch('workspace:resolveOfflineConflict', { decisionKey: conflict.decisionKey, choice: 'keep_theirs' }));
      expect(a.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'offline.discard' AND object_id = ?").get(conflict.decisionKey)).toEqual({ n: 1 });
      // A note the clerk prefers to the teammate's is applied over it, on the record as such.
      ok(await a.dispatch('workspace:resolveOfflineConflict', { decisionKey: notes.decisionKey, choice: 'apply_mine' }));
      expect(a.db.prepare('SELECT note FROM matches WHERE transaction_id = ?').get(noteBoth)).toEqual({ note: 'Short-paid: disputed freight' });
      expect(ok<WorkspaceOfflineState>(await a.dispatch('workspace:offlineState', {})).conflicts).toHaveLength(0);
    } finally {
      await a.close();
    }
    // Opening again replays nothing a second time.
    const again = await open(dirA, 'clerk-a');
    try {
      expect(again.workspaceOffline.state()).toMatchObject({ queued: 0, conflicts: [], lastReplay: null });
      expect(again.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'offline.replay'").get()).toEqual({ n: 3 });
    } finally {
      await again.close();
    }
  }, 90_000);
});
