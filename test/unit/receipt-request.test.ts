import { describe, expect, it } from 'vitest';
import { cents } from '../../shared/money';
import type { ReceiptRequest } from '../../electron/core/erp/connector';
import { isErpError } from '../../electron/core/erp/errors';
import { cashApplication, checkReceipt, discountsOf } from '../../electron/core/erp/receipt-request';
import { checkReceiptRequest } from '../../electron/core/erp/request-checks';

const receipt = (over: Partial<ReceiptRequest> = {}): ReceiptRequest => ({
  reference: '700000001',
  customerId: 'C100',
  date: '2026-01-05',
  amountCents: cents(9800),
  currency: 'USD',
  paymentMethod: 'card',
  allocations: [{ invoiceNo: 'INV-1', amountCents: cents(9800) }],
  ...over,
});
const all = { credits: true, discounts: true, writeOffs: true };
const problemOf = (r: ReceiptRequest, rules = all) => {
  const out = cashApplication(r, rules);
  return 'problem' in out ? out.problem : null;
};

describe('the one receipt check', () => {
  it('gives the lines: cash, discount and write-off per invoice, credits negative', () => {
    const r = receipt({
      amountCents: cents(9000),
      allocations: [{ invoiceNo: 'INV-1', amountCents: cents(9800) }, { invoiceNo: 'CM-1', amountCents: cents(-800) }],
      writeOffs: [{ invoiceNo: 'INV-1', amountCents: cents(200), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }, { invoiceNo: 'INV-1', amountCents: cents(50), reasonCode: 'SHORT' }],
    });
    const cash = checkReceipt(r, all, (p) => p);
    expect(cash.lines).toEqual([
      { invoiceNo: 'INV-1', amountCents: 9800, discountCents: 200, writeOffCents: 50, writeOffReason: 'SHORT' },
      { invoiceNo: 'CM-1', amountCents: -800, discountCents: 0, writeOffCents: 0, writeOffReason: '' },
    ]);
    expect([...discountsOf(cash)]).toEqual([['INV-1', 200]]);
  });

  it('refuses amounts that are not whole minor units, and what the capabilities do not post', () => {
    expect(problemOf(receipt({ amountCents: 98.5 as never }))).toMatch(/whole number of cents/);
    expect(problemOf(receipt({ date: '05/01/2026' }))).toMatch(/YYYY-MM-DD/);
    expect(problemOf(receipt({ unappliedCents: cents(-1) }))).toMatch(/cannot be negative/);
    const discount = { writeOffs: [{ invoiceNo: 'INV-1', amountCents: cents(100), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] };
    const shortPay = { writeOffs: [{ invoiceNo: 'INV-1', amountCents: cents(100), reasonCode: 'SHORT' }] };
    const discountsOnly = { credits: false, discounts: true, writeOffs: false };
    expect(problemOf(receipt(discount), discountsOnly)).toBeNull();
    expect(problemOf(receipt(shortPay), discountsOnly)).toMatch(/does not post/);
    expect(problemOf(receipt(discount), { ...discountsOnly, discounts: false })).toMatch(/does not post/);
    expect(problemOf(receipt({ amountCents: cents(9000), allocations: [{ invoiceNo: 'INV-1', amountCents: cents(9800) }, { invoiceNo: 'CM-1', amountCents: cents(-800) }] }), discountsOnly)).toMatch(/open credit/);
    expect(problemOf(receipt({ unappliedCents: cents(100) }))).toMatch(/do not equal the amount/);
  });

  // Drift: Eclipse and abas checked receipts with their own copy, which let one
  // invoice be allocated twice (two cash lines on one invoice); SAP, Sage 100
  // and File refused it.
  it('refuses an invoice allocated twice for Eclipse and abas too', () => {
    const twice = receipt({ allocations: [{ invoiceNo: 'INV-1', amountCents: cents(4900) }, { invoiceNo: 'INV-1', amountCents: cents(4900) }] });
    let caught: unknown;
    try {
      checkReceiptRequest(twice, 20, { erp: 'Eclipse', credits: true, discounts: true });
    } catch (e) {
      caught = e;
    }
    expect(isErpError(caught) && caught.kind).toBe('validation');
    expect(String((caught as Error).message)).toMatch(/allocated twice; nothing was sent/);
  });
});
