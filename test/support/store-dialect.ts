import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../electron/core/store/db';
import { folderDatabaseExists, folderDatabaseName, TEST_WORKSPACE_ENV } from '../../electron/core/store/pg/open-workspace';
import { PgSyncClient } from '../../electron/core/store/pg/sync-client';

// Which store the engine suite runs on: the `postgres` vitest project sets
// TIEOUT_TEST_WORKSPACE_URL (test/support/pg-setup-file.ts) and every
// openStore() is then a PostgreSQL workspace. Tests about the SQLite file
// itself (its modes, WAL, the match worker reading it) skip there with
// `it.skipIf(onWorkspace)` and say why; everything else runs on both.

/** True when this run's stores are PostgreSQL workspaces. */
export const onWorkspace = Boolean(process.env[TEST_WORKSPACE_ENV]);

/** The test cluster's admin URL (superuser), when on a workspace. */
export function workspaceAdminUrl(): string | null {
  return process.env[TEST_WORKSPACE_ENV] || null;
}

type Queryable = { prepare(sql: string): { all(...args: unknown[]): unknown[] } };

/** The store's table names, sorted, from either dialect's catalogue. */
export function storeTableNames(db: Queryable): string[] {
  const sql = onWorkspace
    ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
  return (db.prepare(sql).all() as Array<{ name: string }>).map((r) => r.name);
}

function withAdmin<T>(fn: (admin: PgSyncClient) => T): T {
  const admin = new PgSyncClient({ connectionString: workspaceAdminUrl()!, ssl: false });
  try {
    return fn(admin);
  } finally {
    admin.close();
  }
}

/**
 * Copies a closed data folder's store aside (the file, or the folder's
 * workspace database as a template copy) and returns what puts that copy back:
 * "a restored older copy of the database" on either dialect.
 */
export function backupStore(dataDir: string): () => void {
  if (!onWorkspace) {
    const file = join(dataDir, DATABASE_FILE);
    const backup = join(mkdtempSync(join(tmpdir(), 'tieout-backup-')), DATABASE_FILE);
    copyFileSync(file, backup);
    return () => copyFileSync(backup, file);
  }
  const name = folderDatabaseName(dataDir);
  const backup = `${name}_backup`;
  withAdmin((c) => c.run([{ sql: `DROP DATABASE IF EXISTS ${backup}` }, { sql: `CREATE DATABASE ${backup} TEMPLATE ${name}` }]));
  return () => withAdmin((c) => c.run([{ sql: `DROP DATABASE ${name} WITH (FORCE)` }, { sql: `CREATE DATABASE ${name} TEMPLATE ${backup}` }]));
}

/** True when the data folder has a store (its file, or its workspace database). */
export function storeExists(dataDir: string): boolean {
  return onWorkspace ? folderDatabaseExists(workspaceAdminUrl()!, dataDir) : existsSync(join(dataDir, DATABASE_FILE));
}

/** The stores setAsideStore() kept for this folder under a label starting with `prefix` (files, or renamed databases). */
export function setAsideStores(dataDir: string, prefix: string): string[] {
  if (!onWorkspace) return readdirSync(dataDir).filter((f) => f.startsWith(`${DATABASE_FILE}.${prefix}`) && !f.endsWith('-wal') && !f.endsWith('-shm'));
  // A workspace keeps the label only as a hash in the database's name.
  const name = folderDatabaseName(dataDir);
  const rows = withAdmin((c) => c.run([{ sql: "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2 ORDER BY datname", params: [`${name}\\_%`, `${name}_backup`] }]).rows) as Array<{ datname: string }>;
  return rows.map((r) => r.datname);
}

/**
 * Every row of every table as text, for "what is kept at rest" checks: on
 * SQLite the folder's files hold it all; a workspace keeps it in the server.
 */
export function storedRowsText(db: Queryable): string {
  return storeTableNames(db)
    .map((name) => `${name}\n${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`)
    .join('\n');
}

type Gettable = Queryable & { prepare(sql: string): { all(...args: unknown[]): unknown[]; get(...args: unknown[]): unknown } };
const digestQueries = new WeakMap<object, string>();

/**
 * A workspace's every row as one digest, in one round trip (a statement per
 * table would cost a round trip each): PostgreSQL's stand-in for SQLite's
 * total_changes() in "this changed nothing" checks.
 */
export function workspaceRowsDigest(db: Gettable): string {
  let sql = digestQueries.get(db);
  if (!sql) {
    sql = storeTableNames(db)
      .map((name) => `SELECT '${name}' AS t, md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${name}" x`)
      .join(' UNION ALL ');
    digestQueries.set(db, sql);
  }
  return JSON.stringify(db.prepare(sql).all());
}
