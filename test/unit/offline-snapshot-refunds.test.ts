import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cents } from '../../shared/money';
import type { PayTraceTransaction } from '../../shared/domain';
import { linkRefunds } from '../../shared/refund-links';
import { knownRefundedCents } from '../../electron/core/offline/snapshot';
import { syncedRefundedCents } from '../../electron/core/refunds/synced-refunds';
import { openStore, type Db } from '../../electron/core/store/db';
import { saveRefundLink } from '../../electron/core/store/queries/refund-links';
import { upsertTransactions } from '../../electron/core/store/queries/transactions';

// The offline snapshot's "refunded so far" (then, and now on catch-up) counts a
// sale's synced refunds by the one refund-link rule (shared/refund-links.ts)
// with the clerk's manual links, exactly as matching does, not by a heuristic
// of its own: otherwise a catch-up flags a refund of another sale as a
// conflict, or misses one a clerk linked.

const AT = '2026-01-05T15:00:00.000Z';

function store(): Db {
  return openStore(mkdtempSync(join(tmpdir(), 'tieout-snapshot-refunds-')));
}

type Payer = { customerId: string; card: string; name: string };
const PAYERS: readonly Payer[] = [
  { customerId: 'C1', card: '************1111', name: 'Apex Plumbing' },
  { customerId: 'C1', card: '************2222', name: 'Apex Plumbing' },
  { customerId: 'C2', card: '************3333', name: 'Birch Electric' },
];

function txn(id: number, type: 'SALE' | 'REFUND', amount: number, invoiceId: string, payer: Payer, minute: number): PayTraceTransaction {
  return {
    transactionId: id,
    type,
    amountCents: cents(amount),
    currency: 'USD',
    taxCents: null,
    createdAt: `2026-01-02T10:${String(minute).padStart(2, '0')}:00.000Z`,
    settledAt: null,
    declined: false,
    approvalCode: type === 'SALE' ? 'A1' : '',
    approvalMessage: 'Approved',
    invoiceId,
    description: '',
    customerReferenceId: payer.customerId,
    customerId: payer.customerId,
    billingName: payer.name,
    email: '',
    maskedCard: payer.card,
    method: 'card',
    raw: { transaction_id: id },
  };
}

/** What the one rule links to `saleId`, computed over the whole picture in memory. */
function byTheRule(sales: readonly PayTraceTransaction[], refunds: readonly PayTraceTransaction[], manual: ReadonlyMap<number, number | null>, saleId: number): number {
  let total = 0;
  for (const link of linkRefunds(sales, refunds, manual).values()) {
    if (link.saleId === saleId) total += refunds.find((r) => r.transactionId === link.refundId)!.amountCents;
  }
  return total;
}

const INVOICES = ['INV-1', 'INV-2'] as const;

const saleArb = fc.record({ invoice: fc.constantFrom(...INVOICES), payer: fc.nat(PAYERS.length - 1), amount: fc.constantFrom(2_500, 5_000, 10_000) });
// A refund copies some sale's fields (possibly another sale of the same customer), or carries no invoice;
// it takes back part or all of that sale; a clerk may link it to a sale, or to none.
const refundArb = fc.record({
  of: fc.nat(7),
  noInvoice: fc.boolean(),
  share: fc.constantFrom(1, 0.5, 0.25),
  manual: fc.option(fc.option(fc.nat(7), { nil: null }), { nil: undefined }),
  synced: fc.boolean(),
});

