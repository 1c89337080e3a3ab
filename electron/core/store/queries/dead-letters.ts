import type { ReadDb, WriteDb } from '../db';
import type { WriteState } from '../../remote-writes/states';

// The dead-letter queue: receipts the runner gave up on, and the clerk's three
// ways out (retry, mark as posted, discard).

export type DeadLetterRow = {
  id: number;
  transaction_id: number;
  payload_json: string;
  state: WriteState;
  last_error: string | null;
  updated_at: string;
  billing_name: string;
};

export function deadLetters(db: ReadDb): DeadLetterRow[] {
  return db
    .prepare(
      `SELECT o.id, o.transaction_id, o.payload_json, o.state, o.last_error, o.updated_at, t.billing_name
       FROM outbox o JOIN paytrace_transactions t ON t.transaction_id = o.transaction_id
       WHERE o.state = 'dead' ORDER BY o.updated_at DESC`,
    )
    .all() as DeadLetterRow[];
}

/** A payment's receipt row (any state), without the payer's name. */
export function receiptLetter(db: ReadDb, transactionId: number): Omit<DeadLetterRow, 'billing_name'> | null {
  return (
    (db.prepare("SELECT id, transaction_id, payload_json, state, last_error, updated_at FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(transactionId) as
      | Omit<DeadLetterRow, 'billing_name'>
      | undefined) ?? null
  );
}

/** Back to the queue, due now. The attempt count stays, so the next send starts with the ERP look-up. */
export function requeueDeadLetter(db: WriteDb, outboxId: number, transactionId: number, now: string): void {
  db.prepare("UPDATE outbox SET state = 'retry_wait', next_attempt_at = ?, updated_at = ? WHERE id = ?").run(now, now, outboxId);
  db.prepare("UPDATE matches SET review_state = 'approved' WHERE transaction_id = ?").run(transactionId);
}

export function markDeadLetterPosted(db: WriteDb, outboxId: number, transactionId: number, erpDocumentId: string, detail: string, now: string): void {
  db.prepare("UPDATE outbox SET state = 'posted', erp_document_id = ?, updated_at = ? WHERE id = ?").run(erpDocumentId, now, outboxId);
  db.prepare("INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, 'posted', ?)").run(outboxId, now, detail);
  db.prepare("UPDATE matches SET review_state = 'posted' WHERE transaction_id = ?").run(transactionId);
}

/** Discarded: the allocation is dropped and the payment goes back to review. */
export function discardDeadLetterRow(db: WriteDb, outboxId: number, transactionId: number, now: string): void {
  db.prepare("UPDATE outbox SET state = 'discarded', updated_at = ? WHERE id = ?").run(now, outboxId);
  db.prepare('DELETE FROM allocations WHERE transaction_id = ?').run(transactionId);
  db.prepare("UPDATE matches SET review_state = 'pending', decided_by = NULL, decided_at = NULL WHERE transaction_id = ?").run(transactionId);
}
