import { siteVerdictRules } from '../matching/site-verdict-rules';
import { DateTime } from 'luxon';
import { cents } from '@shared/money';
import type { OpenInvoice, PayTraceTransaction } from '@shared/domain';
import type { ConflictKind, DecisionSide, InvoiceState } from '@shared/api/offline';
import { merchantDate } from '@shared/paytrace-time';
import { paymentVerdict } from '@shared/payment-verdict';
import { appendAudit } from '../audit/audit-log';
import { exceedsOpenBalance } from '../approval/open-item-claims';
import type { ErpConnector, ReceiptRequest } from '../erp/connector';
import { silentLogger, type Logger } from '../log/logger';
import type { OutboxRow, Preflight } from '../posting/outbox-worker';
import type { Db } from '../store/db';
import { setInvoiceStates } from '../store/queries/ledger';
import { replaceOpenConflict } from '../store/queries/posting-conflicts';
import { parseReceiptPayload } from '../store/queries/outbox-payloads';
import { outboxStateOf } from '../store/queries/posting-state';
import { UNFINISHED_STATES } from '../remote-writes/states';
import { knownRefundedCents, thenSide, wasVoidedThroughTieout } from './snapshot';

// Catch-up re-validation: before a queued posting's first send, the decision is
// checked against fresh remote state. What no longer holds becomes a conflict
// (then and now side by side) instead of a receipt the world has overtaken.

export type PaymentSource = Readonly<{
  exportById(transactionId: number): Promise<PayTraceTransaction | null>;
  exportByDateRange(range: { startDate: string; endDate: string }, filters?: { transactionType?: string }): Promise<{ transactions: PayTraceTransaction[] }>;
}>;

export type CatchUpOptions = Readonly<{
  db: Db;
  paytrace: () => Promise<PaymentSource>;
  merchantZone: () => string;
  /** How long one fresh read of the ERP ledger serves later rows of the same catch-up. */
  ttlMs?: number;
  now?: () => Date;
  logger?: Logger;
  onConflict?: (transactionId: number) => void;
}>;

type ErpPicture = { readAt: number; startedAt: string; invoices: Map<string, OpenInvoice>; customers: Set<string> };
type RefundPicture = { readAt: number; fromDate: string; rows: PayTraceTransaction[] };

export type Finding = Readonly<{ kind: ConflictKind; detail: string }>;

/** Compares a decision with fresh remote state; pure, so each rule is testable on its own. */
export function findConflicts(receipt: ReceiptRequest, then: DecisionSide, now: DecisionSide, claimedByOthers: ReadonlyMap<string, number> = new Map()): Finding[] {
  const findings: Finding[] = [];
  const paymentGone = now.payment.type === 'MISSING';
  if (now.payment.type === 'VOID' || paymentGone) {
    if (then.payment.type !== now.payment.type) {
      findings.push({ kind: 'payment_voided', detail: paymentGone ? `PayTrace no longer returns payment ${receipt.reference}.` : `Payment ${receipt.reference} was voided in PayTrace.` });
    }
  }
  if (now.payment.refundedCents > then.payment.refundedCents) {
    findings.push({ kind: 'payment_refunded', detail: `Payment ${receipt.reference} was refunded (${now.payment.refundedCents - then.payment.refundedCents} cents) since the approval.` });
  }
  if (!now.customerExists) findings.push({ kind: 'customer_missing', detail: `Customer ${receipt.customerId} no longer exists in the ERP.` });
  for (const a of receipt.allocations) {
    const inv = now.invoices.find((i) => i.invoiceNo === a.invoiceNo);
    const claimed = claimedByOthers.get(a.invoiceNo) ?? 0;
    // An open credit applied in the receipt is a negative line on a negative balance: used up is its "paid elsewhere".
    if (!inv || !inv.isOpen || (a.amountCents < 0 ? inv.openBalanceCents >= 0 : inv.openBalanceCents <= 0)) {
      findings.push({ kind: 'invoice_paid_elsewhere', detail: `Invoice ${a.invoiceNo} is no longer open in the ERP.` });
    } else if (exceedsOpenBalance(inv.openBalanceCents, claimed, a.amountCents)) {
      const left = inv.openBalanceCents - claimed;
      findings.push({
        kind: 'invoice_partially_paid',
        detail: `Invoice ${a.invoiceNo} has ${left} cents open${claimed ? ` after ${claimed} cents of other queued postings` : ''}; the decision applies ${a.amountCents}.`,
      });
    }
  }
  return findings;
}

