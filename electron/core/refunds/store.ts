import type { Role } from '@shared/api/auth';
import type { RefundPolicy, RefundState, RefundView } from '@shared/api/refunds';
import { cents, type Cents } from '@shared/money';
import type { Db } from '../store/db';
import { openRefundConflict } from './revalidate';
import { approvalNeed } from './rules';

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

/** States whose amount is taken from what remains refundable. */
export const RESERVING_STATES: readonly RefundState[] = ['requested', 'approved', 'executing', 'done'];

export function getRefund(db: Db, id: number): RefundRow | null {
  return (db.prepare('SELECT * FROM refund_requests WHERE id = ?').get(id) as RefundRow | undefined) ?? null;
}

export function approversOf(db: Db, id: number): Array<{ approver: string; role: string; at: string }> {
  return db.prepare('SELECT approver, role, at FROM refund_approvals WHERE refund_id = ? ORDER BY at').all(id) as Array<{ approver: string; role: string; at: string }>;
}

export function reservedCents(db: Db, transactionId: number, exceptId?: number): Cents {
  const row = db
    .prepare(`SELECT COALESCE(SUM(amount_cents), 0) AS total FROM refund_requests WHERE transaction_id = ? AND state IN (${RESERVING_STATES.map(() => '?').join(', ')}) AND id != ?`)
    .get(transactionId, ...RESERVING_STATES, exceptId ?? -1) as { total: number };
  return cents(row.total);
}

export function refundView(db: Db, row: RefundRow, policy: RefundPolicy): RefundView {
  const payer = db.prepare('SELECT billing_name FROM paytrace_transactions WHERE transaction_id = ?').get(row.transaction_id) as { billing_name: string } | undefined;
  const memo = row.credit_memo_key
    ? (db.prepare('SELECT state, erp_document_id, last_error FROM outbox WHERE idempotency_key = ?').get(row.credit_memo_key) as
        | { state: string; erp_document_id: string | null; last_error: string | null }
        | undefined)
    : undefined;
  return {
    id: row.id,
    transactionId: row.transaction_id,
    payer: payer?.billing_name ?? '',
    amountCents: cents(row.amount_cents),
    currency: row.currency,
    reasonCode: row.reason_code,
    note: row.note,
    state: row.state,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    approvals: approversOf(db, row.id).map((a) => ({ by: a.approver, role: a.role, at: a.at })),
    approvalRule: approvalNeed(cents(row.amount_cents), row.currency, row.requester_role, policy).description,
    rejectedBy: row.rejected_by,
    rejectReason: row.reject_reason,
    method: row.method,
    paytraceTransactionId: row.paytrace_transaction_id,
    executedBy: row.executed_by,
    executedAt: row.executed_at,
    lastError: row.last_error,
    creditMemo: memo ? { state: memo.state, erpDocumentId: memo.erp_document_id, lastError: memo.last_error } : null,
    conflict: openRefundConflict(db, row.id),
    updatedAt: row.updated_at,
  };
}

export function listRefunds(db: Db, transactionId?: number): RefundRow[] {
  if (transactionId !== undefined) return db.prepare('SELECT * FROM refund_requests WHERE transaction_id = ? ORDER BY id DESC').all(transactionId) as RefundRow[];
  return db.prepare('SELECT * FROM refund_requests ORDER BY id DESC LIMIT 1000').all() as RefundRow[];
}

/** PayTrace ids of the refunds and voids Tieout itself executed (counted by reservedCents, not again as synced refunds). */
export function executedRefundIds(db: Db): Set<number> {
  const rows = db.prepare('SELECT paytrace_transaction_id AS pid FROM refund_requests WHERE paytrace_transaction_id IS NOT NULL').all() as Array<{ pid: number }>;
  return new Set(rows.map((r) => r.pid));
}
