import { siteVerdictRules } from '../matching/site-verdict-rules';
import { ApiFailure } from '@shared/api-contract';
import { formatMoney } from '@shared/money';
import { paymentVerdict } from '@shared/payment-verdict';
import { appendAudit } from '../audit/audit-log';
import { systemClock } from '../clock';
import type { Db } from '../store/db';
import { getOutcome } from '../store/queries/matches';
import { getRefundLink, removeRefundLink, saveRefundLink } from '../store/queries/refund-links';
import { getTransaction } from '../store/queries/transactions';
import { creditMemoOutbox } from '../store/queries/credit-memos';
import { creditMemoKey } from './credit-memo';

// PayTrace's refunds do not name their sale, and the rule (shared/refund-links.ts)
// links only what copies the sale's invoice, customer and card. Where it
// cannot tell, or tells wrong, a clerk says which sale a refund belongs to
// ("none of the synced sales" is an answer too), or takes their word back so
// the rule applies again. The matcher then re-matches with the link.

export type RefundLinkChange = Readonly<{ refundId: number; saleId: number | null; previousSaleId: number | null }>;

/** `saleId`: the sale; null: belongs to no synced sale; undefined: remove the clerk's link. */
export function linkRefundByHand(db: Db, refundId: number, saleId: number | null | undefined, actor: string, now = systemClock.iso()): RefundLinkChange {
  return db.transaction((): RefundLinkChange => {
    const refund = getTransaction(db, refundId);
    if (!refund) throw new ApiFailure('not_found', `Transaction ${refundId} is not in the local store.`);
    const rules = siteVerdictRules(db);
    const verdict = paymentVerdict(refund, rules);
    if (verdict.received || (verdict.code !== 'refund' && verdict.code !== 'voided')) {
      throw new ApiFailure('conflict', `Transaction ${refundId} is not a PayTrace refund or void: only those are linked to a sale.`);
    }
    const memo = creditMemoOutbox(db, [creditMemoKey(String(refundId)), creditMemoKey(`V${refundId}`)]);
    if (memo) {
      throw new ApiFailure('conflict', `A credit memo for refund ${refundId} is already ${memo.state === 'posted' ? 'posted' : 'in the outbox'}: relinking would leave it on the wrong sale. Reverse it in the ERP first.`);
    }
    if (saleId !== undefined && saleId !== null) {
      const sale = getTransaction(db, saleId);
      if (!sale) throw new ApiFailure('not_found', `Sale ${saleId} is not in the local store.`);
      const saleVerdict = paymentVerdict(sale, rules);
      if (!saleVerdict.received) throw new ApiFailure('conflict', `Transaction ${saleId} is not a payment PayTrace approved (${saleVerdict.reason}): nothing to refund.`);
      if (sale.currency !== refund.currency) throw new ApiFailure('conflict', `Sale ${saleId} is in ${sale.currency}, the refund in ${refund.currency}.`);
      if (sale.createdAt > refund.createdAt) throw new ApiFailure('conflict', `Sale ${saleId} was made after refund ${refundId}: a refund follows its sale.`);
      if (Math.abs(refund.amountCents) > sale.amountCents) {
        throw new ApiFailure('conflict', `Refund ${refundId} (${formatMoney(refund.amountCents, refund.currency)}) is more than sale ${saleId} (${formatMoney(sale.amountCents, sale.currency)}).`);
      }
    }
    const previousSaleId = getOutcome(db, refundId)?.refundOf ?? null;
    const before = getRefundLink(db, refundId);
    if (saleId === undefined) removeRefundLink(db, refundId);
    else saveRefundLink(db, refundId, saleId, actor, now);
    appendAudit(db, {
      actor,
      action: saleId === undefined ? 'refund.unlinked' : 'refund.linked',
      objectType: 'transaction',
      objectId: String(refundId),
      before: { refundOf: previousSaleId, clerkLink: before },
      after: saleId === undefined ? { clerkLink: null, rule: 'applies again' } : { saleId },
      at: now,
    });
    return { refundId, saleId: saleId ?? null, previousSaleId };
  })();
}
