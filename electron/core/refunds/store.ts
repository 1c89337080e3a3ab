import type { RefundPolicy, RefundView } from '@shared/api/refunds';
import { cents } from '@shared/money';
import type { ReadDb } from '../store/db';
import { approversOf, creditMemoStatus, saleOfRefund, type RefundRow } from '../store/queries/refund-requests';
import { readRefundConflict } from '../store/queries/refund-conflicts';
import { committedOnPaymentCents } from '../store/queries/four-eyes-totals';
import { approvalNeed } from './rules';

// A refund as the UI sees it (the SQL lives in store/queries/refund-requests.ts).

export function refundView(db: ReadDb, row: RefundRow, policy: RefundPolicy): RefundView {
  const memo = row.credit_memo_key ? creditMemoStatus(db, row.credit_memo_key) : null;
  const sale = saleOfRefund(db, row.transaction_id);
  const conflict = readRefundConflict(db, row.id);
  return {
    id: row.id,
    transactionId: row.transaction_id,
    payer: sale?.billingName ?? '',
    amountCents: cents(row.amount_cents),
    currency: row.currency,
    reasonCode: row.reason_code,
    note: row.note,
    state: row.state,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    approvals: approversOf(db, row.id).map((a) => ({ by: a.approver, role: a.role, at: a.at })),
    // A waiting request says what it needs counting what the payment already gave back (cumulative limits).
    approvalRule: approvalNeed(cents(row.amount_cents), row.currency, row.requester_role, policy, {
      paymentCents: row.state === 'requested' ? committedOnPaymentCents(db, row.transaction_id, { refundId: row.id }) : 0,
      approverDayCents: 0,
    }).description,
    rejectedBy: row.rejected_by,
    rejectReason: row.reject_reason,
    method: row.method,
    paytraceTransactionId: row.paytrace_transaction_id,
    executedBy: row.executed_by,
    executedAt: row.executed_at,
    lastError: row.last_error,
    creditMemo: memo,
    conflict,
    waitingForSettlement: row.state === 'approved' && conflict === null && sale !== null && !sale.settled,
    updatedAt: row.updated_at,
  };
}
