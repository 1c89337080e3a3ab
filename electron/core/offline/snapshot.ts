import { cents, type Cents } from '@shared/money';
import type { Allocation, PayTraceTransaction } from '@shared/domain';
import type { DecisionSide, InvoiceState } from '@shared/api/offline';
import { paymentVerdict } from '@shared/payment-verdict';
import { linkRefunds, originalIdOf, refundLinkKey } from '@shared/refund-links';
import type { ReceiptRequest } from '../erp/connector';
import { siteVerdictRules } from '../matching/site-verdict-rules';
import { systemClock, type Clock } from '../clock';
import type { Db, ReadDb, WriteDb } from '../store/db';
import { decisionSnapshot, saveDecisionSnapshot } from '../store/queries/decision-snapshots';
import { customerExists, ledgerInvoice } from '../store/queries/ledger';
import { decidedAt } from '../store/queries/match-review';
import { receiptFor } from '../store/queries/posting-state';
import { listRefundLinks } from '../store/queries/refund-links';
import { executedRefundIds, refundedThroughTieoutCents, voidedThroughTieout } from '../store/queries/refund-requests';
import { getValue } from '../store/queries/settings';
import { getTransaction, paymentSummary, storedTakebacks, transactionsSharingRefundKey } from '../store/queries/transactions';

// "Then": the picture a clerk approved against, kept beside the decision so a
// conflict found on reconnect can show what changed.

/**
 * What PayTrace has refunded of this sale, as far as we know: refunds made
 * through Tieout, plus the synced REFUND (and separate VOID) rows that the one
 * refund-link rule (shared/refund-links.ts, with the clerk's links in
 * refund_links) gives to this sale, exactly as matching does. PayTrace's export
 * does not link a refund to its sale (docs/paytrace.md); a refund that the rule
 * gives to another sale of the same customer is not counted here. `freshRefunds`
 * (the catch-up's fresh REFUND export) replace or add to the stored rows.
 */
export function knownRefundedCents(db: Db, transactionId: number, freshRefunds: readonly PayTraceTransaction[] = []): Cents {
  const throughTieout = refundedThroughTieoutCents(db, transactionId);
  const sale = getTransaction(db, transactionId);
  if (!sale) return cents(throughTieout);
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
  // One that names a sale outside these links to that sale, not by the copied fields.
  for (const t of takebacks) {
    const named = originalIdOf(t.raw);
    if (named === null || sales.has(named)) continue;
    const other = getTransaction(db, named);
    if (other && paymentVerdict(other, rules).received) sales.set(named, other);
  }
  const ours = executedRefundIds(db);
  let synced = 0;
  for (const link of linkRefunds([...sales.values()], takebacks, manual).values()) {
    if (link.saleId !== transactionId || ours.has(link.refundId)) continue;
    synced += rows.get(link.refundId)?.amountCents ?? 0;
  }
  return cents(throughTieout + synced);
}

export function wasVoidedThroughTieout(db: ReadDb, transactionId: number): boolean {
  return voidedThroughTieout(db, transactionId);
}

function localInvoiceStates(db: ReadDb, allocations: readonly Allocation[], currency: string): InvoiceState[] {
  return allocations.map((a) => {
    const r = ledgerInvoice(db, a.invoiceNo);
    return { invoiceNo: a.invoiceNo, isOpen: r?.isOpen === true, openBalanceCents: cents(r?.openBalanceCents ?? 0), currency: r?.currency ?? currency };
  });
}

/** The local picture of one approved decision. */
// Db, not ReadDb: settings.getValue (sync_state) still takes the writable type.
export function localDecisionSide(db: Db, transactionId: number, customerId: string, allocations: readonly Allocation[], takenAt: string): DecisionSide {
  const t = paymentSummary(db, transactionId);
  const currency = t?.currency ?? 'USD';
  return {
    takenAt,
    paytraceAsOf: getValue(db, 'paytrace.as_of'),
    erpAsOf: getValue(db, 'erp.as_of'),
    customerId,
    customerExists: customerExists(db, customerId),
    allocations,
    invoices: localInvoiceStates(db, allocations, currency),
    payment: { type: t?.type ?? 'UNKNOWN', amountCents: cents(t?.amountCents ?? 0), currency, refundedCents: knownRefundedCents(db, transactionId) },
  };
}

/** Stores "then" for each approved transaction (call in the approval's transaction). */
export function takeDecisionSnapshots(db: WriteDb, transactionIds: readonly number[], now?: string, clock: Clock = systemClock): void {
  const at = now ?? clock.iso();
  db.transaction(() => {
    for (const id of transactionIds) {
      const receipt = receiptFor(db, id);
      if (!receipt) continue;
      saveDecisionSnapshot(db, id, at, localDecisionSide(db, id, receipt.customerId, receipt.allocations, at));
    }
  })();
}

/** "Then" for a queued posting: the stored snapshot, or (approved before snapshots existed) the decision itself. */
export function thenSide(db: Db, transactionId: number, receipt: ReceiptRequest, clock: Clock = systemClock): DecisionSide {
  const stored = decisionSnapshot(db, transactionId);
  if (stored) return stored;
  return localDecisionSide(db, transactionId, receipt.customerId, receipt.allocations, decidedAt(db, transactionId) ?? clock.iso());
}
