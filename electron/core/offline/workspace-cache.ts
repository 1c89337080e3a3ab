import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { OfflineDecisionState } from '@shared/api/workspace-offline';
import { ensurePrivateDir, makePrivate, touchPrivateFile } from '../private-files';
import { asStoreDb, type Db } from '../store/db';
import { migrate } from '../store/migrations';
import type { PgConnectionConfig } from '../store/pg/sync-client';
import {
  cacheMeta,
  createCopyTables,
  decisionStates,
  insertJournalRows,
  openConflictRows,
  saveBaseStatesFromCopy,
  saveCacheMeta,
  storeTableColumns,
  type ReplayJournalRow,
} from '../store/queries/workspace-cache';
import { copyWorkspaceInWorker } from '../store/workspace-copy-worker';

// A workstation joined to a team workspace keeps, in its own data folder, a
// copy of the workspace as of its last successful read: the store's own
// schema (SQLite, so every service runs on it unchanged when the workspace
// cannot be reached), plus what the copy looked like for each payment's
// review ("base"), so what the clerk changes offline is found by comparing,
// and a journal of the replay. The copy is rebuilt in a new file and renamed
// over the old one: a refresh killed half-way leaves the previous copy whole.
// The workspace holds no secret (credentials are in the keychain), so neither
// does the copy; card numbers only as PayTrace masked them.

export const WORKSPACE_CACHE_DIR = 'workspace-cache';
export const WORKSPACE_CACHE_FILE = 'workspace-cache.sqlite';

/** The clerk's side of one payment, as compared between the copy, the offline changes and the workspace. */
export type DecisionState = OfflineDecisionState;

export { cacheMeta, decisionStates };

export function cacheFile(dataDir: string): string {
  return join(dataDir, WORKSPACE_CACHE_DIR, WORKSPACE_CACHE_FILE);
}

export function workspaceCacheExists(dataDir: string): boolean {
  return existsSync(cacheFile(dataDir));
}

function openSqlite(file: string): Db {
  touchPrivateFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const companion of [`${file}-wal`, `${file}-shm`]) makePrivate(companion);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  // Never through openStore: under the test suite's PostgreSQL project that would open a workspace database.
  migrate(db);
  const store = asStoreDb(db);
  createCopyTables(store);
  return store;
}

/** Opens the copy (the engine's store in workspace-offline mode); null when this folder has none yet. */
export function openWorkspaceCache(dataDir: string): Db | null {
  if (!workspaceCacheExists(dataDir)) return null;
  return openSqlite(cacheFile(dataDir));
}

export type RefreshResult = Readonly<{ refreshed: true; snapshotAt: string; rows: number; ms: number } | { refreshed: false; reason: string }>;

/** Open replay conflicts of the current copy, or why it must not be replaced (decisions waiting to be replayed). */
function carriedOver(dataDir: string, pendingCount: (cache: Db) => number): { journal: ReplayJournalRow[] } | { refused: string } {
  const previous = openWorkspaceCache(dataDir);
  if (!previous) return { journal: [] };
  try {
    const pending = pendingCount(previous);
    if (pending > 0) return { refused: `${pending} decision(s) made offline wait to be replayed` };
    return { journal: openConflictRows(previous) };
  } finally {
    previous.close();
  }
}

function removeSqlite(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Rebuilds the copy from the workspace (read in a worker thread, so the
 * engine keeps answering) into a new file renamed over the old one. Refused
 * while decisions made on the current copy wait to be replayed: their base
 * would be lost. The replay journal's open conflicts carry over.
 */
export async function refreshWorkspaceCache(
  workspace: PgConnectionConfig,
  dataDir: string,
  identity: Readonly<{ workspaceId: string; workspaceName: string }>,
  at: string,
  pendingCount: (cache: Db) => number,
  monotonicMs: () => number = () => performance.now(),
): Promise<RefreshResult> {
  const started = monotonicMs();
  const dir = join(dataDir, WORKSPACE_CACHE_DIR);
  ensurePrivateDir(dir);
  const before = carriedOver(dataDir, pendingCount);
  if ('refused' in before) return { refreshed: false, reason: before.refused };
  const tmp = join(dir, `${WORKSPACE_CACHE_FILE}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const schema = openSqlite(tmp);
    const tables = storeTableColumns(schema);
    schema.close();
    const rows = await copyWorkspaceInWorker(workspace, tmp, tables);
    // Read again now: a conflict settled while the copy ran stays settled.
    const now = carriedOver(dataDir, pendingCount);
    if ('refused' in now) {
      removeSqlite(tmp);
      return { refreshed: false, reason: now.refused };
    }
    const fresh = openSqlite(tmp);
    try {
      fresh.transaction(() => {
        saveBaseStatesFromCopy(fresh);
        saveCacheMeta(fresh, { snapshotId: randomBytes(8).toString('hex'), snapshotAt: at, ...identity });
        insertJournalRows(fresh, now.journal);
      })();
      fresh.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      fresh.close();
    }
    const target = cacheFile(dataDir);
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    renameSync(tmp, target);
    for (const suffix of ['-wal', '-shm']) rmSync(`${tmp}${suffix}`, { force: true });
    return { refreshed: true, snapshotAt: at, rows, ms: Math.round(monotonicMs() - started) };
  } catch (e) {
    removeSqlite(tmp);
    throw e;
  }
}
