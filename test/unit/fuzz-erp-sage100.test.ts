import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../../electron/core/erp/errors';
import { optionDefaults } from '../../electron/core/erp/kind-module';
import { sage100Module } from '../../electron/core/erp/sage100';
import { parseSage100Options } from '../../electron/core/erp/sage100/options';
import { createSage100Reader } from '../../electron/core/erp/sage100/reader';
import { money, optionalDate, requiredText } from '../../electron/core/erp/sage100/sql';
import type { OdbcRow, OdbcSession } from '../../electron/core/erp/sage100/odbc-session';
import { assertTyped, asyncOutcomeOf, fuzzParams, hostileScalar, isCents, isIsoDate, outcomeOf, RUNS } from '../support/fuzz-arbitraries';

// Property-based fuzzing of what the ProvideX ODBC driver hands back to the
// Sage 100 reader: rows with missing columns, wrong types, invalid Date
// objects, huge amounts and odd text. The reader runs over a fake session that
// answers every query with the generated rows (the driver itself is not the
// subject; its replies are). Invariant: sound open items and read-backs, or a
// malformed ErpError naming table, key and field.

const SEED = 120_301;
const ctx = { table: 'AR_OpenInvoice', key: '01-X' };

const odbcValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileScalar,
  fc.constantFrom<unknown>(new Date(Number.NaN), new Date('2026-01-15T00:00:00Z'), new Date(8.64e15), Buffer.from('12.00'), 12n),
);

const row = fc.record({
  CustomerNo: fc.constantFrom('ABC', '0000100', ' ', ''),
  CustomerName: fc.constantFrom('Acme', ''),
  EmailAddress: fc.constantFrom('a@b.c', ''),
  InvoiceNo: fc.constantFrom('0001001', '0001002', ''),
  InvoiceType: fc.constantFrom('IN', 'CM', 'PP', 'XX'),
  InvoiceDate: fc.constantFrom<unknown>('2026-01-15', new Date('2026-01-15T00:00:00Z'), '1753-01-01'),
  InvoiceDueDate: fc.constantFrom<unknown>('2026-02-14', null, ''),
  Balance: fc.constantFrom<unknown>(125.5, '125.50', -10, 0),
  DepositNo: fc.constantFrom('00001', ''),
  DepositDate: fc.constantFrom<unknown>('2026-03-02', new Date('2026-03-02T00:00:00Z')),
  CashAmountApplied: fc.constantFrom<unknown>(50, '25.25'),
  CheckNo: fc.constantFrom('79388123'),
  AmountPosted: fc.constantFrom<unknown>(75.25),
  TermsCode: fc.constantFrom('01', ''),
  DaysBeforeDue: fc.constantFrom<unknown>(30, '30', null),
  DaysBeforeDiscountDue: fc.constantFrom<unknown>(10, '', null),
  DiscountRate: fc.constantFrom<unknown>(2, '2.000', null),
});

const hostileRow: fc.Arbitrary<OdbcRow> = fc
  .tuple(row, fc.dictionary(fc.constantFrom('CustomerNo', 'InvoiceNo', 'InvoiceType', 'InvoiceDate', 'InvoiceDueDate', 'Balance', 'DepositDate', 'CashAmountApplied', 'AmountPosted', 'DiscountRate', 'DaysBeforeDue'), odbcValue, { maxKeys: 3 }))
  .map(([r, over]) => ({ ...r, ...over }));

function fakeSession(rows: readonly OdbcRow[]): OdbcSession {
  return { query: (_sql: string, _params?: unknown, limit?: number) => Promise.resolve(rows.slice(0, limit ?? rows.length)) } as unknown as OdbcSession;
}

const options = parseSage100Options({ ...optionDefaults(sage100Module.optionFields), termsTable: 'AR_TermsCode', invoiceAmountColumns: 'TaxableAmt+NonTaxableAmt+FreightAmt+SalesTaxAmt', unpostedDetailTable: 'AR_CashReceiptsDetail' });

