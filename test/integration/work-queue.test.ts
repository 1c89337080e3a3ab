import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import { clerkState } from '../../electron/core/store/queries/match-review';
import { outboxCounts } from '../../electron/core/posting/outbox-worker';
import type { SavedView } from '../../shared/api/views';
import type { BulkResult } from '../../shared/api/bulk-review';
import type { ApproveResult } from '../../shared/api-contract';
import { isWorkspace } from '../../electron/core/store/statements';
import { openTestEngine, signedInCalls } from './support/engine';

// The work queue's saved views and bulk review actions through the dispatcher,
// as signed-in web users (both store dialects: run under --project sqlite and postgres).

let demo: RunningDemo;
let engine: Engine;
const { call, ok, signIn } = signedInCalls(() => engine);

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 15, payments: 80 });
  engine = await openTestEngine(demo.descriptor, { shell: 'web', actor: 'os-user' });
  await engine.sync.runOnce();
  await signIn(['clerk', 'supervisor'], 'tieout-demo-pass');
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

const bigAutos = { tab: 'auto', search: 'amount>100', filters: [], sort: [{ key: 'amount', dir: 'desc' }] } as const;

describe('saved views', () => {
  it('saves, lists, renames, sets the default and deletes a view; only its owner may change it', async () => {
    const saved = await ok<SavedView>('clerk', 'views:save', { name: 'Big autos', view: bigAutos, columns: { hidden: ['score'], widths: { payer: 220 } } });
    expect(saved).toMatchObject({ owner: 'clerk', name: 'Big autos', view: bigAutos, columns: { hidden: ['score'] }, isDefault: false, problem: null });
    // Saving under the same name replaces the view (same id).
    const replaced = await ok<SavedView>('clerk', 'views:save', { name: 'Big autos', view: { ...bigAutos, tab: 'review' }, isDefault: true });
    expect(replaced.id).toBe(saved.id);
    expect(replaced).toMatchObject({ view: { tab: 'review' }, isDefault: true });

    // The supervisor sees none of the clerk's views and may not touch them.
    expect(await ok<SavedView[]>('supervisor', 'views:list', {})).toEqual([]);
    expect(await call('supervisor', 'views:rename', { id: saved.id, name: 'Mine now' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('supervisor', 'views:delete', { id: saved.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await ok('clerk', 'views:save', { name: 'Exceptions', view: { tab: 'exception', search: '', filters: [], sort: [] } });
    expect(await call('clerk', 'views:rename', { id: saved.id, name: 'Exceptions' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await ok<SavedView>('clerk', 'views:rename', { id: saved.id, name: 'Large' })).toMatchObject({ name: 'Large', isDefault: true });

    const other = (await ok<SavedView[]>('clerk', 'views:list', {})).find((v) => v.name === 'Exceptions')!;
    await ok('clerk', 'views:setDefault', { id: other.id });
    expect((await ok<SavedView[]>('clerk', 'views:list', {})).map((v) => [v.name, v.isDefault])).toEqual([
      ['Exceptions', true],
      ['Large', false],
    ]);
    await ok('clerk', 'views:delete', { id: other.id });
    expect((await ok<SavedView[]>('clerk', 'views:list', {})).map((v) => v.name)).toEqual(['Large']);
  });

  it('lists a stored view that no longer reads as a grid view with the problem named, instead of failing the list', async () => {
    const saved = await ok<SavedView>('clerk', 'views:save', { name: 'Old version', view: bigAutos });
    engine.db.prepare('UPDATE saved_views SET view_json = ? WHERE id = ?').run('{"tab":"someday","search":""}', saved.id);
    const listed = (await ok<SavedView[]>('clerk', 'views:list', {})).find((v) => v.id === saved.id)!;
    expect(listed.view).toBeNull();
    expect(listed.problem).toMatch(/Saved view "Old version" \(saved_views\.view_json\) does not have the expected shape/);
    engine.db.prepare('UPDATE saved_views SET view_json = ? WHERE id = ?').run('not json', saved.id);
    expect((await ok<SavedView[]>('clerk', 'views:list', {})).find((v) => v.id === saved.id)!.problem).toMatch(/not JSON/);
  });

  it('offers a shared view to the rest of the team only in team mode, read only for them', async () => {
    const shared = await ok<SavedView>('clerk', 'views:save', { name: 'Team: failed today', view: { tab: 'failed', search: '', filters: [], sort: [] }, shared: true });
    const seen = (await ok<SavedView[]>('supervisor', 'views:list', {})).map((v) => v.name);
    expect(seen).toEqual(isWorkspace(engine.db) ? ['Team: failed today'] : []);
    expect(await call('supervisor', 'views:delete', { id: shared.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await ok('clerk', 'views:delete', { id: shared.id });
  });

  it('refuses a view the contract cannot read (an unknown tab) before storing anything', async () => {
    expect(await call('clerk', 'views:save', { name: 'Bad', view: { ...bigAutos, tab: 'someday' } })).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });
});

describe('bulk review actions on a selection', () => {
  const ids = () => gridRows(engine.db).filter((r) => r.status === 'auto').slice(0, 3).map((r) => r.transactionId);

  it('a supervisor assigns two rows to the clerk; a clerk may only take or release rows for themselves; Ctrl+Z takes the assignment back', async () => {
    const [a, b] = ids();
    const assigned = await ok<BulkResult>('supervisor', 'matches:bulk', { selection: { kind: 'ids', ids: [a, b] }, action: { kind: 'assign', owner: 'clerk' } });
    expect(assigned.changed).toEqual([a, b]);
    expect([clerkState(engine.db, a!)!.owner, clerkState(engine.db, b!)!.owner]).toEqual(['clerk', 'clerk']);

    const refused = await ok<BulkResult>('clerk', 'matches:bulk', { selection: { kind: 'ids', ids: [a] }, action: { kind: 'assign', owner: 'supervisor' } });
    expect(refused.changed).toEqual([]);
    expect(refused.skipped[0]!.reason).toMatch(/takes rows for themselves/);
    // The clerk releases their own row.
    expect((await ok<BulkResult>('clerk', 'matches:bulk', { selection: { kind: 'ids', ids: [a] }, action: { kind: 'assign', owner: null } })).changed).toEqual([a]);
    expect(clerkState(engine.db, a!)!.owner).toBeNull();

    // The supervisor's Ctrl+Z undoes their bulk assignment of both rows.
    expect((await ok<{ label: string | null }>('supervisor', 'matches:undoAvailable', {})).label).toBe('assignment of 2 payment(s)');
    await ok('supervisor', 'matches:undo', {});
    expect([clerkState(engine.db, a!)!.owner, clerkState(engine.db, b!)!.owner]).toEqual([null, null]);
  });

  it('marks every row of a view (but one) as an exception with a reason, undone in one step', async () => {
    const view = { tab: 'auto', search: '', filters: [{ field: 'id', value: ids()[0]! }], sort: [] } as const;
    const [first] = ids();
    const r = await ok<BulkResult>('clerk', 'matches:bulk', { selection: { kind: 'view', view, exceptIds: [] }, action: { kind: 'exception', reason: 'duplicate_suspected', note: 'same card twice' } });
    expect(r.changed).toEqual([first]);
    expect(clerkState(engine.db, first!)).toMatchObject({ clerkException: 'duplicate_suspected', note: 'same card twice' });
    const unticked = await ok<BulkResult>('clerk', 'matches:bulk', { selection: { kind: 'view', view, exceptIds: [first!] }, action: { kind: 'exception', reason: 'manual' } });
    expect(unticked.changed).toEqual([]);
    await ok('clerk', 'matches:undo', {});
    expect(clerkState(engine.db, first!)).toMatchObject({ clerkException: null, note: null });
  });

  it('excludes payments that are not AR cash: approval refuses them, nothing is queued, undo and include bring them back', async () => {
    const [a, b] = ids();
    const excluded = await ok<BulkResult>('clerk', 'matches:bulk', { selection: { kind: 'ids', ids: [a, b] }, action: { kind: 'exclude', reason: 'test', note: 'card test by IT' } });
    expect(excluded.changed).toEqual([a, b]);
    const queuedBefore = outboxCounts(engine.db).queued;
    const approval = await ok<ApproveResult>('clerk', 'matches:approve', { transactionIds: [a!] });
    expect(approval.approved).toEqual([]);
    expect(approval.skipped[0]!.reason).toMatch(/Excluded as not AR cash/);
    expect(outboxCounts(engine.db).queued).toBe(queuedBefore);
    expect(gridRows(engine.db, [a!])[0]!.exception).toBe('excluded');
    const audit = engine.db.prepare("SELECT after_json FROM audit WHERE action = 'match.exclude' AND object_id = ?").get(String(a)) as { after_json: string } | undefined;
    expect(JSON.parse(audit!.after_json)).toMatchObject({ excluded: 'test', note: 'card test by IT' });

    // Ctrl+Z (the last action was the refused approval, which changed nothing and is its own undo step) then the exclusion.
    await ok('clerk', 'matches:undo', {});
    await ok('clerk', 'matches:undo', {});
    expect(clerkState(engine.db, a!)!.clerkException).toBeNull();

    await ok('clerk', 'matches:bulk', { selection: { kind: 'ids', ids: [b] }, action: { kind: 'exclude', reason: 'personal' } });
    expect((await ok<BulkResult>('clerk', 'matches:bulk', { selection: { kind: 'ids', ids: [b] }, action: { kind: 'include' } })).changed).toEqual([b]);
    expect(clerkState(engine.db, b!)!.clerkException).toBeNull();
  });

  it('lists the assignees without roles or sign-in facts', async () => {
    const list = await ok<Array<Record<string, unknown>>>('clerk', 'matches:assignees', {});
    expect(list.map((u) => u.userName)).toEqual(expect.arrayContaining(['clerk', 'supervisor']));
    expect(Object.keys(list[0]!).sort()).toEqual(['displayName', 'userName']);
  });
});
