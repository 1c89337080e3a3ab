import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cents } from '../../shared/money';
import type { ReceiptRecord, ReceiptRequest } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import { confirmReceiptBooked, verifyFoundReceipt } from '../../electron/core/erp/read-back';

// The read-back rule every connector ends a post with: posted only when the
// ERP shows exactly what was sent (lines may come back split or reordered).

const allocationsArb = fc
  .uniqueArray(fc.stringMatching(/^[A-Z0-9]{1,10}$/), { minLength: 1, maxLength: 6 })
  .chain((invoices) => fc.tuple(...invoices.map((invoiceNo) => fc.integer({ min: -50_000, max: 5_000_000 }).filter((n) => n !== 0).map((amount) => ({ invoiceNo, amountCents: cents(amount) })))));

const requestArb = fc.record({ allocations: allocationsArb, unapplied: fc.integer({ min: 0, max: 10_000 }) }).map(
  ({ allocations, unapplied }): ReceiptRequest => ({
    reference: '400123456',
    customerId: 'C100',
    date: '2026-03-02',
    amountCents: cents(allocations.reduce((s, a) => s + a.amountCents, 0) + unapplied),
    currency: 'USD',
    paymentMethod: 'card',
    allocations,
  }),
);

function recordOf(r: ReceiptRequest, allocations = r.allocations): ReceiptRecord {
  return { reference: r.reference, erpDocumentId: 'DOC-1', customerId: r.customerId, amountCents: r.amountCents, date: r.date, allocations };
}

function kindOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof ErpError ? e.kind : `not an ErpError: ${String(e)}`;
  }
}

describe('confirmReceiptBooked', () => {
  it('accepts the booking however the ERP orders or splits the lines', () => {
    fc.assert(
      fc.property(requestArb, fc.integer({ min: 0, max: 1_000 }), (request, seed) => {
        // Split every line in two and reverse the order: per-invoice sums are unchanged.
        const split = request.allocations.flatMap((a, i) => {
          const part = cents(Math.trunc(a.amountCents / ((seed + i) % 3 + 2)));
          return part === 0 ? [a] : [{ invoiceNo: a.invoiceNo, amountCents: part }, { invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents - part) }];
        });
        expect(confirmReceiptBooked(request, recordOf(request, split.reverse())).erpDocumentId).toBe('DOC-1');
      }),
    );
  });

  it('refuses as partial any line short, missing or extra, and a different cash amount', () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), fc.integer({ min: -500, max: 500 }).filter((d) => d !== 0), fc.constantFrom('short', 'missing', 'extra', 'amount'), (request, pick, delta, how) => {
        const i = pick % request.allocations.length;
        const target = request.allocations[i]!;
        let held: ReceiptRecord;
        if (how === 'short') held = recordOf(request, request.allocations.map((a, j) => (j === i ? { ...a, amountCents: cents(a.amountCents + delta) } : a)));
        else if (how === 'missing') held = recordOf(request, request.allocations.filter((_, j) => j !== i));
        else if (how === 'extra') held = recordOf(request, [...request.allocations, { invoiceNo: 'NOT-SENT-1', amountCents: cents(delta) }]);
        else held = { ...recordOf(request), amountCents: cents(request.amountCents + delta) };
        let error: unknown;
        try {
          confirmReceiptBooked(request, held);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ErpError);
        expect((error as ErpError).kind).toBe('partial');
        expect((error as ErpError).existingDocumentId).toBe('DOC-1');
        const named = how === 'extra' ? 'NOT-SENT-1' : how === 'amount' ? 'received instead of' : target.invoiceNo;
        expect((error as ErpError).message).toContain(named);
        expect(kindOf(() => verifyFoundReceipt(request, held))).toBe('partial');
      }),
    );
  });

  it('a read-back that shows nothing is an unknown outcome, never a made-up record', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        expect(kindOf(() => confirmReceiptBooked(request, null))).toBe('unknown_outcome');
        expect(verifyFoundReceipt(request, null)).toBeNull();
      }),
    );
  });

  it('another customer on the booking is partial too', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        expect(kindOf(() => confirmReceiptBooked(request, { ...recordOf(request), customerId: 'C999' }))).toBe('partial');
      }),
    );
  });
});