async function drain<T>(it: AsyncIterable<readonly T[]>, pages = 3): Promise<T[]> {
  const out: T[] = [];
  let n = 0;
  for await (const page of it) {
    out.push(...page);
    if (++n >= pages) break;
  }
  return out;
}

describe(`Sage 100 ODBC rows (fuzz seed ${SEED})`, () => {
  it('field readers: cents, calendar dates and text, or a malformed ErpError', () => {
    fc.assert(
      fc.property(odbcValue, (v) => {
        const r = { F: v };
        const c = assertTyped(outcomeOf(() => money(r, 'F', ctx)), [ErpError]);
        if (c !== undefined) expect(isCents(c)).toBe(true);
        const d = assertTyped(outcomeOf(() => optionalDate(r, 'F', ctx)), [ErpError]);
        if (d) expect(isIsoDate(d)).toBe(true);
        assertTyped(outcomeOf(() => requiredText(r, 'F', ctx)), [ErpError]);
      }),
      fuzzParams(SEED, RUNS.cheapParser),
    );
  });

  it('regression: an invalid Date from the driver is a malformed ErpError, not a RangeError; 2024-02-30 is no date', () => {
    const e = outcomeOf(() => optionalDate({ D: new Date(Number.NaN) }, 'D', ctx));
    expect(e.ok).toBe(false);
    expect((e as { error: unknown }).error).toBeInstanceOf(ErpError);
    expect(outcomeOf(() => optionalDate({ D: '2024-02-30' }, 'D', ctx)).ok).toBe(false);
  });

  it('regression: a BigInt amount (a BIGINT column) is a malformed ErpError, not a JSON.stringify TypeError', () => {
    const o = outcomeOf(() => money({ Balance: 12n }, 'Balance', ctx));
    assertTyped(o, [ErpError]);
    expect(o.ok).toBe(false);
  });

  it('reader over hostile rows: sound open items and read-backs, or a malformed ErpError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRow, { maxLength: 5 }), async (rows) => {
        const reader = createSage100Reader(fakeSession(rows), options);
        const invoices = assertTyped(await asyncOutcomeOf(() => drain(reader.openInvoices())), [ErpError]);
        for (const inv of invoices ?? []) {
          expect(isCents(inv.amountCents) && isCents(inv.openBalanceCents)).toBe(true);
          expect(isIsoDate(inv.invoiceDate)).toBe(true);
          expect(inv.dueDate === null || isIsoDate(inv.dueDate)).toBe(true);
          expect(inv.currency).not.toBe('');
        }
        assertTyped(await asyncOutcomeOf(() => drain(reader.customers())), [ErpError]);
        for (const read of [() => reader.receiptInHistory('79388123'), () => reader.receiptUnposted('79388123')]) {
          const r = assertTyped(await asyncOutcomeOf(read), [ErpError]);
          if (r) {
            expect(isCents(r.amountCents)).toBe(true);
            for (const a of r.allocations) expect(isCents(a.amountCents)).toBe(true);
          }
        }
        const cm = assertTyped(await asyncOutcomeOf(() => reader.creditMemo('79388123')), [ErpError]);
        if (cm) expect(isCents(cm.amountCents) && isIsoDate(cm.date)).toBe(true);
        const open = assertTyped(await asyncOutcomeOf(() => reader.invoiceForCustomer('ABC', '0001001')), [ErpError]);
        if (open) expect(isCents(open.balanceCents)).toBe(true);
      }),
      fuzzParams(SEED + 1, RUNS.parser / 2),
    );
  });

  it('regression: history rows whose applied amounts add up beyond a safe integer are a malformed ErpError', async () => {
    const big = { DepositNo: '1', DepositDate: '2026-03-02', CustomerNo: 'ABC', InvoiceNo: '1', InvoiceType: 'IN', CashAmountApplied: '90000000000000.00', CheckNo: '79388123' };
    const reader = createSage100Reader(fakeSession([big, { ...big, InvoiceNo: '2' }]), options);
    const o = await asyncOutcomeOf(() => reader.receiptInHistory('79388123'));
    assertTyped(o, [ErpError]);
    expect(o.ok).toBe(false);
  });
});
