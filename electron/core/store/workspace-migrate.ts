import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from './db';
import { currentVersion, migrate } from './migrations';
import { WRITER_LOCK_KEY } from './pg/pg-database';
import type { PgSyncClient } from './pg/sync-client';

// Moving a single-user store into a freshly created workspace: every table,
// row for row and value for value, parents before children, in one
// PostgreSQL transaction under the writer lock (all or nothing). The audit
// rows keep their ids, prev_hash and hash, so the chain and its keyed seal
// verify in the workspace as they did in SQLite. Identities continue past the
// highest id either side ever handed out (SQLite's AUTOINCREMENT high-water
// included), so no later insert reuses an id the copied rows or the trail refer to.
// The SQLite file is left where it is: the folder's cache and backup.

export type MigrationCount = Readonly<{ table: string; rows: number }>;

/** Keeps each INSERT well under PostgreSQL's 65535 bind parameters. */
const PARAMS_PER_INSERT = 20_000;

function tablesInForeignKeyOrder(src: Database.Database): string[] {
  const names = (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
  const parents = new Map(names.map((n) => [n, (src.pragma(`foreign_key_list("${n}")`) as Array<{ table: string }>).map((f) => f.table).filter((t) => t !== n)]));
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const before = ordered.length;
    for (const n of names) {
      if (!placed.has(n) && parents.get(n)!.every((p) => placed.has(p) || !parents.has(p))) {
        ordered.push(n);
        placed.add(n);
      }
    }
    if (ordered.length === before) throw new Error('The store has a foreign key cycle: it cannot be copied table by table');
  }
  return ordered;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Opens the folder's SQLite store for copying, at the current schema (the same one the workspace was just created at). */
export function openSourceStore(dataDir: string): Database.Database {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) throw new Error(`There is no single-user store to move in ${dataDir} (no ${DATABASE_FILE})`);
  const src = new Database(file, { fileMustExist: true });
  src.pragma('busy_timeout = 5000');
  migrate(src);
  return src;
}

/**
 * Copies `src` into the workspace `target` holds a connection to. The
 * workspace must be freshly created (its tables are emptied first: a
 * migration may have seeded defaults the copied rows replace).
 */
export function copyStoreIntoWorkspace(src: Database.Database, target: PgSyncClient): MigrationCount[] {
  const tables = tablesInForeignKeyOrder(src);
  const pgTables = new Set(target.run([{ sql: "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()" }]).rows.map((r) => (r as { table_name: string }).table_name));
  const missing = tables.filter((t) => !pgTables.has(t));
  if (missing.length) throw new Error(`The workspace lacks tables this store has (${missing.join(', ')}): both must be at schema ${currentVersion(src)}`);
  const identities = target
    .run([{ sql: "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'" }])
    .rows.map((r) => r as { table_name: string; column_name: string });
  const highWater = new Map<string, number>();
  if (tables.length && src.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get()) {
    for (const r of src.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>) highWater.set(r.name, r.seq);
  }

  const counts: MigrationCount[] = [];
  // One read snapshot of SQLite (a running engine may still write to it) and one write transaction in PostgreSQL.
  src.exec('BEGIN');
  try {
    target.run([{ sql: 'BEGIN' }, { sql: `SELECT pg_advisory_xact_lock(${WRITER_LOCK_KEY})` }, { sql: `TRUNCATE ${tables.map(quote).join(', ')}` }]);
    for (const table of tables) {
      const columns = (src.pragma(`table_info(${quote(table)})`) as Array<{ name: string }>).map((c) => c.name);
      const perInsert = Math.max(1, Math.floor(PARAMS_PER_INSERT / columns.length));
      const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES `;
      let batch: unknown[][] = [];
      let rows = 0;
      const flush = () => {
        if (!batch.length) return;
        const tuples = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
        try {
          target.run([{ sql: head + tuples.join(', '), params: batch.flat() }]);
        } catch (e) {
          throw new Error(`Copying ${table} into the workspace failed: ${(e as Error).message}`);
        }
        rows += batch.length;
        batch = [];
      };
      for (const row of src.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} ORDER BY rowid`).raw().iterate() as IterableIterator<unknown[]>) {
        batch.push(row.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
        if (batch.length >= perInsert) flush();
      }
      flush();
      counts.push({ table, rows });
    }
    for (const { table_name: t, column_name: c } of identities) {
      if (!tables.includes(t)) continue;
      const max = target.run([{ sql: `SELECT COALESCE(MAX(${quote(c)}), 0) AS m FROM ${quote(t)}` }]).rows[0] as { m: number };
      const next = Math.max(max.m, highWater.get(t) ?? 0);
      // is_called false at 1: the first insert gets 1, as in an empty SQLite table.
      target.run([{ sql: 'SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)', params: [t, c, Math.max(next, 1), next > 0] }]);
    }
    target.run([{ sql: 'COMMIT' }]);
  } catch (e) {
    try {
      target.run([{ sql: 'ROLLBACK' }]);
    } catch {
      // The connection itself failed: nothing was committed.
    }
    throw e;
  } finally {
    src.exec('COMMIT');
  }
  return counts;
}
