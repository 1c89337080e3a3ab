import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, makePrivate, touchPrivateFile } from '../private-files';
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
  // The folder 0700 and the store's files 0600 whatever the umask (SQLite gives
  // -wal and -shm the database file's mode; files an older version left wider are narrowed).
  ensurePrivateDir(dataDir);
  const file = join(dataDir, DATABASE_FILE);
  touchPrivateFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const companion of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) makePrivate(companion);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Deleted and overwritten content is zeroed, not left in free pages (a scrubbed raw row, a cleared note).
  db.pragma('secure_delete = ON');
  // A second app instance or the CLI may hold the write lock briefly.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return asStoreDb(db);
}
