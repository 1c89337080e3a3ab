import { UNFINISHED_SQL, type ReversalState } from '../../remote-writes/states';
import type { ReadDb, WriteDb } from '../db';

// Receipt reversals (table receipt_reversals, migration 5; its date, migration 11): the controls
// service queues one and reads it back; the reversal executor sends it through
// the remote-write runner (lease, look-up, retry) and closes the control
// request it carries out. Its states are the remote-write states.

export type ReceiptReversalRow = {
  id: number;
  control_id: number;
  transaction_id: number;
  reference: string;
  receipt_reference: string;
  reason: string;
  /** YYYY-MM-DD, the merchant's day it was queued on; NULL only on reversals queued before migration 11 and not yet sent. */
  reversal_date: string | null;
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
  r: Readonly<{ controlId: number; transactionId: number; reference: string; receiptReference: string; reason: string; date: string; at: string }>,
): void {
  db.prepare(
    `INSERT INTO receipt_reversals (control_id, transaction_id, reference, receipt_reference, reason, reversal_date, state, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
  ).run(r.controlId, r.transactionId, r.reference, r.receiptReference, r.reason, r.date, r.at, r.at);
}

// Sending (the reversal executor).

/** Takes the row's lease; null when another run holds it or nothing is left to do. A dead row may be run again by hand. */
export function claimReversal(db: WriteDb, id: number, owner: string, now: string, leaseUntil: string): ReceiptReversalRow | null {
  return (
    (db
      .prepare(
        `UPDATE receipt_reversals SET lease_owner = ?, lease_until = ?, updated_at = ?
         WHERE id = ? AND state IN (${UNFINISHED_SQL}, 'dead') AND (lease_until IS NULL OR lease_until < ?)
         RETURNING *`,
      )
      .get(owner, leaseUntil, now, id, now) as ReceiptReversalRow | undefined) ?? null
  );
}

/** The intent, committed before the request leaves, with the date it carries (kept if the row already has one). */
export function markReversalSending(db: WriteDb, id: number, date: string, now: string): void {
  db.prepare("UPDATE receipt_reversals SET state = 'sending', attempts = attempts + 1, reversal_date = COALESCE(reversal_date, ?), sent_at = ?, updated_at = ? WHERE id = ?").run(
    date,
    now,
    now,
    id,
  );
}

/** Posted: the reversal and its control request are done. Returns who asked and who approved, for the audit. */
export function markReversalPosted(db: WriteDb, row: ReceiptReversalRow, documentId: string, executor: string, now: string): { requestedBy: string; approvedBy: string[] } {
  db.prepare(
    "UPDATE receipt_reversals SET state = 'posted', erp_document_id = ?, last_error = NULL, executed_by = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
  ).run(documentId, executor, now, row.id);
  db.prepare("UPDATE control_requests SET state = 'done', last_error = NULL, updated_at = ? WHERE id = ?").run(now, row.control_id);
  const control = db.prepare('SELECT requested_by FROM control_requests WHERE id = ?').get(row.control_id) as { requested_by: string };
  const approvedBy = (db.prepare('SELECT approver FROM control_approvals WHERE control_id = ? ORDER BY at').all(row.control_id) as Array<{ approver: string }>).map((a) => a.approver);
  return { requestedBy: control.requested_by, approvedBy };
}

/** Waits for the next run ('retry_wait', 'unknown_outcome') or gives up ('dead', which fails the control request). */
export function parkReversal(db: WriteDb, row: ReceiptReversalRow, state: Extract<ReversalState, 'retry_wait' | 'unknown_outcome' | 'dead'>, message: string, now: string): void {
  db.prepare('UPDATE receipt_reversals SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?').run(state, message, now, row.id);
  if (state === 'dead') db.prepare("UPDATE control_requests SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?").run(message, now, row.control_id);
  else db.prepare('UPDATE control_requests SET last_error = ?, updated_at = ? WHERE id = ?').run(message, now, row.control_id);
}

export function unfinishedReversalIds(db: ReadDb): number[] {
  return (db.prepare(`SELECT id FROM receipt_reversals WHERE state IN (${UNFINISHED_SQL}) ORDER BY id`).all() as Array<{ id: number }>).map((r) => r.id);
}
