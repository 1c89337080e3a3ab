import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { draftFrom, validateLimits } from '../../renderer/features/admin/limits-form';
import { passwordStrength } from '../../renderer/features/admin/password-strength';

const refunds = { reasonCodes: ['Customer request', 'Other'], secondApproverAboveCents: cents(50_000), adminAboveCents: cents(500_000) };
const controls = { reasonCodes: ['Small balance'], approvalAboveCents: cents(2_500), toleranceCents: cents(100), secondApproverAboveCents: cents(50_000), adminAboveCents: cents(500_000) };

describe('admin: approval limits form', () => {
  it('round-trips the stored policies as dollars and back to integer cents', () => {
    const d = draftFrom(refunds, controls);
    expect(d.refundSecond).toBe('500.00');
    const r = validateLimits({ ...d, refundSecond: '1,234.56', controlTolerance: '0.10' });
    expect(r).toEqual({
      ok: true,
      patch: {
        refunds: { reasonCodes: ['Customer request', 'Other'], secondApproverAboveCents: 123_456, adminAboveCents: 500_000 },
        controls: { reasonCodes: ['Small balance'], approvalAboveCents: 2_500, toleranceCents: 10, secondApproverAboveCents: 50_000, adminAboveCents: 500_000 },
      },
    });
  });

  it('names every problem: bad amounts, inverted limits, empty or duplicate reason codes', () => {
    const d = draftFrom(refunds, controls);
    const r = validateLimits({ ...d, refundSecond: 'abc', refundAdmin: '-1', controlAdmin: '1.00', refundReasons: ' \n', controlReasons: 'A\na' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/second-supervisor limit: "abc" is not an amount/),
        expect.stringMatching(/Refunds: admin limit cannot be negative/),
        expect.stringMatching(/Write-offs and overrides: the admin limit cannot be below/),
        expect.stringMatching(/Refund reason codes: give at least one/),
        expect.stringMatching(/"a" is listed twice/),
      ]),
    );
  });

  it('hints password strength; under 10 characters is too short, as the engine says', () => {
    expect(passwordStrength('short').level).toBe('too-short');
    expect(passwordStrength('aaaaaaaaaaaa').level).toBe('weak');
    expect(passwordStrength('Clerk-two-passphrase-42').level).toBe('strong');
  });
});
