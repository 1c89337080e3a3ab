import { siteVerdictRules } from '../matching/site-verdict-rules';
import type { PayTraceTransaction } from '@shared/domain';
import { paymentVerdict } from '@shared/payment-verdict';
import { linkRefunds, originalIdOf, refundLinkKey } from '@shared/refund-links';
import type { ReadDb } from '../store/db';
import { listRefundLinks } from '../store/queries/refund-links';
import { executedRefundIds } from '../store/queries/refund-requests';
import { getTransaction, storedTakebacks, transactionsSharingRefundKey } from '../store/queries/transactions';

// What PayTrace already took back from a sale outside Tieout's own refund
// requests: the synced REFUND (and separate VOID) rows that the one refund-link
// rule (shared/refund-links.ts, with the clerk's links in refund_links) gives
// to this sale, exactly as matching does, less those Tieout executed itself
// (already reserved). PayTrace's export does not link a refund to its sale
// (docs/paytrace.md): a refund the rule gives to another sale of the same
// customer is not counted here. The refund queue (refundable amount) and the
// offline snapshot ("then" of the catch-up) both ask this one function.

/** `freshRefunds` (the catch-up's fresh REFUND export) replace or add to the stored rows. */
export function syncedRefundedCents(db: ReadDb, sale: PayTraceTransaction, freshRefunds: readonly PayTraceTransaction[] = []): number {
  const rules = siteVerdictRules(db);
  const manual = listRefundLinks(db);
  // The sales a refund copying this sale's fields could belong to (this sale always among them).
  const sales = new Map<number, PayTraceTransaction>([[sale.transactionId, sale]]);
  for (const t of transactionsSharingRefundKey(db, sale)) if (paymentVerdict(t, rules).received) sales.set(t.transactionId, t);
  const rows = new Map<number, PayTraceTransaction>();
  for (const t of storedTakebacks(db)) rows.set(t.transactionId, t);
  for (const t of freshRefunds) rows.set(t.transactionId, t);
  // The take-backs that can reach those sales: by the copied fields, by an id they name, or by a clerk's link.
  const key = refundLinkKey(sale);
  const takebacks: PayTraceTransaction[] = [];
  for (const t of rows.values()) {
    if (sales.has(t.transactionId)) continue;
    const v = paymentVerdict(t, rules);
    if (v.received || (v.code !== 'refund' && v.code !== 'voided')) continue;
    const named = originalIdOf(t.raw);
    const linked = manual.get(t.transactionId);
    if (refundLinkKey(t) === key || (named !== null && sales.has(named)) || (linked != null && sales.has(linked))) takebacks.push(t);
  }
  if (takebacks.length === 0) return 0;
  // One that names a sale outside these links to that sale, not by the copied fields.
  for (const t of takebacks) {
    const named = originalIdOf(t.raw);
    if (named === null || sales.has(named)) continue;
    const other = getTransaction(db, named);
    if (other && paymentVerdict(other, rules).received) sales.set(named, other);
  }
  const ours = executedRefundIds(db);
  let total = 0;
  for (const link of linkRefunds([...sales.values()], takebacks, manual).values()) {
    if (link.saleId !== sale.transactionId || ours.has(link.refundId)) continue;
    total += rows.get(link.refundId)?.amountCents ?? 0;
  }
  return total;
}
