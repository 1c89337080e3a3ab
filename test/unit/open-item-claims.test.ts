import { describe, expect, it } from 'vitest';
import { exceedsOpenBalance } from '../../electron/core/approval/open-item-claims';
import { findConflicts } from '../../electron/core/offline/revalidate';
import type { DecisionSide } from '@shared/api/offline';
import type { ReceiptRequest } from '../../electron/core/erp/connector';
import { cents } from '@shared/money';

describe('exceedsOpenBalance', () => {
  it('an invoice is claimed downwards by positive amounts', () => {
    expect(exceedsOpenBalance(10_000, 0, 10_000)).toBe(false);
    expect(exceedsOpenBalance(10_000, 4_000, 6_001)).toBe(true);
    expect(exceedsOpenBalance(10_000, 0, -500)).toBe(true);
  });
  it('an open credit is applied by negative amounts, never beyond what is left of it (was: any negative claim fitted)', () => {
    expect(exceedsOpenBalance(-500, 0, -500)).toBe(false);
    expect(exceedsOpenBalance(-500, -500, -500)).toBe(true);
    expect(exceedsOpenBalance(-500, 0, -501)).toBe(true);
    expect(exceedsOpenBalance(-500, 0, 500)).toBe(true);
  });
  it('nothing fits an item with nothing open', () => {
    expect(exceedsOpenBalance(0, 0, 1)).toBe(true);
    expect(exceedsOpenBalance(0, 0, -1)).toBe(true);
  });
});

describe('catch-up re-validation of a receipt applying an open credit', () => {
  const receipt: ReceiptRequest = {
    reference: '9001', customerId: 'C1', date: '2026-12-01', amountCents: cents(9_500), currency: 'USD', paymentMethod: 'card',
    allocations: [{ invoiceNo: 'INV1', amountCents: cents(10_000) }, { invoiceNo: 'CM1', amountCents: cents(-500) }],
  };
  const side = (creditOpen: number): DecisionSide => ({
    takenAt: '2026-12-01T00:00:00.000Z',
    paytraceAsOf: null,
    erpAsOf: null,
    customerId: 'C1',
    customerExists: true,
    allocations: receipt.allocations,
    invoices: [
      { invoiceNo: 'INV1', isOpen: true, openBalanceCents: cents(10_000), currency: 'USD' },
      { invoiceNo: 'CM1', isOpen: creditOpen !== 0, openBalanceCents: cents(creditOpen), currency: 'USD' },
    ],
    payment: { type: 'SALE', amountCents: cents(9_500), currency: 'USD', refundedCents: cents(0) },
  });

  it('finds no conflict while the credit is still open (was: "CM1 is no longer open")', () => {
    expect(findConflicts(receipt, side(-500), side(-500))).toEqual([]);
  });
  it('finds the credit used elsewhere, in full or in part', () => {
    expect(findConflicts(receipt, side(-500), side(0)).map((f) => f.kind)).toEqual(['invoice_paid_elsewhere']);
    expect(findConflicts(receipt, side(-500), side(-300)).map((f) => f.kind)).toEqual(['invoice_partially_paid']);
    expect(findConflicts(receipt, side(-500), side(-500), new Map([['CM1', -200]])).map((f) => f.kind)).toEqual(['invoice_partially_paid']);
  });
});
