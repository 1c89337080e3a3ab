import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { differenceIsHistorical, differenceNeedsAttention, differenceTooltip } from './difference-cell';

describe('difference cell: one story with the ERP balance', () => {
  it('a posted row with a difference is not red: it is the difference when approved, with a tooltip saying so', () => {
    const posted = { status: 'posted' as const, differenceCents: cents(3159), currency: 'USD' as const };
    expect(differenceNeedsAttention(posted)).toBe(false);
    expect(differenceIsHistorical(posted)).toBe(true);
    expect(differenceTooltip(posted)).toContain('Difference when approved: $31.59');
    expect(differenceTooltip(posted)).toContain('after posting');
  });

  it('rows not yet posted with a difference are red; zero and missing differences are not', () => {
    for (const status of ['auto', 'review', 'exception', 'approved', 'conflict', 'failed'] as const) {
      expect(differenceNeedsAttention({ status, differenceCents: cents(-500) }), status).toBe(true);
      expect(differenceIsHistorical({ status, differenceCents: cents(-500) }), status).toBe(false);
      expect(differenceNeedsAttention({ status, differenceCents: cents(0) }), status).toBe(false);
      expect(differenceNeedsAttention({ status, differenceCents: null }), status).toBe(false);
    }
    expect(differenceTooltip({ status: 'review', differenceCents: cents(-500), currency: 'USD' })).toContain('minus the ERP open balance');
    expect(differenceTooltip({ status: 'posted', differenceCents: null, currency: 'USD' })).toBe('');
  });
});
