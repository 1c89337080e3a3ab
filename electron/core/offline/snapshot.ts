import { cents, type Cents } from '@shared/money';
import type { Allocation, PayTraceTransaction } from '@shared/domain';
import type { DecisionSide, InvoiceState } from '@shared/api/offline';
import type { ReceiptRequest } from '../erp/connector';
import { systemClock, type Clock } from '../clock';
import type { Db, ReadDb, WriteDb } from '../store/db';
import { decisionSnapshot, saveDecisionSnapshot } from '../store/queries/decision-snapshots';
import { customerExists, ledgerInvoice } from '../store/queries/ledger';
import { decidedAt } from '../store/queries/match-review';
import { receiptFor } from '../store/queries/posting-state';
import { refundedThroughTieoutCents, voidedThroughTieout } from '../store/queries/refund-requests';
import { syncedRefundedCents } from '../refunds/synced-refunds';
import { readSyncCursor } from '../store/queries/sync-cursors';
import { getTransaction, paymentSummary } from '../store/queries/transactions';

// "Then": the picture a clerk approved against, kept beside the decision so a
// conflict found on reconnect can show what changed.

/**
 * What PayTrace has refunded of this sale, as far as we know: refunds made
 * through Tieout, plus the synced take-backs the one refund-link rule gives to
 * this sale (electron/core/refunds/synced-refunds.ts, as the refund queue
 * counts them). `freshRefunds` (the catch-up's fresh REFUND export) replace or
 * add to the stored rows.
 */
export function knownRefundedCents(db: ReadDb, transactionId: number, freshRefunds: readonly PayTraceTransaction[] = []): Cents {
  const throughTieout = refundedThroughTieoutCents(db, transactionId);
  const sale = getTransaction(db, transactionId);
  if (!sale) return cents(throughTieout);
  return cents(throughTieout + syncedRefundedCents(db, sale, freshRefunds));
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
export function localDecisionSide(db: ReadDb, transactionId: number, customerId: string, allocations: readonly Allocation[], takenAt: string): DecisionSide {
  const t = paymentSummary(db, transactionId);
  const currency = t?.currency ?? 'USD';
  return {
    takenAt,
    paytraceAsOf: readSyncCursor(db, 'paytrace.as_of'),
    erpAsOf: readSyncCursor(db, 'erp.as_of'),
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
