import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { gridRows } from '../../electron/core/store/queries/matches';
import type { SyncStatus } from '../../shared/api-contract';
import { openTestEngine } from './support/engine';
import { teamWorkspace, until, type PgCluster } from './support/team-workspace';

// Several engines on one workspace elect one sync leader with a session-level
// advisory lock on a connection of its own. A leader killed outright (its
// process gone, its session ended by the server) is replaced by another
// workstation, which then syncs; a follower's "Sync now" names who syncs.

const keychainService = `Tieout-test-${randomBytes(4).toString('hex')}`;
const secrets = keytarSecretStore(keychainService);
let demo: RunningDemo;
let cluster: PgCluster;
let dirs: string[];
const engines: Engine[] = [];
let child: ChildProcess | null = null;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 7 });
  ({ cluster, dirs } = await teamWorkspace(secrets, 2));
}, 120_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  for (const e of engines) await e.close();
  await demo?.close();
  cluster?.stop();
});

function startChildLeader(dataDir: string): Promise<ChildProcess> {
  const script = resolve(import.meta.dirname, 'support/team-child.ts');
  const c = spawn(process.execPath, ['--import', 'tsx', script, dataDir, keychainService, JSON.stringify(demo.descriptor)], { cwd: resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`child never led: ${err}`)), 90_000);
    c.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('leading')) {
        clearTimeout(timer);
        res(c);
      }
    });
    c.on('exit', (code) => rej(new Error(`child exited ${code}: ${err}`)));
  });
}


describe('team sync leadership', () => {
  it('one workstation syncs; when its process is killed another takes over within seconds and syncs', async () => {
    child = await startChildLeader(dirs[0]!);
    const follower = await openTestEngine(demo.descriptor, { dataDir: dirs[1]!, secretStore: secrets, background: true, actor: 'ann' });
    engines.push(follower);
    // The child's sync filled the shared workspace: the follower sees its rows without syncing itself.
    expect(gridRows(follower.db).length).toBe(demo.world.payments.length);

    // Give the follower a few retries: it must stay a follower while the leader lives.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(follower.team?.status().leading).toBe(false);
    expect(follower.sync.status.lastAttemptAt).toBeNull();
    expect(follower.team?.status().leader?.workstation).toBeTruthy();
    const refused = await follower.dispatch('sync:now', {});
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('conflict');
      expect(refused.error.message).toMatch(/^Sync runs on .+ \(since \d{4}-/);
    }

    const statuses: SyncStatus[] = [];
    follower.events.subscribe((name, payload) => {
      if (name === 'sync:status') statuses.push(payload as SyncStatus);
    });
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await until('the follower to lead', () => follower.team?.status().leading, 10_000, 50);
    const tookOverMs = Date.now() - killedAt;
    const synced = await until(
      'the new leader to sync',
      () => {
        const s = follower.sync.status;
        return s.state === 'idle' && s.lastAttemptAt !== null && s.lastSuccessAt !== null && Date.parse(s.lastSuccessAt) >= killedAt - 1_000 && s.lastSuccessAt;
      },
      60_000,
      50,
    );
    console.info(`team leadership: taken over ${tookOverMs} ms after the leader was killed; synced at ${synced}`);
    expect(tookOverMs).toBeLessThan(6_000);
    expect(statuses.some((s) => s.team?.leading === true)).toBe(true);
    // A "Sync now" on the leader runs.
    const again = await follower.dispatch('sync:now', {});
    expect(again.ok).toBe(true);
  }, 180_000);
});
