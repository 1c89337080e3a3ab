import type { RefundRow } from './refund-requests';
import type { ReadDb, WriteDb } from '../db';

// refund_requests as the refund executor moves them through PayTrace:
// approved → executing (with the chosen method committed before each call) → done | failed.

/** Refunds left 'executing' (resolved by look-up; one another executor holds a live lease on is skipped when claimed). */
export function executingRefundIds(db: ReadDb): number[] {
  return (db.prepare("SELECT id FROM refund_requests WHERE state = 'executing' ORDER BY id").all() as Array<{ id: number }>).map((r) => r.id);
}

/**
 * Approved refunds that can run now because their sale has settled since: a
 * partial refund of an unsettled sale waits in 'approved' (PayTrace voids whole
 * sales only and refunds settled ones only). One held back by re-validation
 * (an open conflict) waits for a supervisor instead.
 */
export function approvedRefundIdsOnSettledSales(db: ReadDb): number[] {
  return (
    db
      .prepare(
        `SELECT r.id FROM refund_requests r JOIN paytrace_transactions t ON t.transaction_id = r.transaction_id
         WHERE r.state = 'approved' AND t.settled_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM refund_conflicts c WHERE c.refund_id = r.id)
         ORDER BY r.id`,
      )
      .all() as Array<{ id: number }>
  ).map((r) => r.id);
}

export type RefundClaim = Readonly<{
  row: RefundRow;
  /**
   * Another executor held the lease and did not release it (it expired, or its
   * process ended): it may have been sending, so the refund is looked up first.
   */
  tookOverLease: boolean;
}>;

export type ClaimRequest = Readonly<{
  /** Fresh per claim: the fencing token the intent and the release are checked against. */
  marker: string;
  actor: string;
  owner: string;
  now: string;
  leaseUntil: string;
  /** Whether a lease's owner is a process of this machine that has ended (remote-writes/lease.ts). */
  ownerHasEnded(owner: string): boolean;
}>;

/**
 * Takes an approved (or unresolved executing) refund with a lease and a fresh
 * attempt marker, atomically (an immediate transaction: a second app instance
 * waits for the write lock, then sees the lease). Null when it is in no state
 * to run or another executor holds a live lease on it.
 */
export function claimRefund(db: WriteDb, refundId: number, c: ClaimRequest): RefundClaim | null {
  return db
    .transaction((): RefundClaim | null => {
      const held = db.prepare("SELECT lease_owner, lease_until FROM refund_requests WHERE id = ? AND state IN ('approved', 'executing') /*pg: FOR UPDATE*/").get(refundId) as
        | { lease_owner: string | null; lease_until: string | null }
        | undefined;
      if (!held) return null;
      const leased = held.lease_owner !== null;
      if (leased && held.lease_until !== null && held.lease_until > c.now && !c.ownerHasEnded(held.lease_owner!)) return null;
      const row = db
        .prepare(
          `UPDATE refund_requests SET state = 'executing', attempt_marker = ?, executing_since = COALESCE(executing_since, ?), executed_by = ?,
             lease_owner = ?, lease_until = ?, updated_at = ?
           WHERE id = ? AND state IN ('approved', 'executing') RETURNING *`,
        )
        .get(c.marker, c.now, c.actor, c.owner, c.leaseUntil, c.now, refundId) as RefundRow | undefined;
      return row ? { row, tookOverLease: leased } : null;
    })
    .immediate();
}

/** Ends this claim: the lease is free again (only if the claim is still this one's). */
export function releaseRefundLease(db: WriteDb, refundId: number, marker: string): void {
  db.prepare('UPDATE refund_requests SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND attempt_marker = ?').run(refundId, marker);
}

/** PayTrace refund ids other refunds already own (a look-up must not claim them twice). */
export function refundIdsClaimedByOthers(db: ReadDb, refundId: number): Set<number> {
  return new Set(
    (db.prepare("SELECT paytrace_transaction_id AS id FROM refund_requests WHERE method = 'refund' AND paytrace_transaction_id IS NOT NULL AND id != ?").all(refundId) as Array<{ id: number }>).map(
      (r) => r.id,
    ),
  );
}

/**
 * The intent: which PayTrace call is about to go out, committed only while
 * this claim still holds the refund (its marker), and renewing its lease.
 * False when another executor took the refund over: nothing may be sent.
 */
export function setRefundMethod(db: WriteDb, refundId: number, method: 'void' | 'refund', marker: string, now: string, leaseUntil: string): boolean {
  return (
    db
      .prepare("UPDATE refund_requests SET method = ?, lease_until = ?, updated_at = ? WHERE id = ? AND attempt_marker = ? AND state = 'executing'")
      .run(method, leaseUntil, now, refundId, marker).changes === 1
  );
}

export function noteRefund(db: WriteDb, refundId: number, message: string, now: string): void {
  db.prepare('UPDATE refund_requests SET last_error = ?, updated_at = ? WHERE id = ?').run(message, now, refundId);
}

/** Back to 'approved' with nothing sent (held back by re-validation, or waiting for settlement). */
/** Only while this claim (its marker) still holds the refund; the lease is released with it. */
export function returnRefundToApproved(db: WriteDb, refundId: number, marker: string, message: string, now: string): void {
  db.prepare(
    `UPDATE refund_requests SET state = 'approved', method = NULL, executing_since = NULL, attempt_marker = NULL, lease_owner = NULL, lease_until = NULL,
       last_error = ?, updated_at = ? WHERE id = ? AND attempt_marker = ?`,
  ).run(message, now, refundId, marker);
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
