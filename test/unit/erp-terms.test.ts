import { describe, expect, it } from 'vitest';
import { formatTerms, parseTermsText, rateToBasisPoints, termsFromParts } from '../../electron/core/erp/terms';

describe('ERP discount terms', () => {
  it('reads the usual ways of writing 2/10 net 30', () => {
    for (const text of ['2/10 net 30', '2% 10 Net 30', '2/10 N30', '2%10NET30', ' 2/10, net 30 ']) {
      expect(parseTermsText(text), text).toEqual({ discountBasisPoints: 200, discountDays: 10, netDays: 30 });
    }
    expect(parseTermsText('1.5/15 net 45')).toEqual({ discountBasisPoints: 150, discountDays: 15, netDays: 45 });
  });

  it('has no terms for plain net terms, zero discounts or unreadable text', () => {
    for (const text of ['Net 30', 'COD', '', '0/10 net 30', 'due on receipt']) expect(parseTermsText(text), text).toBeNull();
    expect(parseTermsText(null)).toBeNull();
  });

  it('falls back to the discount period when no net period is given', () => {
    expect(parseTermsText('2/10')).toEqual({ discountBasisPoints: 200, discountDays: 10, netDays: 10 });
  });

  it('turns rates into basis points without float error, in either unit', () => {
    expect(rateToBasisPoints('2.000')).toBe(200);
    expect(rateToBasisPoints(1.25)).toBe(125);
    expect(rateToBasisPoints(0.02, 'fraction')).toBe(200);
    expect(rateToBasisPoints('x')).toBeNull();
    expect(termsFromParts({ rate: '2.000', discountDays: '10', netDays: '30' })).toEqual({ discountBasisPoints: 200, discountDays: 10, netDays: 30 });
    expect(termsFromParts({ rate: 0, discountDays: 10, netDays: 30 })).toBeNull();
    expect(termsFromParts({ rate: 2, discountDays: 0, netDays: 30 })).toBeNull();
  });

  it('writes terms back as text that reads the same', () => {
    const t = { discountBasisPoints: 150, discountDays: 15, netDays: 45 };
    expect(formatTerms(t)).toBe('1.5/15 net 45');
    expect(parseTermsText(formatTerms(t))).toEqual(t);
  });
});
