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
  it('short pay with a strong reference from the invoice customer: applied automatically below the limit, the rest stays open', () => {
    const o = one(payment(13760, { invoiceId: '3001', customerId: 'C10001' }), [invoice('3001', 'C10001', 15000)]);
    expect(o.status).toBe('auto');
    expect(alloc(o)).toEqual([['3001', 13760]]);
    expect(o.markers).toEqual(['short_pay']);
    expect(o.remainingCents).toBe(1240);
  });

  it('short pay above the automatic limit is suggested; with shortPay "off" it is an exception', () => {
    const big = one(payment(10000, { invoiceId: '3001', customerId: 'C10001' }), [invoice('3001', 'C10001', 15000)]);
    expect(big.status).toBe('suggested');
    expect(big.remainingCents).toBe(5000);
    const off = createMatcher({ shortPay: 'off' })({ transactions: [payment(13760, { invoiceId: '3001', customerId: 'C10001' })], invoices: [invoice("3001", "C10001", 15000)], customers: CUSTOMERS })[0]!;
    expect(off.exception).toBe('short_payment');
    expect(off.candidates[0]!.blockers).toContain('amount −$12.40');
  });

  it('a short pay without the customer behind it stays an exception', () => {
    const o = one(payment(13760, { invoiceId: '3001', customerId: '', billingName: 'Someone Else' }), [invoice('3001', 'C10001', 15000)]);
    expect(o.status).not.toBe('auto');
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
    // Refunded in full: nothing to post, and the refund names its sale.
    expect(os!.status).toBe('exception');
    expect(os!.exception).toBe('refunded');
    expect(os!.allocations).toEqual([]);
    expect(os!.refundedBy).toEqual([refund.transactionId]);
    expect(or!.exception).toBe('refund');
    expect(or!.refundOf).toBe(sale.transactionId);
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

describe('money counts only on positive evidence (shared/payment-verdict.ts)', () => {
  const inv = [invoice('7001', 'C10001', 15000)];
  it.each([
    ['  EXPIRED CARD - Expired card', ''],
    ['NSF - Insufficient funds', ''],
    ['CALL', ''],
    ['PICK UP', ''],
    ['INVALID CARD NUMBER', ''],
    ['RESTRICTED CARD', ''],
    ['', ''],
  ])('a card sale with no approval code ("%s") is never applied', (message, code) => {
    const o = one(payment(15000, { invoiceId: '7001', customerId: 'C10001', approvalCode: code, approvalMessage: message }), inv);
    expect(o.status).toBe('exception');
    expect(o.exception).toBe('declined');
    expect(o.allocations).toEqual([]);
    expect(o.reason.length).toBeGreaterThan(10);
  });

  it('an approval code with an unfamiliar or contradicting text is not money', () => {
    for (const message of ['ZZ UNKNOWN RESPONSE', 'NOT APPROVED', 'PARTIAL APPROVAL - Approved']) {
      const o = one(payment(15000, { invoiceId: '7001', customerId: 'C10001', approvalMessage: message }), inv);
      expect(o.exception, message).toBe('not_approved');
    }
    expect(one(payment(15000, { invoiceId: '7001', customerId: 'C10001', approvalMessage: '  NO  MATCH - Approved and completed' }), inv).status).toBe('auto');
  });

  it('unknown transaction types and ACH rows without a processed status are exceptions', () => {
    expect(one(payment(15000, { invoiceId: '7001', customerId: 'C10001', type: 'STR/FWD' }), inv).exception).toBe('not_a_sale');
    expect(one(payment(15000, { invoiceId: '7001', customerId: 'C10001', type: '' }), inv).exception).toBe('not_a_sale');
    const ach = (status: string | undefined) => payment(15000, { invoiceId: '7001', customerId: 'C10001', method: 'ach', raw: { check: status === undefined ? {} : { status } } });
    expect(one(ach(undefined), inv).exception).toBe('not_approved');
    expect(one(ach('Pending'), inv).exception).toBe('not_approved');
    expect(one(ach('Returned'), inv).exception).toBe('not_approved');
    expect(one(ach('Processed'), inv).status).toBe('auto');
  });

  it('a declined attempt does not claim the invoice, and its approved retry is not a duplicate', () => {
    const card = '************4242';
    const declined = payment(15000, { invoiceId: '7001', customerId: 'C10001', maskedCard: card, approvalCode: '', approvalMessage: 'NSF - Insufficient funds' });
    const retry = payment(15000, { invoiceId: '7001', customerId: 'C10001', maskedCard: card, createdAt: '2025-03-01T18:20:00.000Z' });
    const [d, r] = run([declined, retry], inv);
    expect(d!.exception).toBe('declined');
    expect(r!.status).toBe('auto');
    expect(alloc(r!)).toEqual([['7001', 15000]]);
  });
});

describe('references decide which invoice', () => {
  it('"1003256/57" names 1003256 and 1003257, never an invoice of equal balance', () => {
    const invs = [invoice('1003255', 'C10001', 5000), invoice('1003256', 'C10001', 5000), invoice('1003257', 'C10001', 7000)];
    const o = one(payment(12000, { invoiceId: '1003256/57', customerId: 'C10001' }), invs);
    expect(alloc(o).sort()).toEqual([['1003256', 5000], ['1003257', 7000]]);
    for (const c of o.candidates) expect(c.allocations.map((a) => a.invoiceNo)).not.toContain('1003255');
  });

  it('an abbreviation whose expansion is not open names nothing: no substitute by amount', () => {
    const invs = [invoice('1003255', 'C10001', 5000), invoice('1003256', 'C10001', 7000)];
    const o = one(payment(12000, { invoiceId: '1003256/57', customerId: 'C10001' }), invs);
    expect(o.status).not.toBe('auto');
    // Offered at most as a suggestion that says 1003255 was never named.
    if (alloc(o).some(([n]) => n === '1003255')) expect(o.reason).toContain('1003255 not referenced by the payer');
  });

  it('ranges expand: "1003256-58"', () => {
    const invs = [invoice('1003256', 'C10001', 1000), invoice('1003257', 'C10001', 2000), invoice('1003258', 'C10001', 3000)];
    expect(alloc(one(payment(6000, { invoiceId: '1003256-58', customerId: 'C10001' }), invs)).length).toBe(3);
  });

  it('a reference that names a real invoice is not typo-corrected to another whose balance equals the amount', () => {
    const invs = [invoice('1004521', 'C10001', 9000), invoice('1004512', 'C10001', 12000)];
    const o = one(payment(12000, { invoiceId: '1004521', customerId: 'C10001' }), invs);
    expect(o.status).not.toBe('auto');
  });
});

describe('discounts and open credits', () => {
  it('2/10 net 30 taken within 10 days: applied in full with the discount', () => {
    const terms = { discountBasisPoints: 200, discountDays: 10, netDays: 30 };
    const invs = [invoice('8001', 'C10001', 10000, { invoiceDate: '2025-02-25', terms })];
    const o = one(payment(9800, { invoiceId: '8001', customerId: 'C10001' }), invs);
    expect(o.status).toBe('auto');
    expect(o.allocations).toEqual([{ invoiceNo: '8001', amountCents: 9800, discountCents: 200 }]);
    expect(o.markers).toEqual(['discount']);
    // Outside the discount period it is a short pay, not a discount.
    const late = one(payment(9800, { invoiceId: '8001', customerId: 'C10001', createdAt: '2025-03-20T18:00:00.000Z' }), invs);
    expect(late.markers ?? []).not.toContain('discount');
  });

  it('a payment net of an open credit: suggested when the credit is not referenced, automatic when it is', () => {
    const invs = [invoice('8101', 'C10001', 20000), invoice('CM501', 'C10001', -5000)];
    const netted = one(payment(15000, { invoiceId: '8101', customerId: 'C10001' }), invs);
    expect(netted.status).toBe('suggested');
    expect(netted.allocations).toEqual([{ invoiceNo: '8101', amountCents: 20000 }, { invoiceNo: 'CM501', amountCents: -5000 }]);
    expect(netted.markers).toContain('credit_applied');
    const both = one(payment(15000, { invoiceId: '8101, CM501', customerId: 'C10001' }), invs);
    expect(both.status).toBe('auto');
  });
});

describe('refunds and voids are known to matching', () => {
  const inv = [invoice('9001', 'C10001', 15000)];
  const card = '************5454';
  it('a partly refunded sale is never automatic and is proposed net', () => {
    const sale = payment(15000, { invoiceId: '9001', customerId: 'C10001', maskedCard: card });
    const refund = payment(5000, { invoiceId: '9001', customerId: 'C10001', maskedCard: card, type: 'REFUND', createdAt: '2025-03-02T18:00:00.000Z' });
    const [s] = run([sale, refund], inv);
    expect(s!.status).not.toBe('auto');
    expect(s!.refundedCents).toBe(5000);
    expect(s!.markers).toContain('refund_netted');
    expect(alloc(s!)).toEqual([['9001', 10000]]);
  });

  it('a refund synced after its sale was decided still links (history) and names its sale', () => {
    const sale = payment(15000, { invoiceId: '9001', customerId: 'C10001', maskedCard: card });
    const refund = payment(15000, { invoiceId: '9001', customerId: 'C10001', maskedCard: card, type: 'REFUND', createdAt: '2025-03-04T18:00:00.000Z' });
    const [r] = matcher({ transactions: [refund], invoices: inv, customers: CUSTOMERS, history: [sale] });
    expect(r!.refundOf).toBe(sale.transactionId);
    // A refund that names its sale explicitly links across reference changes; a sale still undecided sees an earlier-synced refund.
    const named = payment(4000, { type: 'REFUND', invoiceId: 'other', raw: { original_transaction_id: sale.transactionId } });
    expect(matcher({ transactions: [named], invoices: inv, customers: CUSTOMERS, history: [sale] })[0]!.refundOf).toBe(sale.transactionId);
    const [s] = matcher({ transactions: [sale], invoices: inv, customers: CUSTOMERS, history: [named] });
    expect(s!.refundedCents).toBe(4000);
    expect(s!.status).not.toBe('auto');
  });
});

describe('prefixes typed without a space', () => {
  it('"INV1003802" names invoice 1003802 unless an invoice is numbered INV1003802', () => {
    const o = one(payment(5000, { invoiceId: 'INV1003802', customerId: 'C10001' }), [invoice('1003802', 'C10001', 5000)]);
    expect(o.status).toBe('auto');
    const own = one(payment(5000, { invoiceId: 'INV1003802', customerId: 'C10001' }), [invoice('1003802', 'C10001', 5000), invoice('INV1003802', 'C10001', 5000)]);
    expect(alloc(own)).toEqual([['INV1003802', 5000]]);
  });
});

describe('a clerk links a refund by hand', () => {
  const inv = [invoice('9501', 'C10001', 15000)];
  it('overrides the rule, both in one batch and against history', () => {
    const sale = payment(15000, { invoiceId: '9501', customerId: 'C10001', maskedCard: '************1111' });
    // Another card, no reference: the rule cannot link it.
    const refund = payment(15000, { type: 'REFUND', maskedCard: '************2222', createdAt: '2025-03-02T18:00:00.000Z' });
    const [s0, r0] = matcher({ transactions: [sale, refund], invoices: inv, customers: CUSTOMERS });
    expect(s0!.status).toBe('auto');
    expect(r0!.refundOf).toBeNull();
    const links = new Map([[refund.transactionId, sale.transactionId]]);
    const [s1, r1] = matcher({ transactions: [sale, refund], invoices: inv, customers: CUSTOMERS, refundLinks: links });
    expect(s1!.exception).toBe('refunded');
    expect(r1!.refundOf).toBe(sale.transactionId);
    expect(r1!.reason).toContain('linked by a clerk');
    const [s2] = matcher({ transactions: [sale], invoices: inv, customers: CUSTOMERS, history: [refund], refundLinks: links });
    expect(s2!.exception).toBe('refunded');
  });

  it('"belongs to no synced sale" unlinks what the rule would link', () => {
    const sale = payment(15000, { invoiceId: '9501', customerId: 'C10001', maskedCard: '************1111' });
    const refund = payment(15000, { type: 'REFUND', invoiceId: '9501', customerId: 'C10001', maskedCard: '************1111', createdAt: '2025-03-02T18:00:00.000Z' });
    const [s, r] = matcher({ transactions: [sale, refund], invoices: inv, customers: CUSTOMERS, refundLinks: new Map([[refund.transactionId, null]]) });
    expect(s!.status).toBe('auto');
    expect(r!.refundOf).toBeNull();
    expect(r!.reason).toContain('a clerk recorded');
  });
});
