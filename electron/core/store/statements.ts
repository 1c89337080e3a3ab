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
