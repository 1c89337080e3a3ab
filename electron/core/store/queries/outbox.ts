import { UNFINISHED_SQL, type WaitingState, type WriteState } from '../../remote-writes/states';
import type { ReadDb, WriteDb } from '../db';
import { statement } from '../statements';

// The outbox (postings to the ERP: receipts, credit memos) and its attempt log.
// The runner's kinds (electron/core/posting/outbox-worker.ts) and the approval
// (enqueueReceipt) are its only writers.

export type OutboxKind = 'receipt' | 'credit_memo';

export type OutboxRow = {
  id: number;
  idempotency_key: string;
  transaction_id: number;
  kind: OutboxKind;
  payload_json: string;
  state: WriteState;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  erp_document_id: string | null;
};

export type OutboxRowWithTimes = OutboxRow & { updated_at: string };

export type OutboxAttempt = Readonly<{ at: string; outcome: string; detail: string | null }>;

/**
 * Queues a receipt in the approval's transaction. A payment discarded from the
 * dead-letter queue and approved again reuses its row: the attempt count
 * survives, so the next send starts with the ERP look-up.
 */
export function enqueueReceipt(db: WriteDb, r: Readonly<{ key: string; transactionId: number; payloadJson: string; now: string; dueAt?: string }>): void {
  statement(
    db,
    `INSERT INTO outbox (idempotency_key, transaction_id, kind, payload_json, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, 'receipt', ?, 'queued', 0, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO UPDATE SET payload_json = excluded.payload_json, state = 'queued', next_attempt_at = excluded.next_attempt_at,
       last_error = NULL, updated_at = excluded.updated_at
     WHERE outbox.state = 'discarded'`,
  ).run(r.key, r.transactionId, r.payloadJson, r.dueAt ?? r.now, r.now, r.now);
}

/** Unfinished rows someone holds a lease on (to release those of ended processes). */
export function leasedUnfinished(db: ReadDb): Array<{ id: number; lease_owner: string }> {
  return statement(db, `SELECT id, lease_owner FROM outbox WHERE lease_owner IS NOT NULL AND state IN (${UNFINISHED_SQL})`).all() as Array<{ id: number; lease_owner: string }>;
}

export function releaseLease(db: WriteDb, id: number, owner: string): void {
  statement(db, 'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?').run(id, owner);
}

/** Rows due now and not leased. */
export function dueCount(db: ReadDb, now: string): number {
  return (
    statement(db, `SELECT COUNT(*) AS n FROM outbox WHERE state IN (${UNFINISHED_SQL}) AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)`).get(now, now) as {
      n: number;
    }
  ).n;
}

/** When the next row becomes due (ISO), or null when nothing is left to post. */
export function nextDueAt(db: ReadDb): string | null {
  return (statement(db, `SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, ''))) AS at FROM outbox WHERE state IN (${UNFINISHED_SQL})`).get() as { at: string | null }).at;
}

/**
 * Takes the lease on the oldest due row, atomically: two lanes, two app
 * instances or two workstations of a workspace never get the same row (on
 * PostgreSQL the row is locked with SKIP LOCKED, so a claim never waits on or
 * re-takes a row another claim holds).
 */
export function claimDue(db: WriteDb, owner: string, now: string, leaseUntil: string): OutboxRow | null {
  return (
    (statement(
      db,
      `UPDATE outbox SET lease_owner = ?, lease_until = ?, updated_at = ?
         WHERE id = (
           SELECT id FROM outbox
           WHERE state IN (${UNFINISHED_SQL}) AND next_attempt_at <= ?
             AND (lease_until IS NULL OR lease_until < ?)
           ORDER BY id LIMIT 1 /*pg: FOR UPDATE SKIP LOCKED*/)
         RETURNING *`,
    ).get(owner, leaseUntil, now, now, now) as OutboxRow | undefined) ?? null
  );
}

/** The intent, committed before the request leaves: from here on the row counts as possibly sent. */
export function markSending(db: WriteDb, id: number, now: string): void {
  statement(db, "UPDATE outbox SET state = 'sending', attempts = attempts + 1, sent_at = ?, updated_at = ? WHERE id = ?").run(now, now, id);
}

