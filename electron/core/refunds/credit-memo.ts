import { ApiFailure } from '@shared/api-contract';
import type { MatchOutcome, PayTraceTransaction, RefundTask, RowStatus } from '@shared/domain';
import { cents, type Cents, type CurrencyCode } from '@shared/money';
import { merchantDate } from '@shared/paytrace-time';
import { appendAudit } from '../audit/audit-log';
import type { CreditMemoRequest, ErpCapabilities } from '../erp/connector';
import type { Db } from '../store/db';
import { creditMemoOutbox, insertCreditMemoOutbox, receiptOutboxFor, refundRequestByPayTraceId } from '../store/queries/credit-memos';
import { getOutcome, gridRows } from '../store/queries/matches';
import { parseReceiptPayload } from '../store/queries/outbox-payloads';
import { getRefundLink } from '../store/queries/refund-links';
import { getTransaction } from '../store/queries/transactions';

// One way into the outbox for an ERP credit memo, used by Tieout's own refund
// flow (RefundExecutor) and by the refund row's task (a PayTrace refund made
// outside Tieout, after its sale was posted). Exactly once per PayTrace refund:
// the idempotency key is `credit_memo:<reference>`, ON CONFLICT DO NOTHING, and
// the worker looks the memo up in the ERP before any retry.

export type QueueCreditMemoInput = Readonly<{
  /** The sale whose receipt the memo credits. */
  saleTransactionId: number;
  /** The PayTrace refund id ("V<sale id>" for a void of the sale itself). */
  reference: string;
  amountCents: Cents | number;
  currency: CurrencyCode;
  /** YYYY-MM-DD in the merchant zone. */
  date: string;
  reason: string;
  /** The outbox row's transaction (whose rows refresh when it posts); the sale by default. */
  outboxTransactionId?: number;
  now: string;
}>;

export type QueuedCreditMemo = Readonly<{ key: string; inserted: boolean; memo: CreditMemoRequest }>;

export const creditMemoKey = (reference: string): string => `credit_memo:${reference}`;

/**
 * Queues the memo against the sale's receipt: customer and first invoice as
 * posted. Null when the ERP does not hold (and will not hold) the receipt:
 * no receipt row, or one that was discarded or died. Call inside a transaction.
 */
export function queueCreditMemo(db: Db, input: QueueCreditMemoInput): QueuedCreditMemo | null {
  const receipt = receiptOutboxFor(db, input.saleTransactionId);
  if (!receipt || receipt.state === 'discarded' || receipt.state === 'dead') return null;
  // The memo takes the customer and first invoice of the receipt as posted (an
  // invoice: a line applying open credit names a credit memo, not what was sold).
  const posted = parseReceiptPayload(receipt.payload_json);
  const firstInvoice = posted.allocations.find((a) => a.amountCents > 0);
  const memo: CreditMemoRequest = {
    reference: input.reference,
    originalReference: String(input.saleTransactionId),
    customerId: posted.customerId,
    date: input.date,
    amountCents: cents(Math.abs(input.amountCents)),
    currency: input.currency,
    ...(firstInvoice ? { invoiceNo: firstInvoice.invoiceNo } : {}),
    reason: input.reason,
  };
  const key = creditMemoKey(input.reference);
  const inserted = insertCreditMemoOutbox(db, { key, transactionId: input.outboxTransactionId ?? input.saleTransactionId, payloadJson: JSON.stringify(memo), now: input.now });
  return { key, inserted, memo };
}

/** Refund rows (PayTrace REFUND, or a VOID with its own id) carry `refundOf` from the matcher. */
function isTakeBack(outcome: MatchOutcome): boolean {
  return outcome.exception === 'refund' || (outcome.exception === 'voided' && outcome.refundOf !== undefined);
}

const SALE_IN_ERP: readonly RowStatus[] = ['approved', 'posted'];

/** The keys under which this refund's memo may already be queued (Tieout's refund flow, or recorded here). */
function existingMemo(db: Db, refund: PayTraceTransaction): { row: NonNullable<ReturnType<typeof creditMemoOutbox>>; source: 'refund_flow' | 'recorded' } | null {
  const own = refundRequestByPayTraceId(db, refund.transactionId);
  if (own?.credit_memo_key) {
    const row = creditMemoOutbox(db, [own.credit_memo_key]);
    if (row) return { row, source: 'refund_flow' };
  }
  const row = creditMemoOutbox(db, [creditMemoKey(String(refund.transactionId)), creditMemoKey(`V${refund.transactionId}`)]);
  if (!row) return null;
  return { row, source: own ? 'refund_flow' : 'recorded' };
}

function clerkLinkOf(db: Db, refundId: number): RefundTask['clerkLink'] {
  const link = getRefundLink(db, refundId);
  return link ? { saleId: link.saleId, by: link.linkedBy, at: link.linkedAt } : null;
}

