import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatchOutcome } from '@shared/domain';
import { csvParseRows, fastCsvRows, NotSimpleCsv, readOpenAr, resultLine, toResultJson, writeResults } from '../../electron/cli/match-command';
import { createMatcher } from '../../electron/core/matching/engine';
import { buildWorld } from './matching-bench-world';

const dir = mkdtempSync(join(tmpdir(), 'tieout-match-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HEADER = 'invoice_no,customer_id,customer_name,invoice_date,due_date,amount,open_balance,currency,po_no';

function error(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('open-AR CSV', () => {
  it('a negative open balance is an open credit (credit memo), not an error', () => {
    const { invoices } = readOpenAr(file('credit.csv', `${HEADER}\n1004521,C1,Apex,2025-02-01,,150.00,150.00,USD,\nCM-77,C1,Apex,2025-02-03,,-20.00,-20.00,USD,\n`));
    expect(invoices.map((i) => [i.invoiceNo, i.openBalanceCents, i.amountCents])).toEqual([
      ['1004521', 15000, 15000],
      ['CM-77', -2000, -2000],
    ]);
  });

  it('reads discount terms from discount_percent / discount_days / net_days or a terms text', () => {
    const parts = readOpenAr(
      file(
        'terms.csv',
        `${HEADER},discount_percent,discount_days,net_days\n1,C1,A,2025-02-01,,100.00,100.00,USD,,2,10,30\n2,C1,A,2025-02-01,,100.00,100.00,USD,,1.5%,15,\n3,C1,A,2025-02-01,,100.00,100.00,USD,,,,30\n4,C1,A,2025-02-01,,100.00,100.00,USD,,,,\n`,
      ),
    ).invoices;
    expect(parts.map((i) => i.terms)).toEqual([
      { discountBasisPoints: 200, discountDays: 10, netDays: 30 },
      { discountBasisPoints: 150, discountDays: 15, netDays: 15 },
      null,
      null,
    ]);
    const text = readOpenAr(
      file('terms-text.csv', `${HEADER},terms\n1,C1,A,2025-02-01,,100.00,100.00,USD,,2/10 net 30\n2,C1,A,2025-02-01,,100.00,100.00,USD,,Net 30\n3,C1,A,2025-02-01,,100.00,100.00,USD,,"1.5% 15, Net 45"\n4,C1,A,2025-02-01,,100.00,100.00,USD,,\n`),
    ).invoices;
    expect(text.map((i) => i.terms)).toEqual([{ discountBasisPoints: 200, discountDays: 10, netDays: 30 }, null, { discountBasisPoints: 150, discountDays: 15, netDays: 45 }, null]);
    // Without the optional columns the invoice carries no terms field at all.
    expect('terms' in readOpenAr(file('noterms.csv', `${HEADER}\n1,C1,A,2025-02-01,,1.00,1.00,USD,\n`)).invoices[0]!).toBe(false);
  });

  it('bad terms name the file, the line and the field', () => {
    const head = `${HEADER},discount_percent,discount_days,net_days,terms\n1,C1,A,2025-02-01,,100.00,100.00,USD,,,,,\n`;
    const bad = (name: string, row: string) => error(() => readOpenAr(file(name, `${head}2,C1,A,2025-02-01,,100.00,100.00,USD,,${row}\n`)));
    expect(bad('t1.csv', 'two,10,30,')).toContain('t1.csv:3 (field discount_percent)');
    expect(bad('t2.csv', '2,ten,30,')).toContain('t2.csv:3 (field discount_days)');
    expect(bad('t3.csv', '2,10,3x,')).toContain('t3.csv:3 (field net_days)');
    expect(bad('t4.csv', '2,,30,')).toContain('t4.csv:3 (field discount_days)');
    expect(bad('t5.csv', '2,10,5,')).toContain('t5.csv:3 (field net_days)');
    expect(bad('t6.csv', '150,10,30,')).toContain('t6.csv:3 (field discount_percent)');
    expect(bad('t7.csv', ',,,two-ten')).toContain('t7.csv:3 (field terms)');
    expect(bad('t8.csv', '1,10,30,2/10 net 30')).toContain('t8.csv:3 (field terms)');
  });

  it('still names file, line and field for malformed rows (csv-parse wording)', () => {
    expect(error(() => readOpenAr(file('short.csv', `${HEADER}\n1,C1,A,2025-02-01,,1.00,1.00,USD\n`)))).toMatch(/^.*short\.csv:2: malformed CSV: Invalid Record Length/);
    expect(error(() => readOpenAr(file('quote.csv', `${HEADER}\n1,C1,"A,2025-02-01,,1.00,1.00,USD,\n`)))).toMatch(/quote\.csv(:\d+)?: malformed CSV: Quote Not Closed/);
    const multi = readOpenAr(file('multi.csv', `${HEADER}\r\n1,C1,"Apex\r\n""West""",2025-02-01,,"1,200.50",1.00,USD,\r\n\r\n2,C1,A,2025-02-01,,2.00,1.00,USD,\r\n`));
    expect(multi.invoices.map((i) => [i.customerName, i.amountCents])).toEqual([
      ['Apex\r\n"West"', 120050],
      ['A', 200],
    ]);
    expect(error(() => readOpenAr(file('multi2.csv', `${HEADER}\n1,C1,"Apex\nWest",2025-02-01,,1.00,1.00,USD,\n2,C1,A,2025-02-01,,1.00,x,USD,\n`)))).toContain('multi2.csv:4 (field open_balance)');
  });
});

describe('the fast CSV reader agrees with csv-parse', () => {
  const cell = fc.oneof(
    fc.stringMatching(/^[a-z0-9 .-]{0,6}$/),
    fc.constantFrom('', ' ', 'x"y', '"q"', '"a,b"', '"a""b"', '"a\nb"', '"a\r\nb"', '"', 'a\rb', '"x"y', '1,2'),
  );
  const csv = fc
    .record({
      width: fc.integer({ min: 1, max: 4 }),
      rows: fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      trailing: fc.boolean(),
      blank: fc.boolean(),
      ragged: fc.boolean().map((b) => b && Math.random() < 0.2),
    })
    .map(({ width, rows: cells, eol, bom, trailing, blank, ragged }) => {
      const rows = ragged ? cells : cells.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
      const header = Array.from({ length: width }, (_, i) => ` Col${i} `).join(',');
      const body = rows.map((r) => r.join(',')).join(blank ? `${eol}${eol}` : eol);
      return `${bom ? '\uFEFF' : ''}${header}${eol}${body}${trailing ? eol : ''}`;
    });

  it('gives the same fields and line numbers, or declines the file', () => {
    let fast = 0;
    fc.assert(
      fc.property(csv, (text) => {
        let mine: ReturnType<typeof fastCsvRows>;
        try {
          mine = fastCsvRows(text);
        } catch (e) {
          expect(e).toBeInstanceOf(NotSimpleCsv);
          return;
        }
        fast++;
        expect(mine).toEqual(csvParseRows(text, 'f.csv'));
      }),
      { numRuns: 3000 },
    );
    expect(fast).toBeGreaterThan(500);
  });
});

describe('streamed output', () => {
  it('writes each result exactly as JSON.stringify(toResultJson(outcome)) would', () => {
    const world = buildWorld(3000, 3000, 5);
    const outcomes = createMatcher()(world);
    const odd: MatchOutcome = { ...outcomes[0]!, reason: 'quote " backslash \\ newline \n tab \t \u0001 \ud800', customerId: null, exception: 'manual' };
    // Every optional part: a discount on an allocation, markers, what stays open, refund links.
    const extras: MatchOutcome[] = [
      { ...outcomes[0]!, allocations: [{ invoiceNo: 'A1', amountCents: 9800 as never, discountCents: 200 as never }], markers: ['discount'] },
      { ...outcomes[0]!, markers: ['short_pay', 'refund_netted'], remainingCents: 1240 as never, refundedBy: [7, 8], refundedCents: 500 as never },
      { ...outcomes[0]!, refundOf: 12345 },
      { ...outcomes[0]!, refundOf: null },
    ];
    for (const o of [...outcomes, odd, ...extras]) expect(resultLine(o)).toBe(JSON.stringify(toResultJson(o)));
    expect(JSON.parse(resultLine(extras[0]!)).allocations[0]).toEqual({ invoice_no: 'A1', amount: '98.00', discount: '2.00' });
    expect(JSON.parse(resultLine(extras[1]!))).toMatchObject({ markers: ['short_pay', 'refund_netted'], remaining: '12.40', refunded_by: [7, 8], refunded: '5.00' });
    expect(new Set(outcomes.map((o) => o.status)).size).toBe(3);
  });

  it('is one JSON document with one result per line, written in chunks', () => {
    const outcome = (id: number): MatchOutcome => ({
      transactionId: id,
      status: 'exception',
      allocations: [],
      candidates: [],
      score: 0,
      reason: `Exception: ${'x'.repeat(400)}`,
      reasons: [],
      exception: 'no_reference',
      customerId: null,
      unappliedCents: 0 as never,
    });
    const chunks: string[] = [];
    writeResults(Array.from({ length: 5000 }, (_, i) => outcome(i + 1)), (s) => chunks.push(s));
    expect(chunks.length).toBeGreaterThan(1);
    const text = chunks.join('');
    const parsed = JSON.parse(text) as { results: Array<{ transaction_id: number }> };
    expect(parsed.results.map((r) => r.transaction_id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(text.split('\n')).toHaveLength(5000 + 3);
    const empty: string[] = [];
    writeResults([], (s) => empty.push(s));
    expect(JSON.parse(empty.join(''))).toEqual({ results: [] });
    void readFileSync;
  });
});
