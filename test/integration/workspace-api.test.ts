import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceCreated, WorkspaceView } from '@shared/api/workspace';
import { auditBetween, verifyAudit } from '../../electron/core/audit/audit-log';
import type { Engine } from '../../electron/core/engine';
import { isWorkspace } from '../../electron/core/store/statements';
import { TEST_WORKSPACE_ENV } from '../../electron/core/store/pg/open-workspace';
import { PgSyncClient } from '../../electron/core/store/pg/sync-client';
import { readWorkspaceLink } from '../../electron/core/store/workspace-link';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { openTestEngine, signedInCalls, testSecretStore } from './support/engine';

// Settings → Workspace through the engine's API, as the renderer calls it:
// admins only, the password and passphrase never in a reply, and once the
// folder's store has moved the running engine refuses everything but status
// until it is restarted, then opens the workspace.

type Cluster = { adminUrl: string; port: number; user: string; password: string; stop(): void };
const PASSWORD = 'tieout-demo-pass';
const PASSPHRASE = 'the join passphrase for the API test';
const savedWorkspaceEnv = process.env[TEST_WORKSPACE_ENV];
let cluster: Cluster;
let demo: RunningDemo;
let engine: Engine;
const secretStore = testSecretStore();
const dataDir = mkdtempSync(join(tmpdir(), 'tieout-ws-api-'));
const { call, ok, signIn } = signedInCalls(() => engine);

beforeAll(async () => {
  delete process.env[TEST_WORKSPACE_ENV];
  cluster = (await startPgCluster()) as Cluster;
  const admin = new PgSyncClient({ connectionString: cluster.adminUrl, ssl: false });
  admin.run([{ sql: 'CREATE DATABASE team_api' }]);
  admin.close();
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 5 });
  engine = await openTestEngine(demo.descriptor, { dataDir, secretStore, shell: 'web', actor: 'os-user' });
  await engine.sync.runOnce();
  await signIn(['admin', 'clerk'], PASSWORD);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
  cluster?.stop();
  if (savedWorkspaceEnv !== undefined) process.env[TEST_WORKSPACE_ENV] = savedWorkspaceEnv;
});

describe('Settings → Workspace API', () => {
  const connection = () => ({ host: '127.0.0.1', port: cluster.port, database: 'team_api', user: cluster.user, ssl: 'disable' as const, password: cluster.password });

  it('is for admins; a single-user folder says so', async () => {
    expect(await call('clerk', 'workspace:status', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ok<WorkspaceView>('admin', 'workspace:status', {})).toEqual({ mode: 'single-user', workspace: null, reachable: null, problem: null, schemaVersion: null, syncLeader: null, restartRequired: null });
  });

  it('a refused create is a clear config error and changes nothing', async () => {
    const wrong = await call('admin', 'workspace:create', { ...connection(), password: 'not-it', name: 'Team', moveData: true });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'config', message: expect.stringMatching(/refused the password/) } });
    expect(readWorkspaceLink(dataDir)).toBeNull();
    expect((await call('clerk', 'grid:rows', {})).ok).toBe(true);
  });

  it('create moves the data, returns the join code once and never the secrets, then only status answers until restart', async () => {
    const reply = await call<WorkspaceCreated>('admin', 'workspace:create', { ...connection(), name: 'API team', moveData: true, passphrase: PASSPHRASE });
    expect(reply.ok).toBe(true);
    const created = (reply as { ok: true; value: WorkspaceCreated }).value;
    expect(created).toMatchObject({ name: 'API team', joinCode: expect.stringMatching(/^tieout-join-1:/), restartRequired: expect.stringMatching(/Restart Tieout/) });
    expect(created.movedRows).toBeGreaterThan(10);
    const status = await ok<WorkspaceView>('admin', 'workspace:status', {});
    expect(status).toMatchObject({ mode: 'workspace', reachable: true, workspace: { name: 'API team', host: '127.0.0.1', ssl: 'disable' }, restartRequired: expect.stringMatching(/Restart/) });
    for (const text of [JSON.stringify(reply), JSON.stringify(status)]) {
      expect(text).not.toContain(cluster.password);
      expect(text).not.toContain(PASSPHRASE);
    }
    // The old store takes nothing more: every other call is refused with the reason.
    expect(await call('clerk', 'grid:rows', {})).toMatchObject({ ok: false, error: { code: 'config', message: expect.stringMatching(/works in the workspace "API team". Restart Tieout/) } });
    expect(await call('admin', 'matches:approve', { transactionIds: [1] })).toMatchObject({ ok: false, error: { code: 'config' } });
  });

  it('after a restart the engine works on the workspace with the same rows', async () => {
    const before = engine.db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get() as { n: number };
    await engine.close();
    engine = await openTestEngine(demo.descriptor, { dataDir, secretStore, shell: 'web', actor: 'os-user' });
    await signIn(['admin', 'clerk'], PASSWORD);
    expect(await ok<WorkspaceView>('admin', 'workspace:status', {})).toMatchObject({ mode: 'workspace', restartRequired: null });
    expect((engine.db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get() as { n: number }).n).toBe(before.n);
    expect((await call('clerk', 'grid:rows', {})).ok).toBe(true);
    expect(await call('admin', 'workspace:leave', {})).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(await call('admin', 'workspace:leave', { confirm: true })).toMatchObject({ ok: true, value: { name: 'API team' } });
    expect(readWorkspaceLink(dataDir)).toBeNull();
  }, 60_000);

  it('back on its own store after leaving: the rows as of the move, and its audit trail still verifies against the keychain', async () => {
    await engine.close();
    engine = await openTestEngine(demo.descriptor, { dataDir, secretStore, shell: 'web', actor: 'os-user' });
    expect(isWorkspace(engine.db)).toBe(false);
    // The workspace's trail went on past the move; the SQLite file's head is what the keychain anchors now.
    const v = verifyAudit(engine.db);
    expect(v.problem).toBeNull();
    expect(auditBetween(engine.db, '2000-01-01', '2999-01-01').some((e) => e.action === 'audit.head_mismatch')).toBe(false);
  }, 60_000);
});
