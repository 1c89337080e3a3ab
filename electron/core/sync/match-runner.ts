import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger';
import type { MatchConfig } from '../matching/config';
import { createMatcher } from '../matching/engine';
import type { Matcher } from '../matching/types';
import type { Db } from '../store/db';
import { IncrementalRematcher, type RematchRequest, type RematchResult } from './incremental-rematch';
import type { WorkerReply, WorkerRequest } from './match-worker';

// Runs the sync's re-match off the engine's thread, in a worker thread with its
// own store connection (match-worker.ts). Where a worker cannot start (no bundle
// beside this file, an in-memory store, a platform without worker threads) it
// matches in-process, synchronously, and says so once in the log.

export type MatchRunner = Readonly<{
  /** 'worker' once the worker has started; 'in-process' when it could not (or was not asked to). */
  mode(): 'worker' | 'in-process' | 'starting';
  run(request: RematchRequest): Promise<RematchResult>;
  /** Outcomes were written elsewhere (a synchronous full re-match): the next run is full. */
  reset(): void;
  /**
   * New matching rules: the worker (and the in-process fallback) drop their matcher
   * and state and build them again with `config`; the next run is full. Runs already
   * sent to the worker finish first (its messages are handled in order).
   */
  configure(config: MatchConfig): void;
  close(): Promise<void>;
}>;

export type MatchRunnerOptions = Readonly<{
  db: Db;
  logger: Logger;
  /** The in-process matcher (fallback); default createMatcher(config). */
  matcher?: () => Matcher;
  config?: Partial<MatchConfig>;
  /** false: never start a worker. */
  worker?: boolean;
}>;

/** Where the worker's code is: the bundle beside this module (built engine, electron-vite main), else the TypeScript source through tsx (tests, tsx scripts). */
function workerEntry(): { code: string; evalCode: boolean } | null {
  const here = typeof __dirname === 'string' ? __dirname : null;
  if (!here) return null;
  for (const dir of [here, join(here, '..')]) {
    const js = join(dir, 'match-worker.js');
    if (existsSync(js)) return { code: js, evalCode: false };
  }
  const ts = join(here, 'match-worker.ts');
  if (existsSync(ts)) return { code: `require('tsx/cjs/api').register(); require(${JSON.stringify(ts)});`, evalCode: true };
  return null;
}

export function createMatchRunner(o: MatchRunnerOptions): MatchRunner {
  let config: Partial<MatchConfig> = o.config ?? {};
  let inProcess: IncrementalRematcher | null = null;
  // o.matcher is the engine's, which follows the engine's settings (it is reset with them).
  const local = (): IncrementalRematcher => (inProcess ??= new IncrementalRematcher(o.matcher?.() ?? createMatcher(config)));

  let worker: Worker | null = null;
  let ready: Promise<boolean> | null = null;
  let failed = o.worker === false;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (r: RematchResult) => void; reject: (e: Error) => void }>();

  // The worker keeps the process alive only while a run is waiting on it.
  const refWhileWaiting = (): void => {
    if (waiting.size > 0) worker?.ref();
    else worker?.unref();
  };

  const fallBack = (why: string): void => {
    if (worker && o.db.open) o.db.pragma('wal_autocheckpoint = 1000');
    if (!failed) o.logger.warn(`match worker unavailable (${why}): matching in-process on the engine's thread`);
    failed = true;
    worker = null;
    for (const [, w] of waiting) w.reject(new Error(`match worker stopped: ${why}`));
    waiting.clear();
  };

  const start = (): Promise<boolean> => {
    if (ready) return ready;
    ready = new Promise<boolean>((resolve) => {
      const dbFile = o.db.memory ? null : o.db.name;
      const entry = workerEntry();
      if (!dbFile || !entry) {
        fallBack(!dbFile ? 'in-memory store' : 'no worker bundle next to the engine');
        resolve(false);
        return;
      }
      try {
        const w = new Worker(entry.code, { eval: entry.evalCode, workerData: { dbFile, config } });
        w.on('message', (m: WorkerReply) => {
          if (m.type === 'ready') {
            worker = w;
            // SQLite checkpoints the WAL on the committing connection: after the worker has
            // written 100k outcomes that would be one of the engine thread's next small
            // commits. The worker's connection checkpoints instead (after each run).
            o.db.pragma('wal_autocheckpoint = 0');
            o.logger.info('matching runs in a worker thread');
            refWhileWaiting();
            resolve(true);
          } else if (m.type === 'result') {
            const wait = waiting.get(m.id);
            waiting.delete(m.id);
            if (!wait) return;
            if (m.ok) wait.resolve(m.result);
            else wait.reject(new Error(m.error));
          }
        });
        w.on('error', (e) => {
          fallBack(e.message);
          resolve(false);
        });
        w.on('exit', (code) => {
          if (worker === w || !failed) fallBack(`exited with code ${code}`);
          resolve(false);
        });
        // Referenced while starting (a run is waiting for it); afterwards only while a run is.
      } catch (e) {
        fallBack((e as Error).message);
        resolve(false);
      }
    });
    return ready;
  };

  const send = (m: WorkerRequest): void => worker?.postMessage(m);

  return {
    mode: () => (failed ? 'in-process' : worker ? 'worker' : 'starting'),
    async run(request) {
      if (!failed && (await start()) && worker) {
        const id = nextId++;
        try {
          return await new Promise<RematchResult>((resolve, reject) => {
            waiting.set(id, { resolve, reject });
            refWhileWaiting();
            send({ type: 'run', id, request });
          }).finally(refWhileWaiting);
        } catch (e) {
          o.logger.warn(`match worker run failed, matching in-process instead: ${(e as Error).message.split('\n')[0]}`);
          return local().run(o.db, { ...request, full: true });
        }
      }
      return local().run(o.db, request);
    },
    reset() {
      inProcess?.reset();
      send({ type: 'reset' });
    },
    configure(next) {
      config = next;
      inProcess = null;
      if (worker) send({ type: 'configure', config: next });
      // Starting with the old rules in its workerData: told once it is ready, before any run waiting for it.
      else if (ready && !failed) void ready.then((ok) => ok && send({ type: 'configure', config }));
    },
    async close() {
      const w = worker;
      worker = null;
      failed = true;
      if (w && o.db.open) o.db.pragma('wal_autocheckpoint = 1000');
      if (w) {
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        w.postMessage({ type: 'close' } satisfies WorkerRequest);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
        await w.terminate().catch(() => 0);
      }
    },
  };
}
