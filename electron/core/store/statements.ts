import type Database from 'better-sqlite3';
import type { ReadDb } from './db';

// Prepared statements kept per connection, for queries run once per row in a
// batch (the runner claims, marks and records each posting): better-sqlite3
// compiles the SQL on every prepare(), which cost as much as the query itself.
const cache = new WeakMap<ReadDb, Map<string, Database.Statement>>();

export function statement(db: ReadDb, sql: string): Database.Statement {
  let byDb = cache.get(db);
  if (!byDb) cache.set(db, (byDb = new Map()));
  let s = byDb.get(sql);
  if (!s) byDb.set(sql, (s = db.prepare(sql)));
  return s;
}

/** True when `db` is a team workspace (PostgreSQL) rather than the embedded SQLite store. */
export function isWorkspace(db: ReadDb): boolean {
  return (db as unknown as { dialect?: string }).dialect === 'postgres';
}

/**
 * A statement written per dialect, for the few constructs the translation
 * (pg/translate.ts) does not carry: JSON paths, the catalogue, row locks.
 */
export function sqlFor(db: ReadDb, forms: Readonly<{ sqlite: string; postgres: string }>): string {
  return isWorkspace(db) ? forms.postgres : forms.sqlite;
}
