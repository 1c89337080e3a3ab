import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations';


// Read and write access typed apart (as Signal Desktop does): a store function
// that only reads takes a ReadDb, one that writes takes a WriteDb. Both are the
// same connection at run time; the types say at a glance which functions change
// state, and a second dialect (PostgreSQL, issue 14) can implement them apart.
export type ReadDb = Database.Database & { readonly __readableDb: never };
export type WriteDb = ReadDb & { readonly __writableDb: never };

/** The open SQLite connection, writable. Services hold it only to pass it to store functions. */
export type Db = WriteDb;

/** A connection opened outside openStore (the match worker thread, a migration test) as the store's type. */
export function asStoreDb(db: Database.Database): WriteDb {
  return db as WriteDb;
}

export const DATABASE_FILE = 'tieout.sqlite';

/** Opens (creating if needed) the store in a data folder: WAL, foreign keys, migrations applied. */
export function openStore(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // A second app instance or the CLI may hold the write lock briefly.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return asStoreDb(db);
}
