import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { asStoreDb } from '../store/db';
import type { MatchConfig } from '../matching/config';
import { createMatcher } from '../matching/engine';
import { IncrementalRematcher, type RematchRequest } from './incremental-rematch';

// The matching worker thread: its own connection to the store (WAL lets it read
// while the engine's thread serves the UI), the prepared matcher and the state of
// the last run. It reads, matches and writes outcomes (in short transactions), and
// answers with counts only, so nothing large crosses back to the engine's thread.
// Bundled as its own entry: out/engine/match-worker.js, out/main/match-worker.js.

export type WorkerData = Readonly<{ dbFile: string; config?: Partial<MatchConfig> }>;
export type WorkerRequest =
  | { type: 'run'; id: number; request: RematchRequest }
  | { type: 'reset' }
  /** New matching rules (Settings → Matching rules): a new matcher, no state (the next run is full). */
  | { type: 'configure'; config: Partial<MatchConfig> }
  | { type: 'close' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; result: import('./incremental-rematch').RematchResult }
  | { type: 'result'; id: number; ok: false; error: string };

const port = parentPort;
if (port) {
  const data = workerData as WorkerData;
  const db = asStoreDb(new Database(data.dbFile, { fileMustExist: true }));
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  let rematcher = new IncrementalRematcher(createMatcher(data.config ?? {}));
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'run') {
      let reply: WorkerReply;
      try {
        reply = { type: 'result', id: message.id, ok: true, result: rematcher.run(db, message.request) };
        // The engine's connection does not checkpoint while the worker runs (match-runner.ts): this one does.
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch (e) {
        rematcher.reset();
        reply = { type: 'result', id: message.id, ok: false, error: (e as Error).stack ?? String(e) };
      }
      port.postMessage(reply);
    } else if (message.type === 'reset') {
      rematcher.reset();
    } else if (message.type === 'configure') {
      rematcher = new IncrementalRematcher(createMatcher(message.config));
    } else if (message.type === 'close') {
      db.close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
