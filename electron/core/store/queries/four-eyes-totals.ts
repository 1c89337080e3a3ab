import type { ReadDb } from '../db';

// The cumulative side of four-eyes (electron/core/approval/cumulative.ts): what
// one payment has already given back (refunds, write-offs, overrides,
// reversals) and what one approver has already approved. A limit checked per
// request alone can be split into requests just under it; these sums are what
// the limits are checked against instead.

/** The request being decided, left out of the sums (it is added on its own). */
export type ExceptRequest = Readonly<{ refundId?: number; controlId?: number }>;

/**
 * Cents of this payment refunded through Tieout (approved, executing or done)
 * plus written off, overridden or reversed (approved or done). Requested,
 * rejected and failed requests moved nothing and do not count.
 */
export function committedOnPaymentCents(db: ReadDb, transactionId: number, except: ExceptRequest = {}): number {
  const refunds = db
    .prepare("SELECT COALESCE(SUM(amount_cents), 0) AS n FROM refund_requests WHERE transaction_id = ? AND state IN ('approved', 'executing', 'done') AND id != ?")
    .get(transactionId, except.refundId ?? -1) as { n: number };
  const controls = db
    .prepare("SELECT COALESCE(SUM(amount_cents), 0) AS n FROM control_requests WHERE transaction_id = ? AND state IN ('approved', 'done') AND id != ?")
    .get(transactionId, except.controlId ?? -1) as { n: number };
  return refunds.n + controls.n;
}

/** One approval an approver gave: its instant and the amount of the request approved. */
export type ApprovalGiven = Readonly<{ at: string; amountCents: number }>;

/** Every refund and control approval this approver gave at or after `sinceIso` (names compared without case, as sign-in does). */
export function approvalsGivenSince(db: ReadDb, approver: string, sinceIso: string): ApprovalGiven[] {
  return db
    .prepare(
      `SELECT a.at AS at, r.amount_cents AS amountCents FROM refund_approvals a JOIN refund_requests r ON r.id = a.refund_id
        WHERE a.approver = ? COLLATE NOCASE AND a.at >= ?
       UNION ALL
       SELECT a.at AS at, c.amount_cents AS amountCents FROM control_approvals a JOIN control_requests c ON c.id = a.control_id
        WHERE a.approver = ? COLLATE NOCASE AND a.at >= ?`,
    )
    .all(approver, sinceIso, approver, sinceIso) as ApprovalGiven[];
}
