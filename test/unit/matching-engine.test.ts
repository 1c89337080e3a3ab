import { describe, expect, it } from 'vitest';
import type { MatchOutcome, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { createMatcher } from '../../electron/core/matching/engine';
import type { LearnedMapping } from '../../electron/core/matching/types';
import { CUSTOMERS, invoice, payment } from './matching-fixtures';

const matcher = createMatcher();

function run(transactions: PayTraceTransaction[], invoices: OpenInvoice[], extra: { learned?: LearnedMapping[]; consumed?: { invoiceNo: string; amountCents: number }[] } = {}): MatchOutcome[] {
  return matcher({ transactions, invoices, customers: CUSTOMERS, ...extra });
}

function one(t: PayTraceTransaction, invoices: OpenInvoice[], extra: Parameters<typeof run>[2] = {}): MatchOutcome {
  return run([t], invoices, extra)[0]!;
}

const alloc = (o: MatchOutcome): Array<[string, number]> => o.allocations.map((a) => [a.invoiceNo, a.amountCents]);

describe('references', () => {
  const invoices = [invoice('1004521', 'C10001', 15000, { poNo: 'PO123456' }), invoice('1004522', 'C10001', 9950), invoice('1004600', 'C10042', 15000)];

  it('auto-matches an exact reference with the exact amount and explains why', () => {
    const o = one(payment(15000, { invoiceId: '1004521', customerId: 'C10001' }), invoices);
    expect(o.status).toBe('auto');
    expect(alloc(o)).toEqual([['1004521', 15000]]);
    expect(o.score).toBeGreaterThan(0.9);
    expect(o.score).toBeLessThanOrEqual(1);
    expect(o.reason).toContain('invoice 1004521 referenced exactly');
    expect(o.reasons.some((r) => r.includes('(+6)'))).toBe(true);
    const top = o.candidates[0]!;
    expect(top.signals.map((s) => s.signal)).toEqual(expect.arrayContaining(['reference_exact', 'amount_exact', 'customer_id']));
    expect(top.blockers).toEqual([]);
  });

  it.each(['INV-1004521', 'inv 1004521', '#1004521', 'Invoice 1004521', '0001004521', '1004521   ', 'Inv# 1004521'])('normalises %j', (ref) => {
    const o = one(payment(15000, { invoiceId: ref }), invoices);
    expect(o.status).toBe('auto');
    expect(alloc(o)).toEqual([['1004521', 15000]]);
  });

  it('finds the PO number in customer_reference_id and the invoice in the description', () => {
    expect(alloc(one(payment(15000, { customerReferenceId: 'po123456' }), invoices))).toEqual([['1004521', 15000]]);
    const d = one(payment(15000, { description: 'Payment for invoice #1004521, thanks' }), invoices);
    expect(d.status).toBe('auto');
    expect(d.reason).toContain('named in the description');
  });

  it.each(['1004521,1004522', '1004521/1004522', '1004521; 1004522', '1004521 & 1004522', '1004521 1004522'])('pays several invoices listed as %j', (ref) => {
    const o = one(payment(24950, { invoiceId: ref }), invoices);
    expect(o.status).toBe('auto');
    expect(alloc(o).sort()).toEqual([
      ['1004521', 15000],
      ['1004522', 9950],
    ]);
  });

  it('accepts a one-character typo only with amount and customer corroboration', () => {
    const corroborated = one(payment(9950, { invoiceId: '1004252', customerId: 'C10001' }), invoices);
    expect(corroborated.status).toBe('auto');
    expect(alloc(corroborated)).toEqual([['1004522', 9950]]);
    expect(corroborated.reason).toContain('one character off invoice 1004522');

    const noCustomer = one(payment(9950, { invoiceId: '1004252', billingName: 'Someone Else' }), invoices);
    expect(noCustomer.status).toBe('suggested');
    expect(alloc(noCustomer)).toEqual([['1004522', 9950]]);
    expect(noCustomer.candidates[0]!.blockers.join(' ')).toContain('typo without amount and customer corroboration');
  });
});

describe('customers', () => {
  const invoices = [invoice('2001', 'C10001', 5000), invoice('2002', 'C10042', 7000)];

  it('resolves a card holder who is a known contact', () => {
    const o = one(payment(5000, { invoiceId: '2001', billingName: 'MARIA GARCIA' }), invoices);
    expect(o.status).toBe('auto');
    expect(o.candidates[0]!.signals.some((s) => s.signal === 'customer_contact')).toBe(true);
  });

  it('uses a learned mapping of the PayTrace customer id', () => {
    const learned: LearnedMapping[] = [{ key: 'paytrace_customer_id', value: 'VAULT-77', customerId: 'C10001', confirmations: 2 }];
    const o = one(payment(5000, { customerId: 'vault-77' }), invoices, { learned });
    expect(o.candidates[0]!.signals.find((s) => s.signal === 'customer_learned')?.detail).toContain('confirmed as C10001');
  });

  it("refuses another customer's invoice and says whose it is", () => {
    const o = one(payment(7000, { invoiceId: '2002', customerId: 'C10001' }), invoices);
    expect(o.status).toBe('exception');
    expect(o.exception).toBe('other_customer_invoice');
    expect(o.allocations).toEqual([]);
    expect(o.candidates[0]!.blockers).toContain('invoice 2002 belongs to C10042 (Granite Supply LLC)');
  });

  it('reports an unknown payer with no reference', () => {
    const o = one(payment(1234, { billingName: 'Zed Quill' }), invoices);
    expect(o.exception).toBe('unknown_payer');
  });
});

describe('allocations', () => {
  it('short payment: partial allocation, flagged, with the difference', () => {
    const o = one(payment(13760, { invoiceId: '3001', customerId: 'C10001' }), [invoice('3001', 'C10001', 15000)]);
    expect(o.status).toBe('exception');
    expect(o.exception).toBe('short_payment');
    expect(alloc(o)).toEqual([['3001', 13760]]);
    expect(o.candidates[0]!.blockers).toContain('amount −$12.40');
  });

  it('overpayment: allocates the balance and leaves the rest unapplied', () => {
    const o = one(payment(20000, { invoiceId: '3001', customerId: 'C10001' }), [invoice('3001', 'C10001', 15000)]);
    expect(o.exception).toBe('overpayment');
    expect(alloc(o)).toEqual([['3001', 15000]]);
    expect(o.unappliedCents).toBe(5000);
  });

  it('card surcharge within tolerance: automatic, surcharge shown as remainder', () => {
    const o = one(payment(15450, { invoiceId: '3001', customerId: 'C10001' }), [invoice('3001', 'C10001', 15000)]);
    expect(o.status).toBe('auto');
    expect(alloc(o)).toEqual([['3001', 15000]]);
    expect(o.unappliedCents).toBe(450);
    expect(o.reason).toContain('$4.50 surcharge');
    const strict = createMatcher({ autoSurcharge: false })({ transactions: [payment(15450, { invoiceId: '3001', customerId: 'C10001' })], invoices: [invoice('3001', 'C10001', 15000)], customers: CUSTOMERS })[0]!;
    expect(strict.status).toBe('suggested');
  });

  it('installments: several payments that add up to the balance are each automatic', () => {
    const inv = [invoice('3001', 'C10001', 30000)];
    const a = payment(10000, { invoiceId: '3001', customerId: 'C10001' });
    const b = payment(20000, { invoiceId: '3001', customerId: 'C10001', createdAt: '2025-03-02T18:00:00.000Z' });
    const [oa, ob] = run([a, b], inv);
    expect(oa!.status).toBe('auto');
    expect(ob!.status).toBe('auto');
    expect(alloc(oa!)).toEqual([['3001', 10000]]);
    expect(oa!.reason).toContain(`installment: with transaction ${b.transactionId}`);
  });

  it('finds an exact subset of the customer open invoices but only suggests it', () => {
    const inv = [invoice('4001', 'C10001', 1000), invoice('4002', 'C10001', 2500), invoice('4003', 'C10001', 4000, { invoiceDate: '2025-01-01' })];
    const o = one(payment(5000, { customerId: 'C10001' }), inv);
    expect(o.status).toBe('suggested');
    expect(alloc(o).sort()).toEqual([
      ['4001', 1000],
      ['4003', 4000],
    ]);
    expect(o.candidates[0]!.blockers[0]).toContain('no invoice reference');
  });

  it('respects balances already consumed by approved or posted matches', () => {
    const o = one(payment(15000, { invoiceId: '3001' }), [invoice('3001', 'C10001', 15000)], { consumed: [{ invoiceNo: '3001', amountCents: 15000 }] });
    expect(o.exception).toBe('invoice_not_open');
  });
});

describe('never automatic', () => {
  const inv = [invoice('5001', 'C10001', 15000), invoice('5002', 'C10001', 8000, { invoiceDate: '2025-01-10' }), invoice('5003', 'C10001', 8000)];

  it('declined, voided, other types', () => {
    const [d, v, a] = run(
      [payment(15000, { invoiceId: '5001', declined: true }), payment(15000, { invoiceId: '5001', type: 'VOID' }), payment(15000, { invoiceId: '5001', type: 'AUTHORIZATION' })],
      inv,
    );
    expect([d!.exception, v!.exception, a!.exception]).toEqual(['declined', 'voided', 'not_a_sale']);
    for (const o of [d!, v!, a!]) expect(o.allocations).toEqual([]);
  });

  it('links a refund to its original sale', () => {
    const sale = payment(15000, { invoiceId: '5001', maskedCard: '************5454' });
    const refund = payment(15000, { invoiceId: '5001', maskedCard: '************5454', type: 'REFUND', createdAt: '2025-03-03T18:00:00.000Z' });
    const [os, or] = run([sale, refund], inv);
    expect(os!.status).toBe('auto');
    expect(or!.exception).toBe('refund');
    expect(or!.reason).toContain(`for sale ${sale.transactionId}`);
    const explicit = payment(5000, { type: 'REFUND', raw: { original_transaction_id: sale.transactionId } });
    expect(run([sale, explicit], inv)[1]!.reason).toContain(`for sale ${sale.transactionId} (invoice 5001) (partial`);
  });

  it('flags a suspected duplicate inside the window, not outside it', () => {
    const first = payment(15000, { invoiceId: '5001', maskedCard: '************1111', createdAt: '2025-03-01T10:00:00.000Z' });
    const again = payment(15000, { invoiceId: '5001', maskedCard: '************1111', createdAt: '2025-03-01T12:00:00.000Z' });
    const [o1, o2] = run([first, again], inv);
    expect(o1!.status).toBe('auto');
    expect(o2!.exception).toBe('duplicate_suspected');
    expect(o2!.reason).toContain(`duplicate of transaction ${first.transactionId}`);
    const late = payment(15000, { invoiceId: '5001', maskedCard: '************1111', createdAt: '2025-03-09T12:00:00.000Z' });
    expect(run([first, late], inv)[1]!.exception).not.toBe('duplicate_suspected');
  });

  it('an amount shared by several open invoices of the customer is ambiguous', () => {
    const o = one(payment(8000, { customerId: 'C10001' }), inv);
    expect(o.status).toBe('exception');
    expect(o.exception).toBe('ambiguous_amount');
    expect(o.allocations).toEqual([]);
    expect(o.candidates.map((c) => c.allocations[0]!.invoiceNo)).toEqual(['5002', '5003']);
    expect(o.candidates[0]!.blockers).toContain('amount also matches open invoice 5003');
  });
});

describe('contested invoices', () => {
  const inv = [invoice('6001', 'C10001', 15000)];

  it('the stronger evidence wins; the other is told who claimed the invoice', () => {
    const weak = payment(15000, { invoiceId: 'INV 6001' });
    const strong = payment(15000, { invoiceId: '6001', customerId: 'C10001', createdAt: '2025-03-02T18:00:00.000Z' });
    const [ow, os] = run([weak, strong], inv);
    expect(os!.status).toBe('auto');
    expect(ow!.status).not.toBe('auto');
    expect(ow!.reason).toContain(`claimed by transaction ${strong.transactionId}`);
  });

  it('equal evidence: nobody is automatic', () => {
    const a = payment(15000, { invoiceId: '6001' });
    const b = payment(15000, { invoiceId: '6001', createdAt: '2025-03-02T18:00:00.000Z' });
    const outcomes = run([a, b], inv);
    expect(outcomes.map((o) => o.status)).not.toContain('auto');
    expect(outcomes[0]!.candidates[0]!.blockers.join(' ')).toContain('contested with transaction');
  });
});

describe('determinism and incremental use', () => {
  it('gives the same outcomes whatever the input order', () => {
    const inv = [invoice('7001', 'C10001', 1000), invoice('7002', 'C10001', 1000), invoice('7003', 'C10042', 2000)];
    const txns = [payment(1000, { invoiceId: '7001' }), payment(1000, { customerId: 'C10001' }), payment(2000, { invoiceId: '7003' }), payment(2000, { invoiceId: '7003' })];
    const a = run(txns, inv);
    const b = run([...txns].reverse(), inv).reverse();
    expect(b).toEqual(a);
    expect(run(txns, inv)).toEqual(a);
  });

  it('prepare() reuses the index across syncs and honours consumed balances', () => {
    const prepared = matcher.prepare({ invoices: [invoice('8001', 'C10001', 1000), invoice('8002', 'C10001', 2000)], customers: CUSTOMERS });
    const first = prepared.match([payment(1000, { invoiceId: '8001' })]);
    expect(first[0]!.status).toBe('auto');
    const again = prepared.match([payment(1000, { invoiceId: '8001' })], { consumed: [{ invoiceNo: '8001', amountCents: 1000 }] });
    expect(again[0]!.exception).toBe('invoice_not_open');
    expect(prepared.match([payment(2000, { invoiceId: '8002' })])[0]!.status).toBe('auto');
  });
});
