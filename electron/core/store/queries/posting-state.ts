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

/** Receipt rows of these transactions: what undo compares with its snapshot. */
export function receiptRowsOf(db: ReadDb, transactionIds: readonly number[]): Array<{ id: number; transactionId: number; state: string; attempts: number }> {
  if (transactionIds.length === 0) return [];
  const rows = db
    .prepare(`SELECT id, transaction_id, state, attempts FROM outbox WHERE kind = 'receipt' AND transaction_id IN (${transactionIds.map(() => '?').join(',')})`)
    .all(...transactionIds) as Array<{ id: number; transaction_id: number; state: string; attempts: number }>;
  return rows.map((r) => ({ id: r.id, transactionId: r.transaction_id, state: r.state, attempts: r.attempts }));
}

/** Removes a receipt that was never sent (undo of the approval that queued it). */
export function deleteUnsentReceipt(db: WriteDb, outboxId: number): void {
  db.prepare('DELETE FROM outbox_attempts WHERE outbox_id = ?').run(outboxId);
  db.prepare('DELETE FROM outbox WHERE id = ?').run(outboxId);
}
