import type { ReadDb, WriteDb } from '../db';

// Receipt reversals as the controls service sees them (table receipt_reversals,
// migration 5): queueing one and reading it back. Sending it (lease, look-up,
// retry) is the reversal executor's.

export type ReversalState = 'queued' | 'sending' | 'retry_wait' | 'unknown_outcome' | 'posted' | 'dead';

export type ReceiptReversalRow = {
  id: number;
  control_id: number;
  transaction_id: number;
  reference: string;
  receipt_reference: string;
  reason: string;
  state: ReversalState;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  erp_document_id: string | null;
  executed_by: string | null;
};

export function reversalOfControl(db: ReadDb, controlId: number): ReceiptReversalRow | null {
  return (db.prepare('SELECT * FROM receipt_reversals WHERE control_id = ?').get(controlId) as ReceiptReversalRow | undefined) ?? null;
}

/** Whether this transaction's receipt is reversed or being reversed (one reversal per transaction). */
export function hasReversal(db: ReadDb, transactionId: number): boolean {
  return db.prepare('SELECT 1 FROM receipt_reversals WHERE transaction_id = ?').get(transactionId) !== undefined;
}

/** The state of the transaction's receipt in the outbox (key = transaction id), or null when none was queued. */
export function receiptStateOf(db: ReadDb, transactionId: number): string | null {
  const row = db.prepare("SELECT state FROM outbox WHERE idempotency_key = ? AND kind = 'receipt'").get(String(transactionId)) as { state: string } | undefined;
  return row?.state ?? null;
}

export function queueReversal(
  db: WriteDb,
  r: Readonly<{ controlId: number; transactionId: number; reference: string; receiptReference: string; reason: string; at: string }>,
): void {
  db.prepare(
    `INSERT INTO receipt_reversals (control_id, transaction_id, reference, receipt_reference, reason, state, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)`,
  ).run(r.controlId, r.transactionId, r.reference, r.receiptReference, r.reason, r.at, r.at);
}
