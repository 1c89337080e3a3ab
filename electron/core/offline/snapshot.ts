import { cents, type Cents } from '@shared/money';
import type { Allocation } from '@shared/domain';
import type { DecisionSide, InvoiceState } from '@shared/api/offline';
import type { ReceiptRequest } from '../erp/connector';
import type { Db } from '../store/db';
import { getValue } from '../store/queries/settings';

// "Then": the picture a clerk approved against, kept beside the decision so a
// conflict found on reconnect can show what changed.

function tableExists(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

export type RefundRow = Readonly<{ transactionId: number; type: string; declined: boolean; amountCents: number; invoiceId: string; customerReferenceId: string; billingName: string; createdAt: string }>;

/**
 * What PayTrace has refunded of this sale, as far as we know: refunds made
 * through Tieout, plus REFUND rows that carry the sale's invoice and customer
 * references and came later. PayTrace's export does not link a refund to its
 * sale (docs/paytrace.md), so the second half is a heuristic. `refundRows`
 * defaults to the REFUND rows in the local store.
 */
export function knownRefundedCents(db: Db, transactionId: number, refundRows?: readonly RefundRow[]): Cents {
  let total = 0;
  const hasRequests = tableExists(db, 'refund_requests');
  const ours = new Set<number>();
  if (hasRequests) {
    total += (
      db
        .prepare("SELECT COALESCE(SUM(amount_cents), 0) AS n FROM refund_requests WHERE transaction_id = ? AND method = 'refund' AND state IN ('executing', 'done')")
        .get(transactionId) as { n: number }
    ).n;
    for (const r of db.prepare('SELECT paytrace_transaction_id AS id FROM refund_requests WHERE paytrace_transaction_id IS NOT NULL').all() as Array<{ id: number }>) ours.add(r.id);
  }
  const sale = db.prepare('SELECT invoice_id, customer_reference_id, billing_name, created_at FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as
    | { invoice_id: string; customer_reference_id: string; billing_name: string; created_at: string }
    | undefined;
  if (!sale || sale.invoice_id === '') return cents(total);
  const rows =
    refundRows ??
    (
      db
        .prepare("SELECT transaction_id, type, declined, amount_cents, invoice_id, customer_reference_id, billing_name, created_at FROM paytrace_transactions WHERE type = 'REFUND'")
        .all() as Array<{ transaction_id: number; type: string; declined: number; amount_cents: number; invoice_id: string; customer_reference_id: string; billing_name: string; created_at: string }>
    ).map((r) => ({
      transactionId: r.transaction_id,
      type: r.type,
      declined: r.declined === 1,
      amountCents: r.amount_cents,
      invoiceId: r.invoice_id,
      customerReferenceId: r.customer_reference_id,
      billingName: r.billing_name,
      createdAt: r.created_at,
    }));
  for (const r of rows) {
    if (r.type !== 'REFUND' || r.declined || ours.has(r.transactionId)) continue;
    if (r.invoiceId === sale.invoice_id && r.customerReferenceId === sale.customer_reference_id && r.billingName === sale.billing_name && r.createdAt > sale.created_at) {
      total += r.amountCents;
    }
  }
  return cents(total);
}

export function wasVoidedThroughTieout(db: Db, transactionId: number): boolean {
  if (!tableExists(db, 'refund_requests')) return false;
  return !!db.prepare("SELECT 1 FROM refund_requests WHERE transaction_id = ? AND method = 'void' AND state IN ('executing', 'done')").get(transactionId);
}

function localInvoiceStates(db: Db, allocations: readonly Allocation[], currency: string): InvoiceState[] {
  const stmt = db.prepare('SELECT open_balance_cents, currency, is_open FROM invoices WHERE invoice_no = ?');
  return allocations.map((a) => {
    const r = stmt.get(a.invoiceNo) as { open_balance_cents: number; currency: string; is_open: number } | undefined;
    return { invoiceNo: a.invoiceNo, isOpen: r?.is_open === 1, openBalanceCents: cents(r?.open_balance_cents ?? 0), currency: r?.currency ?? currency };
  });
}

/** The local picture of one approved decision. */
export function localDecisionSide(db: Db, transactionId: number, customerId: string, allocations: readonly Allocation[], takenAt: string): DecisionSide {
  const t = db.prepare('SELECT type, amount_cents, currency FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as
    | { type: string; amount_cents: number; currency: string }
    | undefined;
  const currency = t?.currency ?? 'USD';
  return {
    takenAt,
    paytraceAsOf: getValue(db, 'paytrace.as_of'),
    erpAsOf: getValue(db, 'erp.as_of'),
    customerId,
    customerExists: !!db.prepare('SELECT 1 FROM customers WHERE customer_id = ?').get(customerId),
    allocations,
    invoices: localInvoiceStates(db, allocations, currency),
    payment: { type: t?.type ?? 'UNKNOWN', amountCents: cents(t?.amount_cents ?? 0), currency, refundedCents: knownRefundedCents(db, transactionId) },
  };
}

/** Stores "then" for each approved transaction (call in the approval's transaction). */
export function takeDecisionSnapshots(db: Db, transactionIds: readonly number[], now = new Date().toISOString()): void {
  const outbox = db.prepare("SELECT payload_json FROM outbox WHERE transaction_id = ? AND kind = 'receipt'");
  const put = db.prepare(
    `INSERT INTO decision_snapshots (transaction_id, taken_at, snapshot_json) VALUES (?, ?, ?)
     ON CONFLICT (transaction_id) DO UPDATE SET taken_at = excluded.taken_at, snapshot_json = excluded.snapshot_json`,
  );
  db.transaction(() => {
    for (const id of transactionIds) {
      const row = outbox.get(id) as { payload_json: string } | undefined;
      if (!row) continue;
      const receipt = JSON.parse(row.payload_json) as ReceiptRequest;
      put.run(id, now, JSON.stringify(localDecisionSide(db, id, receipt.customerId, receipt.allocations, now)));
    }
  })();
}

/** "Then" for a queued posting: the stored snapshot, or (approved before snapshots existed) the decision itself. */
export function thenSide(db: Db, transactionId: number, receipt: ReceiptRequest): DecisionSide {
  const r = db.prepare('SELECT snapshot_json FROM decision_snapshots WHERE transaction_id = ?').get(transactionId) as { snapshot_json: string } | undefined;
  if (r) return JSON.parse(r.snapshot_json) as DecisionSide;
  const decidedAt = (db.prepare('SELECT decided_at FROM matches WHERE transaction_id = ?').get(transactionId) as { decided_at: string | null } | undefined)?.decided_at;
  return localDecisionSide(db, transactionId, receipt.customerId, receipt.allocations, decidedAt ?? new Date().toISOString());
}
