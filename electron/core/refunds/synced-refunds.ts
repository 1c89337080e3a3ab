import { siteVerdictRules } from '../matching/site-verdict-rules';
import type { PayTraceTransaction } from '@shared/domain';
import { paymentVerdict } from '@shared/payment-verdict';
import { linkRefunds } from '@shared/refund-links';
import type { Db } from '../store/db';
import { transactionsSharingRefundKey } from '../store/queries/transactions';
import { executedRefundIds } from './store';

// What PayTrace already took back from a sale outside Tieout's own refund
// requests: the synced REFUND (and separate VOID) rows the shared link rule
// ties to this sale, less those Tieout executed itself (already reserved).

export function syncedRefundedCents(db: Db, sale: PayTraceTransaction): number {
  const related = transactionsSharingRefundKey(db, sale);
  const rules = siteVerdictRules(db);
  const sales: PayTraceTransaction[] = [];
  const takebacks: PayTraceTransaction[] = [];
  for (const t of related) {
    const v = paymentVerdict(t, rules);
    if (v.received) sales.push(t);
    else if (v.code === 'refund' || v.code === 'voided') takebacks.push(t);
  }
  if (takebacks.length === 0) return 0;
  const ours = executedRefundIds(db);
  let total = 0;
  for (const link of linkRefunds(sales, takebacks).values()) {
    if (link.saleId !== sale.transactionId || ours.has(link.refundId)) continue;
    total += takebacks.find((r) => r.transactionId === link.refundId)?.amountCents ?? 0;
  }
  return total;
}
