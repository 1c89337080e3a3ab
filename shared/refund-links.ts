import type { PayTraceTransaction } from './domain';

// Which sale does a PayTrace refund (or a separate VOID row) belong to?
// PayTrace's REFUND rows do not name their sale (paytrace-api.md §5.2): they
// copy its invoice_id, customer_id and masked card and get a later id. One rule
// for matching, the refund queue's refundable amount and the executor's
// look-up: an explicit original id in the row wins; otherwise an earlier sale
// with the same invoice id, customer id and card that still has that much
// left to refund. Where more than one sale qualifies, the link goes to the
// latest (exact amount first) and the others are reported as `alsoPossible`,
// so no sale that may have been refunded is ever posted automatically.

export type RefundLink = Readonly<{ refundId: number; saleId: number; alsoPossible: readonly number[]; how: 'clerk' | 'explicit' | 'copied_fields' }>;

/** A clerk's decision: this refund belongs to that sale (or, with null, to none of the synced sales). */
export type ManualRefundLinks = ReadonlyMap<number, number | null>;

export const ORIGINAL_ID_FIELDS = ['original_transaction_id', 'refunded_transaction_id', 'parent_transaction_id', 'voided_transaction_id'] as const;

/** An original-transaction id the row itself names, if any. */
export function originalIdOf(raw: unknown): number | null {
  if (raw === null || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  for (const field of ORIGINAL_ID_FIELDS) {
    const v = r[field];
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) return n;
  }
  return null;
}

/** The fields a refund copies from its sale. */
export function refundLinkKey(t: Pick<PayTraceTransaction, 'invoiceId' | 'customerId' | 'maskedCard'>): string {
  return `${t.invoiceId.trim().toUpperCase()}|${t.customerId.trim().toUpperCase()}|${t.maskedCard.trim()}`;
}

/**
 * Links refunds/voids to sales. `sales` are payments that moved money; `takebacks`
 * are REFUND rows and VOID rows whose id differs from every sale. Oldest
 * take-back first, so each sale's remaining refundable amount is spent in order.
 */
export function linkRefunds(sales: readonly PayTraceTransaction[], takebacks: readonly PayTraceTransaction[], manual: ManualRefundLinks = new Map()): Map<number, RefundLink> {
  const byId = new Map<number, PayTraceTransaction>();
  const byKey = new Map<string, PayTraceTransaction[]>();
  for (const s of sales) {
    byId.set(s.transactionId, s);
    const key = refundLinkKey(s);
    const list = byKey.get(key);
    if (list) list.push(s);
    else byKey.set(key, [s]);
  }
  const taken = new Map<number, number>();
  const links = new Map<number, RefundLink>();
  const ordered = [...takebacks].sort((a, b) => a.transactionId - b.transactionId);
  // The clerk's links come first and spend the sale's refundable amount before any rule does.
  for (const r of ordered) {
    const saleId = manual.get(r.transactionId);
    if (saleId === undefined || saleId === null || !byId.has(saleId)) continue;
    links.set(r.transactionId, { refundId: r.transactionId, saleId, alsoPossible: [], how: 'clerk' });
    taken.set(saleId, (taken.get(saleId) ?? 0) + r.amountCents);
  }
  for (const r of ordered) {
    if (manual.has(r.transactionId)) continue;
    const isVoid = r.type.trim().toUpperCase() === 'VOID';
    const explicit = originalIdOf(r.raw);
    if (explicit !== null && byId.has(explicit)) {
      links.set(r.transactionId, { refundId: r.transactionId, saleId: explicit, alsoPossible: [], how: 'explicit' });
      taken.set(explicit, (taken.get(explicit) ?? 0) + r.amountCents);
      continue;
    }
    const fits = (byKey.get(refundLinkKey(r)) ?? []).filter((s) => {
      if (s.transactionId >= r.transactionId || s.currency !== r.currency) return false;
      const left = s.amountCents - (taken.get(s.transactionId) ?? 0);
      return isVoid ? left === s.amountCents && s.amountCents === r.amountCents : left >= r.amountCents;
    });
    if (fits.length === 0) continue;
    fits.sort((a, b) => Number(b.amountCents === r.amountCents) - Number(a.amountCents === r.amountCents) || b.transactionId - a.transactionId);
    const sale = fits[0]!;
    links.set(r.transactionId, { refundId: r.transactionId, saleId: sale.transactionId, alsoPossible: fits.slice(1).map((s) => s.transactionId), how: 'copied_fields' });
    taken.set(sale.transactionId, (taken.get(sale.transactionId) ?? 0) + r.amountCents);
  }
  return links;
}
