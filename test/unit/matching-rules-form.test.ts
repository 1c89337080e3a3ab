import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_CONFIG, matchConfigOverrideSchema, resolveMatchConfig } from '../../shared/matching-config';
import { draftFrom, rulesFrom } from '../../renderer/features/matching-rules/rules-form';

// The Matching rules form: what it stores (only what differs from the default,
// other stored rules kept) and how it refuses bad input (naming the field).

describe('matching rules form', () => {
  it('the defaults store nothing; stored rules the form does not show are kept', () => {
    const r = rulesFrom(draftFrom(DEFAULT_MATCH_CONFIG), DEFAULT_MATCH_CONFIG, { autoMinPoints: 10 });
    expect(r).toEqual({ ok: true, rules: { autoMinPoints: 10 } });
  });

  it('stores changed fields, and removes a field set back to its default', () => {
    const d = draftFrom(resolveMatchConfig({ shortPay: 'off', discountGraceDays: 3 }));
    const r = rulesFrom(
      {
        ...d,
        shortPay: 'suggested',
        discountGraceDays: '0',
        defaultTermsOn: true,
        defaultTerms: { percent: '2.5', discountDays: '10', netDays: '30' },
        customerTerms: [{ customer: ' C10042 ', percent: '1', discountDays: '15', netDays: '45' }],
        achReceivedStatuses: 'processed,  settled , Settled',
      },
      DEFAULT_MATCH_CONFIG,
      { shortPay: 'off', discountGraceDays: 3 },
    );
    expect(r).toEqual({
      ok: true,
      rules: {
        shortPay: 'suggested',
        defaultTerms: { discountBasisPoints: 250, discountDays: 10, netDays: 30 },
        customerTerms: { C10042: { discountBasisPoints: 100, discountDays: 15, netDays: 45 } },
        achReceivedStatuses: ['PROCESSED', 'SETTLED'],
      },
    });
    if (r.ok) expect(matchConfigOverrideSchema.safeParse(r.rules).success).toBe(true);
  });

  it('refuses bad values, each naming its field', () => {
    const r = rulesFrom(
      {
        ...draftFrom(DEFAULT_MATCH_CONFIG),
        shortPayAutoMaxPercent: '150',
        discountGraceDays: '-1',
        defaultTermsOn: true,
        defaultTerms: { percent: '2.555', discountDays: '30', netDays: '10' },
        customerTerms: [
          { customer: '', percent: '2', discountDays: '10', netDays: '30' },
          { customer: 'C1', percent: '2', discountDays: '10', netDays: '30' },
          { customer: 'C1', percent: '2', discountDays: '10', netDays: '30' },
        ],
        saleTypes: ' , ',
      },
      DEFAULT_MATCH_CONFIG,
      {},
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      'Customer terms row 1: enter the ERP customer id.',
      'Customer terms row 3 (C1): customer C1 is listed twice.',
      'Automatic short pay limit: at most 100%.',
      'Discount grace days: "-1" is not a whole number of days (e.g. 10).',
      'Default terms discount: "2.555" is not a percentage with at most 2 decimals (e.g. 2.5).',
      'Transaction types that are receipts: give at least one, separated by commas.',
    ]);
  });

  it('net days before the discount days are refused', () => {
    const r = rulesFrom({ ...draftFrom(DEFAULT_MATCH_CONFIG), defaultTermsOn: true, defaultTerms: { percent: '2', discountDays: '30', netDays: '10' } }, DEFAULT_MATCH_CONFIG, {});
    expect(r).toEqual({ ok: false, errors: ['Default terms: net days (10) must be at least the discount days (30).'] });
  });
});
