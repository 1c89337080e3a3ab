import { sqlFor } from '../statements';
import type { Role } from '@shared/api/auth';
import type { RefundState } from '@shared/api/refunds';
import { cents, type Cents } from '@shared/money';
import type { ReadDb, WriteDb } from '../db';

// Refund requests and their approvals (tables refund_requests and
// refund_approvals, migration 3): the refund aggregate. The reads of the sale
// a refund is made on, and of its credit memo's outbox row, are here too
// because only the refund views need them.

export type RefundRow = {
  id: number;
  transaction_id: number;
  amount_cents: number;
  currency: string;
  reason_code: string;
  note: string;
  state: RefundState;
  requested_by: string;
  requester_role: Role;
  requested_at: string;
  rejected_by: string | null;
  reject_reason: string | null;
  method: 'void' | 'refund' | null;
  attempt_marker: string | null;
  executing_since: string | null;
  paytrace_transaction_id: number | null;
  executed_by: string | null;
  executed_at: string | null;
  last_error: string | null;
  credit_memo_key: string | null;
  updated_at: string;
};

export type RefundApprovalRow = { approver: string; role: string; at: string };

/** States whose amount is taken from what remains refundable. */
export const RESERVING_STATES: readonly RefundState[] = ['requested', 'approved', 'executing', 'done'];

export function getRefund(db: ReadDb, id: number): RefundRow | null {
  return (db.prepare('SELECT * FROM refund_requests WHERE id = ?').get(id) as RefundRow | undefined) ?? null;
}

export function listRefunds(db: ReadDb, transactionId?: number): RefundRow[] {
  if (transactionId !== undefined) return db.prepare('SELECT * FROM refund_requests WHERE transaction_id = ? ORDER BY id DESC').all(transactionId) as RefundRow[];
  return db.prepare('SELECT * FROM refund_requests ORDER BY id DESC LIMIT 1000').all() as RefundRow[];
}

export function approversOf(db: ReadDb, id: number): RefundApprovalRow[] {
  return db.prepare('SELECT approver, role, at FROM refund_approvals WHERE refund_id = ? ORDER BY at').all(id) as RefundApprovalRow[];
}

/** When the last approval was given, or null before any. */
export function lastApprovalAt(db: ReadDb, id: number): string | null {
  return (db.prepare('SELECT MAX(at) AS at FROM refund_approvals WHERE refund_id = ?').get(id) as { at: string | null }).at;
}

export function reservedCents(db: ReadDb, transactionId: number, exceptId?: number): Cents {
  const row = db
    .prepare(`SELECT COALESCE(SUM(amount_cents), 0) AS total FROM refund_requests WHERE transaction_id = ? AND state IN (${RESERVING_STATES.map(() => '?').join(', ')}) AND id != ?`)
    .get(transactionId, ...RESERVING_STATES, exceptId ?? -1) as { total: number };
  return cents(row.total);
}

// A store migrated only part of the way (a migration test) has no refund_requests yet;
// the offline snapshots read these counts on any store.
function hasRefundRequests(db: ReadDb): boolean {
  return !!db
    .prepare(
      sqlFor(db, {
        sqlite: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refund_requests'",
        postgres: "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'refund_requests'",
      }),
    )
    .get();
}

/** PayTrace ids of the refunds and voids Tieout itself executed (counted by reservedCents, not again as synced refunds). */
export function executedRefundIds(db: ReadDb): Set<number> {
  if (!hasRefundRequests(db)) return new Set();
  const rows = db.prepare('SELECT paytrace_transaction_id AS pid FROM refund_requests WHERE paytrace_transaction_id IS NOT NULL').all() as Array<{ pid: number }>;
  return new Set(rows.map((r) => r.pid));
}

/** The other PayTrace refunds (not voids) Tieout sent or is sending on this sale; `pid` is null while still unrecorded. */
export function refundsInFlightOnSale(db: ReadDb, transactionId: number, exceptId: number): Array<{ pid: number | null; amount: number; state: RefundState }> {
  return db
    .prepare("SELECT paytrace_transaction_id AS pid, amount_cents AS amount, state FROM refund_requests WHERE transaction_id = ? AND id != ? AND method = 'refund' AND state IN ('executing', 'done')")
    .all(transactionId, exceptId) as Array<{ pid: number | null; amount: number; state: RefundState }>;
}

