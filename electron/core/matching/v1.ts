import { cents, ZERO } from '@shared/money';
import type { ExceptionCode, MatchOutcome, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { normalizeReference } from '@shared/reference';
import type { MatchInput } from './types';

// Matching v1: an exact invoice reference (normalised) whose open balance equals
// the amount is an automatic match; anything else is an exception with a reason.

function exception(t: PayTraceTransaction, code: ExceptionCode, reason: string, invoice?: OpenInvoice): MatchOutcome {
  return {
    transactionId: t.transactionId,
    status: 'exception',
    allocations: [],
    customerId: invoice?.customerId ?? null,
    candidates: [],
    score: 0,
    reason,
    reasons: [reason],
    exception: code,
    unappliedCents: ZERO,
  };
}

export function matchV1(input: MatchInput): MatchOutcome[] {
  const byRef = new Map<string, OpenInvoice>();
  for (const inv of input.invoices) byRef.set(normalizeReference(inv.invoiceNo), inv);
  return input.transactions.map((t) => {
    if (t.declined) return exception(t, 'declined', 'Declined by the card issuer');
    if (t.type === 'VOID') return exception(t, 'voided', 'Voided in PayTrace');
    if (t.type === 'REFUND') return exception(t, 'refund', 'Refund: not a receipt');
    if (t.type !== 'SALE') return exception(t, 'not_a_sale', `Transaction type ${t.type}`);
    const ref = normalizeReference(t.invoiceId);
    if (!ref) return exception(t, 'no_reference', 'No invoice reference sent with the payment');
    const inv = byRef.get(ref);
    if (!inv) return exception(t, 'invoice_not_found', `No open invoice ${ref}`);
    if (inv.openBalanceCents !== t.amountCents) {
      const diff = t.amountCents - inv.openBalanceCents;
      return exception(t, diff < 0 ? 'short_payment' : 'overpayment', `Amount differs from open balance by ${(diff / 100).toFixed(2)}`, inv);
    }
    const reason = `Invoice ${inv.invoiceNo} referenced exactly; amount equals open balance`;
    return {
      transactionId: t.transactionId,
      status: 'auto',
      allocations: [{ invoiceNo: inv.invoiceNo, amountCents: cents(t.amountCents) }],
      customerId: inv.customerId,
      candidates: [],
      score: 1,
      reason,
      reasons: [reason],
      exception: null,
      unappliedCents: ZERO,
    };
  });
}
