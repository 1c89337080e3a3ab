import { PG_WORKER_SUPPORT_JS, pgConnectionTarget } from './client-options';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

// The store API is synchronous (better-sqlite3); the workspace database is
// PostgreSQL through the asynchronous `pg` client. Rather than rewrite every
// service as async, the workspace connection lives in a worker thread and the
// engine's thread waits for each reply on a shared flag (Atomics.wait), the
// technique synckit uses for eslint's synchronous rules. One connection, one
// request at a time: the same ordering guarantees the SQLite connection gives.

export type PgConnectionConfig = Readonly<{
  connectionString: string;
  /** Passed to `pg` as `ssl`; false for a loopback test cluster. */
  ssl?: false | Readonly<{ rejectUnauthorized: boolean; ca?: string; /** false: the chain is checked, not the host name (verify-ca). */ verifyHostname?: boolean }>;
  password?: string;
  applicationName?: string;
  /** How long a statement may wait for a lock before failing (ms). */
  lockTimeoutMs?: number;
}>;

export type PgStep = Readonly<{ sql: string; params?: readonly unknown[]; rowMode?: 'array' }>;
export type PgResult = Readonly<{ rows: unknown[]; rowCount: number; fields: string[] }>;

/** A PostgreSQL error as the worker saw it: SQLSTATE, message and the server's detail. */
export class PgStoreError extends Error {
  override readonly name = 'PgStoreError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly detail: string | undefined,
    readonly constraint: string | undefined,
  ) {
    super(message);
  }
}

type Reply = { ok: PgResult } | { error: { message: string; code?: string; detail?: string; constraint?: string } };

// Plain CommonJS so it runs unbundled from any build (electron-vite, the engine bundle, tsx).
const WORKER_CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const flag = new Int32Array(workerData.shared);
const port = workerData.port;
${PG_WORKER_SUPPORT_JS}
const config = withTls({ ...workerData.config, types });
const client = new pg.Client(config);
let broken = null;
client.on('error', (e) => { broken = e; });
const ready = client.connect().then(() =>
  client.query("SET lock_timeout = '" + Number(workerData.lockTimeoutMs) + "ms'"));
async function run(steps, pick) {
  await ready;
  if (broken) throw broken;
  let picked = { rows: [], rowCount: 0, fields: [] };
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const r = await client.query({ text: s.sql, values: s.params || [], rowMode: s.rowMode });
    if (i === pick) picked = { rows: r.rows || [], rowCount: r.rowCount || 0, fields: (r.fields || []).map((f) => f.name) };
  }
  return picked;
}
parentPort.on('message', async (req) => {
  let reply;
  try {
    if (req.op === 'close') { await client.end().catch(() => {}); reply = { ok: { rows: [], rowCount: 0, fields: [] } }; }
    else reply = { ok: await run(req.steps, req.pick) };
  } catch (e) {
    reply = { error: { message: String((e && e.message) || e), code: e && e.code, detail: e && e.detail, constraint: e && e.constraint } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

export class PgSyncClient {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;

  constructor(
    config: PgConnectionConfig,
    private readonly replyTimeoutMs = 120_000,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const { lockTimeoutMs, connectionString, password, ...given } = config;
    const pgConfig = { ...given, ...pgConnectionTarget({ connectionString, password }) };
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: {
        shared: this.flag.buffer,
        port: port2,
        pgPath: require.resolve('pg'),
        config: { ...pgConfig, application_name: config.applicationName ?? 'tieout' },
        lockTimeoutMs: lockTimeoutMs ?? 30_000,
      },
      transferList: [port2],
    });
    // Idle, the worker must not keep the process alive.
    this.worker.unref();
    this.port.unref();
  }

  /** Runs the steps in order on the one connection and returns the last one's result. */
  run(steps: readonly PgStep[]): PgResult {
    return this.runPicking(steps, steps.length - 1);
  }

  /** Runs the steps in order and returns the result of the one at `pick`. */
  runPicking(steps: readonly PgStep[], pick: number): PgResult {
    if (this.closed) throw new PgStoreError('The workspace connection is closed', undefined, undefined, undefined);
    const reply = this.call({ op: 'run', steps, pick });
    if ('error' in reply) throw new PgStoreError(reply.error.message, reply.error.code, reply.error.detail, reply.error.constraint);
    return reply.ok;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'close' });
    } catch {
      // Closing a connection that already failed.
    }
    this.closed = true;
    void this.worker.terminate();
  }

  private call(request: unknown): Reply {
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage(request);
    const waited = Atomics.wait(this.flag, 0, 0, this.replyTimeoutMs);
    if (waited === 'timed-out') {
      this.closed = true;
      void this.worker.terminate();
      throw new PgStoreError(`The workspace database did not answer within ${Math.round(this.replyTimeoutMs / 1000)} s`, undefined, undefined, undefined);
    }
    const received = receiveMessageOnPort(this.port);
    if (!received) throw new PgStoreError('The workspace connection lost a reply', undefined, undefined, undefined);
    return received.message as Reply;
  }
}