/** The refund row's task, or null for rows that are not refunds/voids of a sale. */
export function refundTaskFor(db: Db, refund: PayTraceTransaction, outcome: MatchOutcome): RefundTask | null {
  if (!isTakeBack(outcome)) return null;
  const saleId = outcome.refundOf ?? null;
  const sale = saleId === null ? null : (gridRows(db, [saleId])[0] ?? null);
  const base = {
    refundTransactionId: refund.transactionId,
    saleTransactionId: saleId,
    saleStatus: sale?.status ?? null,
    kind: refund.type.trim().toUpperCase() || 'REFUND',
    amountCents: cents(Math.abs(refund.amountCents)),
    currency: refund.currency,
    clerkLink: clerkLinkOf(db, refund.transactionId),
  };
  const memo = existingMemo(db, refund);
  if (memo) {
    const state = memo.row.state === 'posted' ? 'posted' : memo.row.state === 'dead' || memo.row.state === 'discarded' ? 'failed' : 'queued';
    return {
      ...base,
      state,
      nettedHow: null,
      creditMemo: {
        key: memo.row.idempotency_key,
        reference: memo.row.idempotency_key.replace(/^credit_memo:/, ''),
        state: memo.row.state,
        erpDocumentId: memo.row.erp_document_id,
        lastError: memo.row.last_error,
        source: memo.source,
        updatedAt: memo.row.updated_at,
      },
    };
  }
  if (saleId === null) return { ...base, state: 'link_needed', nettedHow: null, creditMemo: null };
  if (!sale || !SALE_IN_ERP.includes(sale.status)) return { ...base, state: 'netted', nettedHow: 'sale_not_posted', creditMemo: null };
  // The sale's receipt was posted net of refunds known at approval: this one is already out of it.
  const saleOutcome = getOutcome(db, saleId);
  if (saleOutcome?.markers?.includes('refund_netted') && saleOutcome.refundedBy?.includes(refund.transactionId)) {
    return { ...base, state: 'netted', nettedHow: 'receipt_net', creditMemo: null };
  }
  const receipt = receiptOutboxFor(db, saleId);
  if (!receipt || receipt.state === 'discarded' || receipt.state === 'dead') return { ...base, state: 'netted', nettedHow: 'sale_not_posted', creditMemo: null };
  return { ...base, state: 'credit_memo_due', nettedHow: null, creditMemo: null };
}

export type RecordCreditMemoDeps = Readonly<{ db: Db; zone: string; capabilities: () => Promise<ErpCapabilities>; now?: () => Date }>;

/**
 * refunds:recordCreditMemo: the refund row's task queues the ERP credit memo,
 * once. Refused (ApiFailure 'conflict' / 'config') when the sale is not in the
 * ERP, the refund is not linked, the memo is already queued, or the ERP takes
 * no credit memos from Tieout.
 */
export async function recordCreditMemo(deps: RecordCreditMemoDeps, refundTransactionId: number, actor: string): Promise<{ task: RefundTask; inserted: boolean }> {
  const { db } = deps;
  const load = () => {
    const refund = getTransaction(db, refundTransactionId);
    const outcome = getOutcome(db, refundTransactionId);
    if (!refund || !outcome) throw new ApiFailure('not_found', `Transaction ${refundTransactionId} is not in the local store`);
    const task = refundTaskFor(db, refund, outcome);
    if (!task) throw new ApiFailure('conflict', `Transaction ${refundTransactionId} is not a PayTrace refund or void: there is no credit memo to record.`);
    return { refund, task };
  };
  const refusal = (task: RefundTask): string | null => {
    switch (task.state) {
      case 'credit_memo_due':
        return null;
      case 'link_needed':
        return `Refund ${refundTransactionId} is not linked to a sale: link it by hand before recording a credit memo.`;
      case 'netted':
        return task.nettedHow === 'receipt_net'
          ? `Sale ${task.saleTransactionId} was posted net of refund ${refundTransactionId}: there is no credit memo to record.`
          : `Sale ${task.saleTransactionId} is not posted or approved: refund ${refundTransactionId} nets against it, nothing to post.`;
      default:
        return `The credit memo for refund ${refundTransactionId} is already ${task.state === 'queued' ? 'queued' : task.state === 'posted' ? 'posted' : 'in the outbox (failed: work it from there)'}${task.creditMemo?.source === 'refund_flow' ? " by Tieout's refund flow" : ''}.`;
    }
  };
  const first = load();
  const refused = refusal(first.task);
  if (refused) throw new ApiFailure('conflict', refused);
  const capabilities = await deps.capabilities();
  if (capabilities.creditMemos === 'none') {
    throw new ApiFailure('config', 'This ERP takes no credit memos from Tieout: enter the credit memo in the ERP by hand.');
  }
  const now = (deps.now?.() ?? new Date()).toISOString();
  let inserted = false;
  db.transaction(() => {
    // Checked again inside the write: another call may have queued it meanwhile.
    const { refund, task } = load();
    const again = refusal(task);
    if (again) throw new ApiFailure('conflict', again);
    const queued = queueCreditMemo(db, {
      saleTransactionId: task.saleTransactionId!,
      reference: String(refund.transactionId),
      amountCents: task.amountCents,
      currency: task.currency,
      date: merchantDate(refund.createdAt, deps.zone),
      reason: `${task.kind === 'VOID' ? 'Void' : 'Refund'} ${refund.transactionId} of PayTrace ${task.saleTransactionId} (made in PayTrace after the sale was posted)`,
      outboxTransactionId: refund.transactionId,
      now,
    });
    if (!queued) throw new ApiFailure('conflict', `Sale ${task.saleTransactionId} has no receipt in the ERP: refund ${refundTransactionId} nets against it, nothing to post.`);
    inserted = queued.inserted;
    if (!inserted) throw new ApiFailure('conflict', `The credit memo for refund ${refundTransactionId} is already queued.`);
    appendAudit(db, {
      actor,
      action: 'credit_memo.recorded',
      objectType: 'transaction',
      objectId: String(refund.transactionId),
      after: { key: queued.key, saleTransactionId: task.saleTransactionId, amountCents: queued.memo.amountCents, currency: queued.memo.currency, customerId: queued.memo.customerId, invoiceNo: queued.memo.invoiceNo ?? null },
      at: now,
    });
  })();
  return { task: load().task, inserted };
}