describe('offline snapshot: refunded cents by the one refund-link rule', () => {
  it('counts a refund of a second instalment on the same invoice once, for that instalment only', () => {
    const db = store();
    const big = txn(100, 'SALE', 10_000, 'INV-1', PAYERS[0]!, 0);
    const small = txn(101, 'SALE', 5_000, 'INV-1', PAYERS[0]!, 1);
    const refund = txn(200, 'REFUND', 5_000, 'INV-1', PAYERS[0]!, 2);
    upsertTransactions(db, [big, small, refund], AT);
    expect(knownRefundedCents(db, 101)).toBe(5_000);
    expect(knownRefundedCents(db, 100)).toBe(0);
  });

  it('counts a refund without invoice that a clerk linked to the sale, and not one the clerk linked elsewhere', () => {
    const db = store();
    const sale = txn(100, 'SALE', 10_000, 'INV-1', PAYERS[0]!, 0);
    const noInvoice = txn(200, 'REFUND', 3_000, '', PAYERS[0]!, 1);
    const elsewhere = txn(201, 'REFUND', 2_000, 'INV-1', PAYERS[0]!, 2);
    upsertTransactions(db, [sale, noInvoice, elsewhere], AT);
    saveRefundLink(db, 200, 100, 'clerk', AT);
    saveRefundLink(db, 201, null, 'clerk', AT);
    expect(knownRefundedCents(db, 100)).toBe(3_000);
    // The refund queue leaves only what PayTrace has not taken back, the clerk's link included.
    expect(syncedRefundedCents(db, sale)).toBe(3_000);
    // On catch-up the fresh export brings the same rows: the same count.
    expect(knownRefundedCents(db, 100, [noInvoice, elsewhere])).toBe(3_000);
  });

  it('agrees with linkRefunds and the manual links on any mix of sales and refunds, then (stored) and now (fresh export)', () => {
    // Two stores emptied for each case rather than two new ones (on PostgreSQL each new store is a database).
    const then = store();
    const now = store();
    const empty = (db: Db) => db.transaction(() => {
      db.prepare('DELETE FROM refund_links').run();
      db.prepare('DELETE FROM paytrace_transactions').run();
    })();
    fc.assert(
      fc.property(fc.array(saleArb, { minLength: 1, maxLength: 4 }), fc.array(refundArb, { maxLength: 6 }), (saleSpecs, refundSpecs) => {
        const sales = saleSpecs.map((s, i) => txn(100 + i, 'SALE', s.amount, s.invoice, PAYERS[s.payer]!, i));
        const refunds = refundSpecs.map((r, i) => {
          const of = sales[r.of % sales.length]!;
          const payer = PAYERS.find((p) => p.card === of.maskedCard)!;
          return txn(200 + i, 'REFUND', Math.max(1, Math.round(of.amountCents * r.share)), r.noInvoice ? '' : of.invoiceId, payer, 10 + i);
        });
        const manual = new Map<number, number | null>();
        refundSpecs.forEach((r, i) => {
          if (r.manual !== undefined) manual.set(200 + i, r.manual === null ? null : sales[r.manual % sales.length]!.transactionId);
        });

        // Then: everything synced.
        empty(then);
        upsertTransactions(then, [...sales, ...refunds], AT);
        for (const [refundId, saleId] of manual) saveRefundLink(then, refundId, saleId, 'clerk', AT);
        // Now: some refunds only in the fresh export the catch-up reads.
        empty(now);
        upsertTransactions(now, [...sales, ...refunds.filter((_, i) => refundSpecs[i]!.synced)], AT);
        for (const [refundId, saleId] of manual) saveRefundLink(now, refundId, saleId, 'clerk', AT);

        for (const sale of sales) {
          const expected = byTheRule(sales, refunds, manual, sale.transactionId);
          expect(knownRefundedCents(then, sale.transactionId), `then, sale ${sale.transactionId}`).toBe(expected);
          // The refund queue's "already taken back" (what is left to refund) is the same count.
          expect(syncedRefundedCents(then, sale), `refund queue, sale ${sale.transactionId}`).toBe(expected);
          expect(knownRefundedCents(now, sale.transactionId, refunds), `now, sale ${sale.transactionId}`).toBe(expected);
        }
      }),
      { numRuns: 80 },
    );
    then.close();
    now.close();
  });
});
