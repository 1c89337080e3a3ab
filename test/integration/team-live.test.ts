import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { gridRows } from '../../electron/core/store/queries/matches';
import type { ApiEvents, ApproveResult } from '../../shared/api-contract';
import type { PresenceList } from '../../shared/api/team';
import { openTestEngine, value } from './support/engine';
import { teamWorkspace, until, type PgCluster } from './support/team-workspace';

// Two workstations on one workspace: a decision on one reaches the other's
// open windows within a second (NOTIFY → the engine's own rows:changed), so do
// the soft locks (who has which payment open); acting on a payment the other
// already decided is refused with who did what when; a listener whose session
// ends listens again and catches up.

const secrets = keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
let demo: RunningDemo;
let cluster: PgCluster;
let admin: (sql: string, params?: unknown[]) => Promise<unknown>;
let a: Engine;
let b: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 11 });
  const ws = await teamWorkspace(secrets, 2);
  cluster = ws.cluster;
  admin = ws.admin;
  a = await openTestEngine(demo.descriptor, { dataDir: ws.dirs[0]!, secretStore: secrets, background: true, actor: 'ann' });
  await until('the first workstation to lead and sync', () => a.team?.status().leading && a.sync.status.lastAttemptAt && a.sync.status.state === 'idle', 60_000);
  b = await openTestEngine(demo.descriptor, { dataDir: ws.dirs[1]!, secretStore: secrets, background: true, actor: 'bob' });
  await b.team!.ready();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await demo?.close();
  cluster?.stop();
});


/** Resolves with the time it took for `engine` to emit `name` with a payload `matches` accepts. */
function heard<E extends keyof ApiEvents>(engine: Engine, name: E, matches: (payload: ApiEvents[E]) => boolean, ms = 5_000): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${name} never came`));
    }, ms);
    const stop = engine.events.subscribe((n, payload) => {
      if ((n as string) === name && matches(payload as ApiEvents[E])) {
        clearTimeout(timer);
        stop();
        resolve(Date.now() - started);
      }
    });
  });
}

const autoRows = (e: Engine) => gridRows(e.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);

describe('team live changes', () => {
  it('an approval on one workstation refreshes the other within a second; the other cannot approve it again and is told who did', async () => {
    expect(b.team?.status().leading).toBe(false);
    const id = autoRows(a)[0]!;
    const onB = heard(b, 'rows:changed', (p) => p.transactionIds !== null && p.transactionIds.includes(id));
    const approved = value<ApproveResult>(await a.dispatch('matches:approve', { transactionIds: [id] }));
    expect(approved.approved).toEqual([id]);
    const ms = await onB;
    console.info(`team live: approval on A reached B's events in ${ms} ms`);
    expect(ms).toBeLessThan(1_000);
    expect(gridRows(b.db).find((r) => r.transactionId === id)?.status).toMatch(/approved|posted/);

    const again = value<ApproveResult>(await b.dispatch('matches:approve', { transactionIds: [id] }));
    expect(again.approved).toEqual([]);
    expect(again.skipped[0]?.reason).toMatch(/^Approved by ann at \d{2}:\d{2}; it is (Posted|Approved, waiting to post) now$/);
  });

  it('shows who has which payment open on the other workstation, and forgets it when released', async () => {
    const id = autoRows(a)[0]!;
    const onB = heard(b, 'presence:changed', (p) => p.transactionIds.includes(id));
    const mine = value<PresenceList>(await a.dispatch('team:claim', { transactionId: id }));
    expect(mine.others).toEqual([]);
    expect(await onB).toBeLessThan(1_000);
    const seen = value<PresenceList>(await b.dispatch('team:presence', {}));
    expect(seen.others).toEqual([expect.objectContaining({ transactionId: id, userName: 'ann' })]);
    // B opening the same payment learns that ann is on it.
    const both = value<PresenceList>(await b.dispatch('team:claim', { transactionId: id }));
    expect(both.others.map((p) => p.userName)).toEqual(['ann']);

    const released = heard(b, 'presence:changed', (p) => p.transactionIds.includes(id));
    value(await a.dispatch('team:release', { transactionId: id }));
    await released;
    expect(value<PresenceList>(await b.dispatch('team:presence', {})).others).toEqual([]);
  });

  it('shows the outcome of the leader sync on the follower', async () => {
    const before = b.sync.status.lastSuccessAt;
    const synced = value<{ lastSuccessAt: string | null }>(await a.dispatch('sync:now', {}));
    expect(synced.lastSuccessAt).not.toBe(before);
    const onB = await until('the follower to show the new sync', () => b.sync.status.lastSuccessAt === synced.lastSuccessAt, 1_000);
    expect(onB).toBe(true);
    expect(b.sync.status.paytrace.reachability).toBe('online');
  });

  it('takes settings an admin saved on the other workstation', async () => {
    const before = b.settings().sync.intervalMinutes;
    const next = before === 7 ? 8 : 7;
    value(await a.dispatch('settings:save', { sync: { intervalMinutes: next } }));
    await until('the other workstation to use the new settings', () => b.settings().sync.intervalMinutes === next, 1_000);
  });

  it('listens again after its session is ended, and refreshes every row once it is back', async () => {
    await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'tieout listener%'");
    // Back within the retry, refreshing everything it may have missed.
    await heard(b, 'rows:changed', (p) => p.transactionIds === null, 10_000);
    const id = autoRows(a)[0]!;
    const onB = heard(b, 'rows:changed', (p) => p.transactionIds !== null && p.transactionIds.includes(id));
    expect(value<ApproveResult>(await a.dispatch('matches:approve', { transactionIds: [id] })).approved).toEqual([id]);
    expect(await onB).toBeLessThan(1_000);
  });
});
