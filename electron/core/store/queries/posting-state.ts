import type { ReceiptRequest } from '../../erp/connector';
import type { ReadDb, WriteDb } from '../db';
import { parseReceiptPayload } from './outbox-payloads';

// What the review side (offline snapshots, conflicts, catch-up re-validation)
// reads and changes of a receipt's outbox row. The outbox's own life (claim,
// send, retry, dead letters) is store/queries/outbox.ts; these are the few
// steps a clerk's decision takes on a row that has not been sent.

/** The transaction's queued receipt, whatever its state. */
export function receiptFor(db: ReadDb, transactionId: number): ReceiptRequest | null {
  const row = db.prepare("SELECT payload_json FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(transactionId) as { payload_json: string } | undefined;
  return row ? parseReceiptPayload(row.payload_json) : null;
}

/** The transaction's receipt held back by a conflict (state 'conflict'). */
export function conflictedReceipt(db: ReadDb, transactionId: number): { outboxId: number; receipt: ReceiptRequest } | null {
  const row = db.prepare("SELECT id, payload_json FROM outbox WHERE transaction_id = ? AND kind = 'receipt' AND state = 'conflict'").get(transactionId) as
    | { id: number; payload_json: string }
    | undefined;
  return row ? { outboxId: row.id, receipt: parseReceiptPayload(row.payload_json) } : null;
}

/** An outbox row's state and when it last changed. */
export function outboxStateOf(db: ReadDb, outboxId: number): { state: string; updatedAt: string } | null {
  const row = db.prepare('SELECT state, updated_at FROM outbox WHERE id = ?').get(outboxId) as { state: string; updated_at: string } | undefined;
  return row ? { state: row.state, updatedAt: row.updated_at } : null;
}

/**
 * A conflicted receipt with a new allocation goes back in the queue. attempts
 * stays as it is (0: the row was never sent), so it is re-validated again
 * before it is sent.
 */
export function requeueReceipt(db: WriteDb, outboxId: number, receipt: ReceiptRequest, now: string): void {
  db.prepare("UPDATE outbox SET payload_json = ?, state = 'queued', next_attempt_at = ?, last_error = NULL, updated_at = ? WHERE id = ?").run(JSON.stringify(receipt), now, now, outboxId);
}

/** A conflicted receipt the clerk dropped: never sent. */
export function discardReceipt(db: WriteDb, outboxId: number, now: string): void {
  db.prepare("UPDATE outbox SET state = 'discarded', updated_at = ? WHERE id = ?").run(now, outboxId);
}

export type ReceiptRowState = { id: number; transactionId: number; state: string; attempts: number; leaseUntil: string | null };

/** Receipt rows of these transactions: what undo compares with its snapshot. */
export function receiptRowsOf(db: ReadDb, transactionIds: readonly number[]): ReceiptRowState[] {
  const out: ReceiptRowState[] = [];
  // In chunks: a bulk approval's batch can hold thousands of rows (bound parameters are limited).
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    const rows = db
      .prepare(`SELECT id, transaction_id, state, attempts, lease_until FROM outbox WHERE kind = 'receipt' AND transaction_id IN (${chunk.map(() => '?').join(',')})`)
      .all(...chunk) as Array<{ id: number; transaction_id: number; state: string; attempts: number; lease_until: string | null }>;
    for (const r of rows) out.push({ id: r.id, transactionId: r.transaction_id, state: r.state, attempts: r.attempts, leaseUntil: r.lease_until });
  }
  return out;
}

/**
 * Removes a receipt only while no worker can be sending it: queued, never
 * attempted, not leased. The condition is in the DELETE itself, so a claim
 * that wins the race (another lane, another workstation of a workspace) makes
 * it remove nothing, and the caller refuses the undo instead of dropping a row
 * that is on its way to the ERP.
 */
export function deleteHeldReceipt(db: WriteDb, outboxId: number, now: string): boolean {
  const removed = db.prepare("DELETE FROM outbox WHERE id = ? AND state = 'queued' AND attempts = 0 AND (lease_until IS NULL OR lease_until < ?)").run(outboxId, now).changes > 0;
  if (removed) db.prepare('DELETE FROM outbox_attempts WHERE outbox_id = ?').run(outboxId);
  return removed;
}

/** Removes a receipt that was never sent (undo of the approval that queued it). */
export function deleteUnsentReceipt(db: WriteDb, outboxId: number): void {
  db.prepare('DELETE FROM outbox_attempts WHERE outbox_id = ?').run(outboxId);
  db.prepare('DELETE FROM outbox WHERE id = ?').run(outboxId);
}
