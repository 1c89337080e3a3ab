import { describe, expect, it } from 'vitest';
import { addCents, centsToDecimalString, formatMoney, MoneyParseError, parseDecimalToCents, sumCents } from '@shared/money';

describe('parseDecimalToCents', () => {
  it.each([
    ['110', 11000],
    ['1,234.50', 123450],
    ['1,234,567.89', 123456789],
    ['8.10', 810],
    ['0.29', 29],
    ['.5', null], // a leading dot is not a PayTrace format
    ['5.', 500],
    [' 110 ', 11000],
    ['$1,000', 100000],
    ['-3.1', -310],
    ['-$3.10', -310],
    ['+5', 500],
    ['(12.00)', -1200],
    ['0', 0],
  ])('parses the string %j', (input, expected) => {
    if (expected === null) expect(() => parseDecimalToCents(input)).toThrow(MoneyParseError);
    else expect(parseDecimalToCents(input)).toBe(expected);
  });

  it.each([
    [110, 11000],
    [51.88, 5188],
    [0.29, 29],
    [1234.5, 123450],
    [0.1 + 0.2, 30],
    [-0.29, -29],
    [19.99, 1999],
    [1e6, 100000000],
  ])('parses the number %s without float drift', (input, expected) => {
    expect(parseDecimalToCents(input)).toBe(expected);
  });

  it('rounds a third decimal half away from zero', () => {
    expect(parseDecimalToCents('8.105')).toBe(811);
    expect(parseDecimalToCents('8.104')).toBe(810);
    expect(parseDecimalToCents('-8.105')).toBe(-811);
    expect(parseDecimalToCents('0.005')).toBe(1);
    expect(parseDecimalToCents('12.3456')).toBe(1235);
  });

  it.each(['abc', '', '   ', '1e3', '12.34567', '1.2.3', '12,34.5x', 'NaN', '--1', '1 000'])('rejects the garbage string %j', (input) => {
    expect(() => parseDecimalToCents(input)).toThrow(MoneyParseError);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, {}, []])('rejects the non-amount %s', (input) => {
    expect(() => parseDecimalToCents(input)).toThrow(MoneyParseError);
  });

  it('reads a negative zero as zero', () => {
    // Comparison and text are exact; the value may be -0 (see report), which is still === 0.
    expect(parseDecimalToCents('-0.00') === 0).toBe(true);
    expect(centsToDecimalString(parseDecimalToCents('-0.00'))).toBe('0.00');
  });

  it('names the offending input in the message', () => {
    expect(() => parseDecimalToCents('12,ab')).toThrow(/"12,ab"/);
  });
});

describe('cents helpers', () => {
  it('formats back to a plain decimal string', () => {
    expect(centsToDecimalString(123450)).toBe('1234.50');
    expect(centsToDecimalString(5)).toBe('0.05');
    expect(centsToDecimalString(-310)).toBe('-3.10');
    expect(centsToDecimalString(0)).toBe('0.00');
  });

  it('round-trips decimal strings', () => {
    for (const s of ['0.01', '51.88', '1234.50', '-0.29', '99999.99']) expect(centsToDecimalString(parseDecimalToCents(s))).toBe(s);
  });

  it('adds without float error and formats for display', () => {
    const total = sumCents(['0.10', '0.20', '0.30'], (s) => parseDecimalToCents(s));
    expect(total).toBe(60);
    expect(addCents(parseDecimalToCents(0.1), parseDecimalToCents(0.2))).toBe(30);
    expect(formatMoney(123450)).toBe('$1,234.50');
  });
});
