import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, makePrivate, touchPrivateFile } from '../private-files';
import { currentVersion, migrate, migrations } from './migrations';
import { folderDatabaseExists, folderWorkspaceConfig, openWorkspaceDb, setAsideFolderDatabase, testWorkspaceUrl } from './pg/open-workspace';


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
  const testCluster = testWorkspaceUrl();
  if (testCluster) return openWorkspaceDb(folderWorkspaceConfig(testCluster, dataDir), { label: dataDir }) as unknown as Db;
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

/**
 * Opens an existing store read-only (the CLI's read-only commands on a data
 * folder a running app may be using): SQLite refuses every write, no
 * migration runs, nothing is created. An older schema is refused unless the
 * caller only reads tables that have not changed since (`anySchema`).
 */
/** Renames the store's files (database, WAL, shared memory) to `<name>.<label>`, keeping them; returns the database's new path. */
export function setAsideStore(dataDir: string, label: string): string {
  const testCluster = testWorkspaceUrl();
  if (testCluster) return setAsideFolderDatabase(testCluster, dataDir, label);
  const file = join(dataDir, DATABASE_FILE);
  const target = `${file}.${label}`;
  for (const suffix of ['', '-wal', '-shm', '-journal']) if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${target}${suffix}`);
  return target;
}

export function openStoreReadOnly(dataDir: string, options: { anySchema?: boolean } = {}): ReadDb {
  const testCluster = testWorkspaceUrl();
  if (testCluster) {
    if (!folderDatabaseExists(testCluster, dataDir)) throw new Error(`No Tieout data in ${dataDir} (no ${DATABASE_FILE})`);
    return openWorkspaceDb(folderWorkspaceConfig(testCluster, dataDir), { label: dataDir, readonly: true, anySchema: options.anySchema }) as unknown as ReadDb;
  }
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) throw new Error(`No Tieout data in ${dataDir} (no ${DATABASE_FILE})`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const latest = migrations[migrations.length - 1]!.version;
  const version = currentVersion(db);
  if (version > latest || (version < latest && !options.anySchema)) {
    db.close();
    throw new Error(
      version > latest
        ? `The data in ${dataDir} was written by a newer Tieout (schema ${version}, this one knows ${latest})`
        : `The data in ${dataDir} needs upgrading (schema ${version} of ${latest}): open it once with the app or a writing command first`,
    );
  }
  return db as ReadDb;
}

/**
 * Runs `fn` holding SQLite's write lock (BEGIN IMMEDIATE) across its awaits,
 * committing when it resolves and rolling back when it throws. Only for
 * start-up steps that must pair a store write with an async one (the audit
 * seal and its keychain key) while nothing else in this process uses `db`.
 */
export async function withWriteLock<T>(db: WriteDb, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await fn();
    db.exec('COMMIT');
    return result;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}