/** Cents refunded of this sale through Tieout (executing or done), as the offline snapshots and catch-up re-validation count it. */
export function refundedThroughTieoutCents(db: ReadDb, saleTransactionId: number): number {
  if (!hasRefundRequests(db)) return 0;
  return (
    db
      .prepare("SELECT COALESCE(SUM(amount_cents), 0) AS n FROM refund_requests WHERE transaction_id = ? AND method = 'refund' AND state IN ('executing', 'done')")
      .get(saleTransactionId) as { n: number }
  ).n;
}

/** Whether Tieout voided this sale (executing or done). */
export function voidedThroughTieout(db: ReadDb, saleTransactionId: number): boolean {
  if (!hasRefundRequests(db)) return false;
  return !!db.prepare("SELECT 1 FROM refund_requests WHERE transaction_id = ? AND method = 'void' AND state IN ('executing', 'done')").get(saleTransactionId);
}

/** The amount, payer and settlement of the sale a refund is made on, as synced. */
export function saleOfRefund(db: ReadDb, transactionId: number): { amountCents: Cents; billingName: string; settled: boolean } | null {
  const row = db.prepare('SELECT amount_cents, billing_name, settled_at FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as
    | { amount_cents: number; billing_name: string; settled_at: string | null }
    | undefined;
  return row ? { amountCents: cents(row.amount_cents), billingName: row.billing_name, settled: row.settled_at !== null } : null;
}

/** The ERP side of a refund: its credit memo's outbox row, by idempotency key. */
export function creditMemoStatus(db: ReadDb, idempotencyKey: string): { state: string; erpDocumentId: string | null; lastError: string | null } | null {
  const row = db.prepare('SELECT state, erp_document_id, last_error FROM outbox WHERE idempotency_key = ?').get(idempotencyKey) as
    | { state: string; erp_document_id: string | null; last_error: string | null }
    | undefined;
  return row ? { state: row.state, erpDocumentId: row.erp_document_id, lastError: row.last_error } : null;
}

export type NewRefundRequest = Readonly<{
  transactionId: number;
  amountCents: number;
  currency: string;
  reasonCode: string;
  note: string;
  requestedBy: string;
  requesterRole: Role;
  at: string;
}>;

/** Records a request (state 'requested'); returns its id. */
export function insertRefundRequest(db: WriteDb, r: NewRefundRequest): number {
  const result = db
    .prepare(
      `INSERT INTO refund_requests (transaction_id, amount_cents, currency, reason_code, note, state, requested_by, requester_role, requested_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?)`,
    )
    .run(r.transactionId, r.amountCents, r.currency, r.reasonCode, r.note, r.requestedBy, r.requesterRole, r.at, r.at);
  return Number(result.lastInsertRowid);
}

/** Adds an approval; a request still 'requested' becomes 'approved'. */
export function recordRefundApproval(db: WriteDb, id: number, approver: string, role: Role, at: string): void {
  db.prepare('INSERT INTO refund_approvals (refund_id, approver, role, at) VALUES (?, ?, ?, ?)').run(id, approver, role, at);
  db.prepare("UPDATE refund_requests SET state = 'approved', updated_at = ? WHERE id = ? AND state = 'requested'").run(at, id);
}

export function rejectRefund(db: WriteDb, id: number, rejectedBy: string, reason: string, at: string): void {
  db.prepare("UPDATE refund_requests SET state = 'rejected', rejected_by = ?, reject_reason = ?, updated_at = ? WHERE id = ?").run(rejectedBy, reason, at, id);
}

/** Lowers an approved refund to what remains refundable (a settled re-validation conflict). */
export function reduceRefundAmount(db: WriteDb, id: number, amountCents: number, at: string): void {
  db.prepare('UPDATE refund_requests SET amount_cents = ?, last_error = NULL, updated_at = ? WHERE id = ?').run(amountCents, at, id);
}
