import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matcherRawView } from '@shared/matcher-raw-view';
import { keptPayTraceFields } from '@shared/paytrace-kept-fields';
import { achStatusOf } from '@shared/payment-verdict';
import { originalIdOf } from '@shared/refund-links';

describe('matcherRawView keeps exactly what the matcher reads of a raw row', () => {
  it('the check status and an original id survive; nothing else does', () => {
    const raw = { transaction_id: 1, check: { status: 'Processed', masked_account_number: '****1234' }, billing_address: { name: 'x' }, original_transaction_id: '77' };
    expect(matcherRawView(raw)).toEqual({ check: { status: 'Processed' }, original_transaction_id: '77' });
  });

  it('achStatusOf and originalIdOf answer the same on the view as on the row', () => {
    const text = fc.oneof(fc.constant(''), fc.constantFrom('Processed', 'Settled', 'Pending', ' Returned '), fc.string());
    const id = fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }).map(String), fc.string());
    const row = fc.record(
      {
        check: fc.oneof(fc.constant(null), fc.constant('x'), fc.record({ status: text, ach_status: text, status_message: text }, { requiredKeys: [] })),
        ach_status: text,
        check_status: text,
        original_transaction_id: id,
        refunded_transaction_id: id,
        parent_transaction_id: id,
        voided_transaction_id: id,
        credit_card: fc.record({ masked_number: fc.string() }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(row, (r) => {
        const view = matcherRawView(r);
        expect(achStatusOf(view)).toBe(achStatusOf(r));
        expect(originalIdOf(view)).toBe(originalIdOf(r));
        // What the store keeps of a row (issue 12's allow-list) still answers the matcher the same.
        const kept = keptPayTraceFields(r);
        expect(achStatusOf(kept)).toBe(achStatusOf(r));
        expect(originalIdOf(kept)).toBe(originalIdOf(r));
      }),
      { numRuns: 2000, seed: Number(process.env.TIEOUT_PROPERTY_SEED ?? 424242) },
    );
  });
});
