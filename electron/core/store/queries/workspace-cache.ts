import type { Allocation } from '@shared/domain';
import type { OfflineDecisionState } from '@shared/api/workspace-offline';
import type { ReadDb, WriteDb } from '../db';

// A joined workstation's copy of the workspace (electron/core/offline/
// workspace-cache.ts): the store's own tables copied from the workspace, and
// three tables of the copy's own, never in a workspace or a folder's store:
// when the copy was read, each payment's clerk state as read ("base"), and the
// journal of replaying what was decided on the copy.

export type CacheMeta = Readonly<{ snapshotId: string; snapshotAt: string; workspaceId: string; workspaceName: string }>;

export type ReplayJournalRow = Readonly<{
  decision_key: string;
  transaction_id: number;
  outcome: 'applied' | 'conflict';
  detail_json: string;
  at: string;
  resolution: string | null;
  resolved_at: string | null;
}>;

const COPY_TABLES = `
  CREATE TABLE IF NOT EXISTS workspace_cache_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    snapshot_id TEXT NOT NULL,
    snapshot_at TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    workspace_name TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS workspace_cache_base (
    transaction_id INTEGER PRIMARY KEY,
    state_json TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS workspace_offline_replay (
    decision_key TEXT PRIMARY KEY,
    transaction_id INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'conflict')),
    detail_json TEXT NOT NULL,
    at TEXT NOT NULL,
    resolution TEXT,
    resolved_at TEXT
  );
`;
const COPY_TABLE_NAMES = new Set(['workspace_cache_meta', 'workspace_cache_base', 'workspace_offline_replay']);
/** Store tables a copy leaves empty: sign-in sessions belong to the host that made them (offline, one signs in anew). */
const NOT_COPIED = new Set(['sessions']);

export function createCopyTables(cache: WriteDb): void {
  cache.exec(COPY_TABLES);
}

export function cacheMeta(cache: ReadDb): CacheMeta | null {
  const row = cache.prepare('SELECT snapshot_id, snapshot_at, workspace_id, workspace_name FROM workspace_cache_meta WHERE id = 1').get() as
    | { snapshot_id: string; snapshot_at: string; workspace_id: string; workspace_name: string }
    | undefined;
  return row ? { snapshotId: row.snapshot_id, snapshotAt: row.snapshot_at, workspaceId: row.workspace_id, workspaceName: row.workspace_name } : null;
}

export function saveCacheMeta(cache: WriteDb, meta: CacheMeta): void {
  cache
    .prepare('INSERT OR REPLACE INTO workspace_cache_meta (id, snapshot_id, snapshot_at, workspace_id, workspace_name) VALUES (1, ?, ?, ?, ?)')
    .run(meta.snapshotId, meta.snapshotAt, meta.workspaceId, meta.workspaceName);
}

/** The clerk's state of matched payments (plain SQL: the workspace and the copy alike). */
export function decisionStates(db: ReadDb, transactionIds?: readonly number[]): Map<number, OfflineDecisionState> {
  const rows = db
    .prepare(
      `SELECT m.transaction_id, m.review_state, m.note, m.owner, m.clerk_exception, m.decided_by, m.decided_at, c.customer_id AS pin_customer, c.allocations_json AS pin_allocations
       FROM matches m LEFT JOIN clerk_allocations c ON c.transaction_id = m.transaction_id`,
    )
    .all() as Array<{
    transaction_id: number;
    review_state: string;
    note: string | null;
    owner: string | null;
    clerk_exception: string | null;
    decided_by: string | null;
    decided_at: string | null;
    pin_customer: string | null;
    pin_allocations: string | null;
  }>;
  const wanted = transactionIds ? new Set(transactionIds) : null;
  const out = new Map<number, OfflineDecisionState>();
  for (const r of rows) {
    if (wanted && !wanted.has(r.transaction_id)) continue;
    out.set(r.transaction_id, {
      reviewState: r.review_state,
      note: r.note,
      owner: r.owner,
      clerkException: r.clerk_exception,
      pinned: r.pin_customer !== null && r.pin_allocations !== null ? { customerId: r.pin_customer, allocations: JSON.parse(r.pin_allocations) as Allocation[] } : null,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at,
    });
  }
  return out;
}