export function markPosted(db: WriteDb, id: number, documentId: string, how: string, now: string): void {
  statement(db, "UPDATE outbox SET state = 'posted', erp_document_id = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?").run(documentId, now, id);
  recordAttempt(db, id, 'posted', how, now);
}

/** Waits for the next attempt; a row that was 'sending' keeps counting as possibly sent (its attempts say so). */
export function reschedule(db: WriteDb, id: number, state: WaitingState, nextAttemptAt: string, message: string, now: string): void {
  statement(db, 'UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?').run(state, nextAttemptAt, message, now, id);
  recordAttempt(db, id, state, message, now);
}

/** Stops a row for the clerk: 'dead' (the dead-letter queue) or 'conflict' (re-validation found the world changed). */
export function park(db: WriteDb, id: number, state: Extract<WriteState, 'dead' | 'conflict'>, message: string, now: string): void {
  statement(db, 'UPDATE outbox SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?').run(state, message, now, id);
  recordAttempt(db, id, state, message, now);
}

export function recordAttempt(db: WriteDb, outboxId: number, outcome: string, detail: string, at: string): void {
  statement(db, 'INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, ?, ?)').run(outboxId, at, outcome, detail);
}

export function attemptsOf(db: ReadDb, outboxId: number): OutboxAttempt[] {
  return statement(db, 'SELECT at, outcome, detail FROM outbox_attempts WHERE outbox_id = ? ORDER BY id').all(outboxId) as OutboxAttempt[];
}

/** A posted receipt shows as posted in the review grid. */
export function markMatchPosted(db: WriteDb, transactionId: number): void {
  statement(db, "UPDATE matches SET review_state = 'posted' WHERE transaction_id = ?").run(transactionId);
}

export type OutboxCounts = Readonly<{ queued: number; sending: number; retrying: number; unknownOutcome: number; posted: number; dead: number }>;

export function outboxCounts(db: ReadDb): OutboxCounts {
  const counts = { queued: 0, sending: 0, retrying: 0, unknownOutcome: 0, posted: 0, dead: 0 };
  const field: Partial<Record<WriteState, keyof typeof counts>> = {
    queued: 'queued',
    sending: 'sending',
    retry_wait: 'retrying',
    unknown_outcome: 'unknownOutcome',
    posted: 'posted',
    dead: 'dead',
  };
  for (const r of statement(db, 'SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as Array<{ state: WriteState; n: number }>) {
    const f = field[r.state];
    if (f) counts[f] = r.n;
  }
  return counts;
}

/** A payment's receipt row, if it was ever queued. */
export function outboxFor(db: ReadDb, transactionId: number): OutboxRowWithTimes | null {
  return (statement(db, "SELECT * FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(transactionId) as OutboxRowWithTimes | undefined) ?? null;
}

export type HeldReceipts = Readonly<{ count: number; until: string | null }>;

/**
 * Receipts still inside their undo window: queued, never attempted, not due
 * yet (next_attempt_at in the future; the outbox_due index answers it).
 */
export function heldReceipts(db: ReadDb, now: string): HeldReceipts {
  const r = statement(db, "SELECT COUNT(*) AS n, MAX(next_attempt_at) AS until FROM outbox WHERE state = 'queued' AND kind = 'receipt' AND attempts = 0 AND next_attempt_at > ?").get(now) as {
    n: number;
    until: string | null;
  };
  return { count: Number(r.n), until: r.until };
}

/** Ends the undo window of these receipts now (a clerk's "Post now"): how many were still waiting. */
export function releaseHeldReceipts(db: WriteDb, transactionIds: readonly number[], now: string): number {
  let n = 0;
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    n += db.prepare(
      `UPDATE outbox SET next_attempt_at = ?, updated_at = ? WHERE kind = 'receipt' AND state = 'queued' AND attempts = 0 AND next_attempt_at > ? AND transaction_id IN (${chunk.map(() => '?').join(',')})`,
    ).run(now, now, now, ...chunk).changes;
  }
  return n;
}
