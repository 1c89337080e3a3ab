import type { ReadDb } from '../db';

// What Tieout itself refunded or voided (refund_requests), as the offline
// snapshots and the catch-up re-validation count it. The refund requests' own
// life is the refunds store's.

// A store migrated only part of the way (a migration test) has no refund_requests yet.
function hasRefundRequests(db: ReadDb): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refund_requests'").get();
}

/** Cents refunded of this sale through Tieout (executing or done). */
export function refundedThroughTieoutCents(db: ReadDb, saleTransactionId: number): number {
  if (!hasRefundRequests(db)) return 0;
  return (
    db
      .prepare("SELECT COALESCE(SUM(amount_cents), 0) AS n FROM refund_requests WHERE transaction_id = ? AND method = 'refund' AND state IN ('executing', 'done')")
      .get(saleTransactionId) as { n: number }
  ).n;
}

/** PayTrace transaction ids that Tieout's own refunds and voids created. */
export function tieoutRefundTransactionIds(db: ReadDb): Set<number> {
  if (!hasRefundRequests(db)) return new Set();
  return new Set((db.prepare('SELECT paytrace_transaction_id AS id FROM refund_requests WHERE paytrace_transaction_id IS NOT NULL').all() as Array<{ id: number }>).map((r) => r.id));
}

export function voidedThroughTieout(db: ReadDb, saleTransactionId: number): boolean {
  if (!hasRefundRequests(db)) return false;
  return !!db.prepare("SELECT 1 FROM refund_requests WHERE transaction_id = ? AND method = 'void' AND state IN ('executing', 'done')").get(saleTransactionId);
}
