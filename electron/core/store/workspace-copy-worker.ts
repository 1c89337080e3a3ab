import { PG_WORKER_SUPPORT_JS, pgConnectionTarget } from './pg/client-options';
import { Worker } from 'node:worker_threads';
import type { PgConnectionConfig } from './pg/sync-client';

// Copying the workspace into this workstation's SQLite copy, off the engine's
// thread: a worker with its own asynchronous `pg` connection (the engine's
// connection blocks its thread on every statement) reads every table in one
// read-only repeatable-read transaction, a few thousand rows at a time through
// a server-side cursor, and writes them to the new copy's file in one SQLite
// transaction. 100k payments took 16-20 s on the engine's thread; here the
// engine keeps answering meanwhile.

export type CopyTable = Readonly<{ name: string; columns: readonly string[] }>;

const BATCH_ROWS = 5_000;

// Plain CommonJS, evaluated: it runs unbundled from any build (as store/pg/sync-client.ts's worker).
const WORKER_CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const Database = require(workerData.sqlitePath);
${PG_WORKER_SUPPORT_JS}
const quote = (name) => '"' + String(name).replace(/"/g, '""') + '"';
async function copy() {
  const config = withTls({ ...workerData.config, types });
  const client = new pg.Client(config);
  client.on('error', () => {});
  const db = new Database(workerData.file);
  let rows = 0;
  try {
    await client.connect();
    db.pragma('foreign_keys = OFF');
    db.exec('BEGIN');
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const table of workerData.tables) {
      const list = table.columns.map(quote).join(', ');
      const insert = db.prepare('INSERT OR REPLACE INTO ' + quote(table.name) + ' (' + list + ') VALUES (' + table.columns.map(() => '?').join(', ') + ')');
      await client.query('DECLARE tieout_copy NO SCROLL CURSOR FOR SELECT ' + list + ' FROM ' + quote(table.name));
      for (;;) {
        const r = await client.query({ text: 'FETCH ' + workerData.batch + ' FROM tieout_copy', rowMode: 'array' });
        for (const row of r.rows) insert.run(...row);
        rows += r.rows.length;
        if (r.rows.length < workerData.batch) break;
      }
      await client.query('CLOSE tieout_copy');
    }
    await client.query('ROLLBACK');
    db.exec('COMMIT');
    return rows;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    await client.end().catch(() => {});
  }
}
copy().then(
  (rows) => parentPort.postMessage({ ok: rows }),
  (e) => parentPort.postMessage({ error: String((e && e.message) || e), code: e && e.code }),
);
`;

export class WorkspaceCopyError extends Error {
  override readonly name = 'WorkspaceCopyError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Copies `tables` from the workspace into the SQLite file (its schema already made); resolves with the number of rows. */
export function copyWorkspaceInWorker(config: PgConnectionConfig, file: string, tables: readonly CopyTable[]): Promise<number> {
  const { lockTimeoutMs: _lock, applicationName, connectionString, password, ...rest } = config;
  const pgConfig = { ...rest, ...pgConnectionTarget({ connectionString, password }) };
  return new Promise<number>((resolve, reject) => {
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: {
        pgPath: require.resolve('pg'),
        sqlitePath: require.resolve('better-sqlite3'),
        config: { ...pgConfig, application_name: `${applicationName ?? 'tieout'} copy` },
        file,
        tables,
        batch: BATCH_ROWS,
      },
    });
    let settled = false;
    worker.once('message', (m: { ok?: number; error?: string; code?: string }) => {
      settled = true;
      if (m.ok !== undefined) resolve(m.ok);
      else reject(new WorkspaceCopyError(`The workspace could not be copied: ${m.error ?? 'unknown error'}`, m.code));
      void worker.terminate();
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new WorkspaceCopyError(`The workspace copy stopped (exit ${code})`, undefined));
    });
  });
}
