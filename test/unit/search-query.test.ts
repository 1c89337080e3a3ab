import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTerm, isCalendarDay, parseAmountText, parseSearch, searchTermSchema, termToSearchText, tokenize, type SearchTerm } from '../../shared/search-query';

const decimal = (c: number) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
const grouped = (c: number) => `$${Math.floor(c / 100).toLocaleString('en-US')}.${String(c % 100).padStart(2, '0')}`;

describe('search language', () => {
  it('never throws, and every term it returns is one the API accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseSearch(text);
        for (const t of parsed.terms) {
          const r = searchTermSchema.safeParse(t);
          // A term can only fail the API's schema by holding a card number (screened) or being too long.
          if (!r.success) expect(JSON.stringify(r.error.issues)).toMatch(/card|too_big|at most/i);
          expect(typeof describeTerm(t)).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads amounts however a clerk types them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (c) => {
        expect(parseAmountText(decimal(c))).toBe(c);
        expect(parseAmountText(grouped(c))).toBe(c);
        expect(parseSearch(`amount>=${grouped(c)}`).terms).toEqual([{ field: 'amount', minCents: c }]);
        expect(parseSearch(`amount>${decimal(c)}`).terms).toEqual([{ field: 'amount', minCents: c + 1 }]);
        expect(parseSearch(`amount<${decimal(c)}`).terms).toEqual([{ field: 'amount', maxCents: c - 1 }]);
        expect(parseSearch(`amount:${decimal(c)}`).terms).toEqual([{ field: 'amount', minCents: c, maxCents: c }]);
      }),
    );
    expect(parseAmountText('1,00')).toBeNull();
    expect(parseAmountText('12.345')).toBeNull();
    expect(parseAmountText('abc')).toBeNull();
  });

  it('reads the issue\'s examples', () => {
    expect(parseSearch('amount>1000 customer:acme status:review date:2026-11-01..2026-11-07 ref:INV-77').terms).toEqual([
      { field: 'amount', minCents: 100_001 },
      { field: 'customer', text: 'acme' },
      { field: 'status', values: ['review'] },
      { field: 'date', from: '2026-11-01', to: '2026-11-07' },
      { field: 'ref', text: 'INV-77' },
    ]);
    expect(parseSearch('customer:"acme corp" awaiting').terms).toEqual([{ field: 'customer', text: 'acme corp' }, { field: 'text', text: 'awaiting' }]);
    expect(parseSearch('status:exceptions,posted method:check').terms).toEqual([{ field: 'status', values: ['exception', 'posted'] }, { field: 'method', value: 'ach' }]);
  });

  it('tells the clerk about a field it cannot read instead of dropping it', () => {
    for (const bad of ['amount>abc', 'date:2026-13-01', 'date:2026-11-07..2026-11-01', 'status:maybe', 'amount:500..100', 'method:cash', 'id:x', 'ref:']) {
      const parsed = parseSearch(bad);
      expect(parsed.problems, bad).toHaveLength(1);
      expect(parsed.problems[0], bad).toContain(bad.split(/[:><]/)[0]);
    }
  });

  it('takes a colon that names no field as text', () => {
    expect(parseSearch('PO:123 https://x').terms).toEqual([{ field: 'text', text: 'PO:123' }, { field: 'text', text: 'https://x' }]);
  });

  it('keeps quoted phrases whole', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 }), (words) => {
        expect(tokenize(`payer:"${words.join(' ')}" x`)).toEqual([`payer:"${words.join(' ')}"`, 'x']);
      }),
    );
  });

  it('knows the calendar', () => {
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-04-31')).toBe(false);
  });

  it('writes any column filter as search text that reads back as the same filter (saved views)', () => {
    const day = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .'&-]{0,20}[A-Za-z0-9]$/);
    const term: fc.Arbitrary<SearchTerm> = fc.oneof(
      fc.record({ min: fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }), max: fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }) })
        .filter((r) => (r.min !== undefined || r.max !== undefined) && (r.min === undefined || r.max === undefined || r.min <= r.max))
        .map((r): SearchTerm => ({ field: 'amount', ...(r.min !== undefined ? { minCents: r.min } : {}), ...(r.max !== undefined ? { maxCents: r.max } : {}) })),
      fc.tuple(day, day).map(([a, b]): SearchTerm => ({ field: 'date', from: a < b ? a : b, to: a < b ? b : a })),
      day.map((d): SearchTerm => ({ field: 'date', to: d })),
      fc.uniqueArray(fc.constantFrom('auto', 'review', 'exception', 'approved', 'conflict', 'posted', 'failed', 'awaiting') as fc.Arbitrary<'auto'>, { minLength: 1 }).map((values): SearchTerm => ({ field: 'status', values })),
      fc.constantFrom<SearchTerm>({ field: 'method', value: 'card' }, { field: 'method', value: 'ach' }, { field: 'type', value: 'SALE' }),
      fc.integer({ min: 1, max: 1e9 }).map((value): SearchTerm => ({ field: 'id', value })),
      fc.tuple(fc.constantFrom('customer', 'payer', 'ref', 'invoice', 'owner', 'note') as fc.Arbitrary<'customer'>, word).map(([field, text]): SearchTerm => ({ field, text })),
    );
    fc.assert(
      fc.property(term, (t) => {
        const back = parseSearch(termToSearchText(t));
        expect(back.problems).toEqual([]);
        expect(back.terms).toEqual([t]);
      }),
      { numRuns: 400 },
    );
  });
});