export function createCatchUpPreflight(o: CatchUpOptions): Preflight {
  const logger = o.logger ?? silentLogger;
  const now = o.now ?? (() => new Date());
  const ttl = o.ttlMs ?? 30_000;
  let erp: ErpPicture | null = null;
  let refunds: RefundPicture | null = null;
  // Rows that passed and may be in flight: their allocations are not yet in a read that started before they posted.
  const passed = new Map<number, { allocations: ReceiptRequest['allocations'] }>();
  // The same rows by invoice: a check reads only its own invoices' claims, so it
  // visits the rows touching them instead of every row passed (quadratic in a batch).
  const passedByInvoice = new Map<string, Set<number>>();

  async function readErp(connector: ErpConnector): Promise<ErpPicture> {
    if (erp && now().getTime() - erp.readAt < ttl) return erp;
    const startedAt = now().toISOString();
    const invoices = new Map<string, OpenInvoice>();
    for await (const page of connector.listOpenInvoices()) for (const i of page) invoices.set(i.invoiceNo, i);
    const customers = new Set<string>();
    for await (const page of connector.listCustomers()) for (const c of page) customers.add(c.customerId);
    erp = { readAt: now().getTime(), startedAt, invoices, customers };
    return erp;
  }

  async function readRefunds(source: PaymentSource, fromDate: string): Promise<PayTraceTransaction[]> {
    if (refunds && now().getTime() - refunds.readAt < ttl && refunds.fromDate <= fromDate) return refunds.rows;
    const today = DateTime.fromJSDate(now(), { zone: o.merchantZone() }).toISODate()!;
    const { transactions } = await source.exportByDateRange({ startDate: fromDate, endDate: today < fromDate ? fromDate : today }, { transactionType: 'REFUND' });
    refunds = { readAt: now().getTime(), fromDate, rows: transactions };
    return transactions;
  }

  /** What other queued postings claim on these invoices beyond what the fresh read already reflects. */
  function claimedByOthers(picture: ErpPicture, self: number, invoiceNos: readonly string[]): Map<string, number> {
    const claimed = new Map<string, number>();
    const ids = new Set(invoiceNos.flatMap((no) => [...(passedByInvoice.get(no) ?? [])]));
    for (const id of ids) {
      const p = passed.get(id);
      if (!p) continue;
      const r = outboxStateOf(o.db, id);
      const stillClaims = r && ((UNFINISHED_STATES as readonly string[]).includes(r.state) || (r.state === 'posted' && r.updatedAt >= picture.startedAt));
      if (!stillClaims) {
        passed.delete(id);
        for (const a of p.allocations) passedByInvoice.get(a.invoiceNo)?.delete(id);
        continue;
      }
      if (id === self) continue;
      for (const a of p.allocations) claimed.set(a.invoiceNo, (claimed.get(a.invoiceNo) ?? 0) + a.amountCents);
    }
    return claimed;
  }

  return async (row: OutboxRow, connector: ErpConnector) => {
    if (row.kind !== 'receipt') return { ok: true };
    const receipt = parseReceiptPayload(row.payload_json);
    const then = thenSide(o.db, row.transaction_id, receipt);
    // Any read failing here throws: the worker retries later, it never posts unchecked.
    const picture = await readErp(connector);
    const source = await o.paytrace();
    const fresh = await source.exportById(row.transaction_id);
    const saleDate = fresh ? merchantDate(fresh.createdAt, o.merchantZone()) : receipt.date;
    const refundRows = await readRefunds(source, saleDate);
    const checkedAt = now().toISOString();
    const invoices: InvoiceState[] = receipt.allocations.map((a) => {
      const inv = picture.invoices.get(a.invoiceNo);
      return { invoiceNo: a.invoiceNo, isOpen: !!inv, openBalanceCents: cents(inv?.openBalanceCents ?? 0), currency: inv?.currency ?? receipt.currency };
    });
    // Not money any more (voided, or no longer approved by the one rule): the decision is overtaken.
    const voided = !fresh || !paymentVerdict(fresh, siteVerdictRules(o.db)).received || wasVoidedThroughTieout(o.db, row.transaction_id);
    const nowSide: DecisionSide = {
      takenAt: checkedAt,
      paytraceAsOf: checkedAt,
      erpAsOf: picture.startedAt,
      customerId: receipt.customerId,
      customerExists: picture.customers.has(receipt.customerId),
      allocations: receipt.allocations,
      invoices,
      payment: {
        type: !fresh ? 'MISSING' : voided ? 'VOID' : fresh.type,
        amountCents: fresh?.amountCents ?? receipt.amountCents,
        currency: fresh?.currency ?? receipt.currency,
        refundedCents: knownRefundedCents(o.db, row.transaction_id, refundRows),
      },
    };
    const findings = findConflicts(receipt, then, nowSide, claimedByOthers(picture, row.id, receipt.allocations.map((a) => a.invoiceNo)));
    if (findings.length === 0) {
      passed.set(row.id, { allocations: receipt.allocations });
      for (const a of receipt.allocations) passedByInvoice.set(a.invoiceNo, (passedByInvoice.get(a.invoiceNo) ?? new Set()).add(row.id));
      return { ok: true };
    }
    recordConflict(o.db, row.transaction_id, findings, then, nowSide, checkedAt);
    logger.warn(`transaction ${row.transaction_id}: conflict on catch-up: ${findings.map((f) => f.kind).join(', ')}`);
    o.onConflict?.(row.transaction_id);
    return { ok: false, reason: findings.map((f) => f.detail).join(' ') };
  };
}

/** Stores the conflict and brings the local ledger up to what the ERP now says about these invoices. */
export function recordConflict(db: Db, transactionId: number, findings: readonly Finding[], then: DecisionSide, now: DecisionSide, at: string): void {
  const kinds = [...new Set(findings.map((f) => f.kind))];
  db.transaction(() => {
    replaceOpenConflict(db, { transactionId, kinds, details: findings.map((f) => f.detail), then, now, at });
    setInvoiceStates(db, now.invoices, at);
    appendAudit(db, { actor: 'system', action: 'catchup.conflict', objectType: 'transaction', objectId: String(transactionId), after: { kinds, details: findings.map((f) => f.detail) }, at });
  })();
}
