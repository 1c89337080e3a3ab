import type { RefundRow } from '../../refunds/store';
import type { ReadDb, WriteDb } from '../db';

// refund_requests as the refund executor moves them through PayTrace:
// approved → executing (with the chosen method committed before each call) → done | failed.

export function executingRefundIds(db: ReadDb): number[] {
  return (db.prepare("SELECT id FROM refund_requests WHERE state = 'executing' ORDER BY id").all() as Array<{ id: number }>).map((r) => r.id);
}

/** Takes an approved (or unresolved executing) refund with a fresh attempt marker; null when it is in no state to run. */
export function claimRefund(db: WriteDb, refundId: number, marker: string, actor: string, now: string): RefundRow | null {
  return (
    (db
      .prepare(
        `UPDATE refund_requests SET state = 'executing', attempt_marker = ?, executing_since = COALESCE(executing_since, ?), executed_by = ?, updated_at = ?
         WHERE id = ? AND state IN ('approved', 'executing') RETURNING *`,
      )
      .get(marker, now, actor, now, refundId) as RefundRow | undefined) ?? null
  );
}

/** PayTrace refund ids other refunds already own (a look-up must not claim them twice). */
export function refundIdsClaimedByOthers(db: ReadDb, refundId: number): Set<number> {
  return new Set(
    (db.prepare("SELECT paytrace_transaction_id AS id FROM refund_requests WHERE method = 'refund' AND paytrace_transaction_id IS NOT NULL AND id != ?").all(refundId) as Array<{ id: number }>).map(
      (r) => r.id,
    ),
  );
}

/** The intent: which PayTrace call is about to go out. */
export function setRefundMethod(db: WriteDb, refundId: number, method: 'void' | 'refund', now: string): void {
  db.prepare('UPDATE refund_requests SET method = ?, updated_at = ? WHERE id = ?').run(method, now, refundId);
}

export function noteRefund(db: WriteDb, refundId: number, message: string, now: string): void {
  db.prepare('UPDATE refund_requests SET last_error = ?, updated_at = ? WHERE id = ?').run(message, now, refundId);
}

/** Back to 'approved' with nothing sent (held back by re-validation, or waiting for settlement). */
export function returnRefundToApproved(db: WriteDb, refundId: number, message: string, now: string): void {
  db.prepare("UPDATE refund_requests SET state = 'approved', method = NULL, executing_since = NULL, attempt_marker = NULL, last_error = ?, updated_at = ? WHERE id = ?").run(message, now, refundId);
}

export function failRefund(db: WriteDb, refundId: number, message: string, now: string): void {
  db.prepare("UPDATE refund_requests SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?").run(message, now, refundId);
}

export function completeRefund(
  db: WriteDb,
  refundId: number,
  done: Readonly<{ method: 'void' | 'refund'; paytraceTransactionId: number; creditMemoKey: string | null }>,
  now: string,
): void {
  db.prepare(
    "UPDATE refund_requests SET state = 'done', method = ?, paytrace_transaction_id = ?, executed_at = ?, last_error = NULL, credit_memo_key = ?, updated_at = ? WHERE id = ?",
  ).run(done.method, done.paytraceTransactionId, now, done.creditMemoKey, now, refundId);
}