export function baseStates(cache: ReadDb): Map<number, OfflineDecisionState> {
  const rows = cache.prepare('SELECT transaction_id, state_json FROM workspace_cache_base').all() as Array<{ transaction_id: number; state_json: string }>;
  return new Map(rows.map((r) => [r.transaction_id, JSON.parse(r.state_json) as OfflineDecisionState]));
}

/** Each matched payment's clerk state as copied, the same fields decisionStates reads (keyed JSON, compared field by field). */
export function saveBaseStatesFromCopy(cache: WriteDb): void {
  cache.exec(`
    INSERT OR REPLACE INTO workspace_cache_base (transaction_id, state_json)
    SELECT m.transaction_id, json_object(
      'reviewState', m.review_state, 'note', m.note, 'owner', m.owner, 'clerkException', m.clerk_exception,
      'pinned', json(CASE WHEN c.customer_id IS NULL OR c.allocations_json IS NULL THEN NULL
                          ELSE json_object('customerId', c.customer_id, 'allocations', json(c.allocations_json)) END),
      'decidedBy', m.decided_by, 'decidedAt', m.decided_at)
    FROM matches m LEFT JOIN clerk_allocations c ON c.transaction_id = m.transaction_id
  `);
}

/** The store's tables (the copy's own left out). */
function storeTables(db: ReadDb): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]).filter(
    (t) => !COPY_TABLE_NAMES.has(t) && !NOT_COPIED.has(t),
  );
}

function columnsOf(db: ReadDb, table: string): string[] {
  return (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name);
}

/** The store's tables and their columns, as the copy's schema has them (what a copy reads from the workspace). */
export function storeTableColumns(copy: ReadDb): Array<{ name: string; columns: string[] }> {
  return storeTables(copy).map((name) => ({ name, columns: columnsOf(copy, name) }));
}

export function journaledKeys(cache: ReadDb): Set<string> {
  return new Set(cache.prepare('SELECT decision_key FROM workspace_offline_replay').pluck().all() as string[]);
}

export function openConflictRows(cache: ReadDb): ReplayJournalRow[] {
  return cache.prepare("SELECT * FROM workspace_offline_replay WHERE outcome = 'conflict' AND resolution IS NULL ORDER BY transaction_id").all() as ReplayJournalRow[];
}

export function openConflictRow(cache: ReadDb, decisionKey: string): ReplayJournalRow | null {
  return (cache.prepare("SELECT * FROM workspace_offline_replay WHERE decision_key = ? AND outcome = 'conflict' AND resolution IS NULL").get(decisionKey) as ReplayJournalRow | undefined) ?? null;
}

export function insertJournalRows(cache: WriteDb, rows: readonly ReplayJournalRow[]): void {
  const insert = cache.prepare(
    `INSERT OR REPLACE INTO workspace_offline_replay (decision_key, transaction_id, outcome, detail_json, at, resolution, resolved_at)
     VALUES (@decision_key, @transaction_id, @outcome, @detail_json, @at, @resolution, @resolved_at)`,
  );
  for (const r of rows) insert.run(r);
}

export function resolveJournalRow(cache: WriteDb, decisionKey: string, resolution: string, at: string): void {
  cache.prepare('UPDATE workspace_offline_replay SET resolution = ?, resolved_at = ? WHERE decision_key = ?').run(resolution, at, decisionKey);
}

/** Who made the copy's newest change to a payment after the snapshot, and when (its audit entries). */
export function latestChangeAfter(cache: ReadDb, transactionId: number, since: string): { actor: string; at: string } | null {
  return (
    (cache
      .prepare("SELECT actor, at FROM audit WHERE object_type = 'transaction' AND object_id = ? AND at >= ? ORDER BY id DESC LIMIT 1")
      .get(String(transactionId), since) as { actor: string; at: string } | undefined) ?? null
  );
}

/** Whether the workspace's trail already holds an entry with this action for this object (a replay key). */
export function auditHasEntry(db: ReadDb, action: string, objectId: string): boolean {
  return db.prepare('SELECT 1 AS found FROM audit WHERE action = ? AND object_id = ?').get(action, objectId) !== undefined;
}
