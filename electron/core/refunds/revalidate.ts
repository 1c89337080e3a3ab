import { siteVerdictRules } from '../matching/site-verdict-rules';
import type { RefundConflict, RefundConflictAction } from '@shared/api/refunds';
import type { PayTraceTransaction } from '@shared/domain';
import { cents, formatMoney, type Cents } from '@shared/money';
import { merchantDate } from '@shared/paytrace-time';
import { paymentVerdict } from '@shared/payment-verdict';
import type { Db, ReadDb } from '../store/db';
import { executedRefundIds, lastApprovalAt, refundsInFlightOnSale, reservedCents, saleOfRefund, type RefundRow } from '../store/queries/refund-requests';

// Catch-up re-validation of an approved refund (docs/offline.md): before
// PayTrace is asked, what remains refundable there — the sale's amount minus
// the refunds already made on it, read fresh — must still cover the refund.
// If not, the refund is held back as a `refundable_amount_changed` conflict.
//
// The conflict is kept in its own table (refund_conflicts, migration 8), not as
// a refund state: refund_requests' state CHECK (migration 3) has no room for a
// new state, and the refund simply stays 'approved' while it waits.

export type RefundSource = Readonly<{
  exportById(transactionId: number): Promise<PayTraceTransaction | null>;
  exportByDateRange(range: { startDate: string; endDate: string }, filters?: { transactionType?: string }): Promise<{ transactions: PayTraceTransaction[] }>;
}>;

export type PayTraceRefundable = Readonly<{ saleType: string; saleAmountCents: Cents; refundedCents: Cents; refundableCents: Cents }>;

/**
 * What PayTrace still lets us refund of this sale, leaving `row` itself out.
 * Counts the refunds Tieout made (recorded ids) and the REFUND rows made
 * elsewhere; PayTrace's REFUND rows do not name their sale, so those are
 * matched like the executor's look-up: later id, same invoice id, customer id
 * and masked card, not recorded for any Tieout request.
 */
export async function payTraceRefundable(db: Db, source: RefundSource, row: RefundRow, zone: string, now: Date): Promise<PayTraceRefundable> {
  const sale = await source.exportById(row.transaction_id);
  if (!sale) return { saleType: 'MISSING', saleAmountCents: cents(0), refundedCents: cents(0), refundableCents: cents(0) };
  const verdict = paymentVerdict(sale, siteVerdictRules(db));
  const type = verdict.received ? 'SALE' : verdict.code.toUpperCase();
  if (type !== 'SALE') return { saleType: type, saleAmountCents: sale.amountCents, refundedCents: cents(0), refundableCents: cents(0) };

  const others = refundsInFlightOnSale(db, row.transaction_id, row.id);
  const recorded = executedRefundIds(db);
  // A Tieout refund still 'executing' may already exist in PayTrace under an id not yet recorded: count it once, as ours.
  let refunded = others.reduce((s, r) => s + r.amount, 0);

  const startDate = merchantDate(sale.createdAt, zone);
  const today = merchantDate(now.toISOString(), zone);
  const { transactions } = await source.exportByDateRange({ startDate, endDate: today < startDate ? startDate : today }, { transactionType: 'REFUND' });
  const executingAmounts = others.filter((r) => r.pid === null).map((r) => r.amount);
  for (const t of transactions) {
    if (t.type.toUpperCase() !== 'REFUND' || t.declined || recorded.has(t.transactionId)) continue;
    if (t.transactionId <= sale.transactionId || t.invoiceId !== sale.invoiceId || t.customerId !== sale.customerId || t.maskedCard !== sale.maskedCard) continue;
    const ours = executingAmounts.indexOf(t.amountCents);
    if (ours >= 0) {
      executingAmounts.splice(ours, 1);
      continue;
    }
    refunded += t.amountCents;
  }
  return { saleType: type, saleAmountCents: sale.amountCents, refundedCents: cents(refunded), refundableCents: cents(Math.max(0, sale.amountCents - refunded)) };
}

/** The conflict to record when `fresh` no longer covers the refund, or null when it does. */
export function refundConflictFor(db: ReadDb, row: RefundRow, fresh: PayTraceRefundable, at: string): RefundConflict | null {
  if (fresh.refundableCents >= row.amount_cents) return null;
  const sale = saleOfRefund(db, row.transaction_id);
  const approvedAt = lastApprovalAt(db, row.id) ?? row.updated_at;
  const thenRefundable = cents(Math.max(0, (sale?.amountCents ?? 0) - reservedCents(db, row.transaction_id, row.id)));
  const money = (c: number) => formatMoney(cents(c), row.currency);
  const detail =
    fresh.saleType !== 'SALE'
      ? `PayTrace now reports transaction ${row.transaction_id} as ${fresh.saleType}: nothing is left to refund, so the approved ${money(row.amount_cents)} was not sent.`
      : `Only ${money(fresh.refundableCents)} of transaction ${row.transaction_id} is still refundable in PayTrace (PayTrace shows ${money(fresh.refundedCents)} of ${money(fresh.saleAmountCents)} refunded already); the approved ${money(row.amount_cents)} was not sent.`;
  const choices: RefundConflictAction[] = fresh.refundableCents > 0 ? ['reduce', 'discard'] : ['discard'];
  return {
    kind: 'refundable_amount_changed',
    detail,
    detectedAt: at,
    then: { amountCents: cents(row.amount_cents), refundableCents: thenRefundable, asOf: approvedAt },
    now: { ...fresh, asOf: at },
    choices,
  };
}
