import { describe, expect, it } from 'vitest';
import { normalizeReference, splitReferences } from '@shared/reference';

describe('normalizeReference', () => {
  it.each([
    ['INV-1004521', '1004521'],
    ['inv 1004521', '1004521'],
    ['inv 1004521 ', '1004521'],
    ['INV1004521', 'INV1004521'], // no separator: not a prefix we can safely strip
    ['#1004521', '1004521'],
    ['# 1004521', '1004521'],
    ['Invoice 1004521', '1004521'],
    ['INVOICE #1004521', '1004521'],
    ['invoice: 1004521', '1004521'],
    ['Inv. 1004521', '1004521'],
    ['No. 1004521', '1004521'],
    ['001004521', '1004521'],
    ['0', '0'],
    ['1004521   ', '1004521'],
    ['  1004521', '1004521'],
    ['ab-12 c', 'AB12C'],
    ['PO123456', 'PO123456'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeReference(input)).toBe(expected);
  });

  it('keeps leading zeros on references that are not purely numeric', () => {
    expect(normalizeReference('A00123')).toBe('A00123');
  });
});

describe('splitReferences', () => {
  it.each([
    ['1004521,1004522', ['1004521', '1004522']],
    ['1004521, 1004522', ['1004521', '1004522']],
    ['1004521/1004522', ['1004521', '1004522']],
    ['1004521;1004522', ['1004521', '1004522']],
    ['1004521 & 1004522', ['1004521', '1004522']],
    ['1004521 and 1004522', ['1004521', '1004522']],
    ['1004521 1004522', ['1004521', '1004522']],
    ['INV-1004521, inv 1004522', ['1004521', '1004522']],
    ['#1004521 #1004522', ['1004521', '1004522']],
    ['1004521,1004521', ['1004521']],
    ['1004521, , 1004522,', ['1004521', '1004522']],
    ['Invoice 1004521', ['1004521']],
  ])('%j → %j', (input, expected) => {
    expect(splitReferences(input)).toEqual(expected);
  });

  it('returns nothing for empty input', () => {
    expect(splitReferences('')).toEqual([]);
    expect(splitReferences('   ')).toEqual([]);
  });

  it('does not split short words joined by single spaces', () => {
    expect(splitReferences('PO 12 34')).toEqual(['PO1234']);
  });
});
