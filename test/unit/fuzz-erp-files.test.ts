import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { ErpError } from '../../electron/core/erp/errors';
import type { ReceiptRequest } from '../../electron/core/erp/connector';
import { buildLockboxFile, parseLockboxFile } from '../../electron/core/erp/eclipse/lockbox-file';
import { buildMt940, parseMt940 } from '../../electron/core/erp/abas/mt940';
import { checkNoForReference, creditMemoNoForReference } from '../../electron/core/erp/sage100/check-no';
import { assertCleanOpenAr, openArPages } from '../../electron/core/erp/file/open-ar';
import { parseColumnMapping, DEFAULT_COLUMN_MAPPING } from '../../electron/core/erp/file/mapping';
import type { FileOptions } from '../../electron/core/erp/file/options';
import { assertTyped, asyncOutcomeOf, CARD_NUMBERS, fuzzParams, hostileScalar, isCents, isIsoDate, junkText, mutatedText, outcomeOf, RUNS } from '../support/fuzz-arbitraries';

// Property-based fuzzing of the file formats Tieout reads: Eclipse lock-box
// files (CSV and fixed width) and abas MT940 statements as their importers read
// them back, and the site's open-AR CSV/XLSX for the file "ERP" on real files
// in a temp folder. Invariant: a sound parse, or an ErpError; an open-AR file
// with any bad row imports nothing.

const SEED = 120_401;
const dir = mkdtempSync(join(tmpdir(), 'tieout-fuzz-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const receipt: fc.Arbitrary<ReceiptRequest> = fc
  .record({
    reference: fc.stringMatching(/^[A-Z0-9-]{1,12}$/),
    customerId: fc.stringMatching(/^[A-Z0-9]{1,8}$/),
    allocations: fc.array(fc.record({ invoiceNo: fc.stringMatching(/^[A-Z0-9]{1,8}$/), amountCents: fc.integer({ min: -50_000, max: 5_000_000 }).map(cents) }), { minLength: 1, maxLength: 3 }),
    unapplied: fc.integer({ min: 0, max: 10_000 }),
  })
  .map(({ reference, customerId, allocations, unapplied }) => ({
    reference,
    customerId,
    date: '2026-03-02',
    amountCents: cents(allocations.reduce((s, a) => s + a.amountCents, 0) + unapplied),
    currency: 'USD',
    paymentMethod: 'card' as const,
    allocations,
    ...(unapplied > 0 ? { unappliedCents: cents(unapplied) } : {}),
  }));

function safely(build: () => string): string {
  const o = outcomeOf(build);
  return o.ok ? o.value : '';
}

describe(`Eclipse lock-box files (fuzz seed ${SEED})`, () => {
  for (const layout of ['csv', 'fixed-width'] as const) {
    it(`${layout}: mutated files parse to balanced whole cents or a validation ErpError`, () => {
      const file = receipt.map((r) => safely(() => buildLockboxFile(r, layout)));
      fc.assert(
        fc.property(fc.oneof(junkText, mutatedText(file)), (content) => {
          const f = assertTyped(outcomeOf(() => parseLockboxFile(content, layout)), [ErpError]);
          if (f) {
            expect(isCents(f.totalCents)).toBe(true);
            for (const d of f.details) expect(isCents(d.amountCents)).toBe(true);
            expect(f.details.reduce((s, d) => s + d.amountCents, 0)).toBe(f.totalCents);
          }
        }),
        fuzzParams(SEED + (layout === 'csv' ? 0 : 1), RUNS.parser),
      );
    });
  }
});

describe(`abas MT940 statements (fuzz seed ${SEED + 2})`, () => {
  it('mutated statements parse to whole cents or a validation ErpError', () => {
    const statement = receipt.map((r) => safely(() => buildMt940(r, 'DE89370400440532013000')));
    fc.assert(
      fc.property(fc.oneof(junkText, mutatedText(statement)), (content) => {
        const s = assertTyped(outcomeOf(() => parseMt940(content)), [ErpError]);
        if (s) {
          expect(isCents(s.amountCents) && isCents(s.unappliedCents)).toBe(true);
          for (const a of s.allocations) expect(isCents(a.amountCents)).toBe(true);
          expect(s.reference).not.toBe('');
        }
      }),
      fuzzParams(SEED + 2, RUNS.parser),
    );
  });
});

describe(`Sage 100 CheckNo (fuzz seed ${SEED + 3})`, () => {
  it('any reference gives a CheckNo of at most 10 and an InvoiceNo of at most 7 characters, or a validation ErpError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[A-Za-z0-9._-]{1,70}$/), fc.constantFrom(...CARD_NUMBERS)), (ref) => {
        const c = assertTyped(outcomeOf(() => checkNoForReference(ref)), [ErpError]);
        if (c !== undefined) expect(c.length).toBeLessThanOrEqual(10);
        const m = assertTyped(outcomeOf(() => creditMemoNoForReference(ref)), [ErpError]);
        if (m !== undefined) expect(m.length).toBeLessThanOrEqual(7);
      }),
      fuzzParams(SEED + 3, RUNS.cheapParser),
    );
  });
});

const HEADER = ['invoice_no', 'customer_id', 'customer_name', 'invoice_date', 'due_date', 'amount', 'open_balance', 'currency', 'po_no', 'discount_percent', 'discount_days', 'net_days', 'terms'];

const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('INV1', 'C1', '2026-01-15', '2026-02-14', '125.50', '-3.10', 'USD', '2', '10', '30', '2/10 net 30', '') },
  { weight: 1, arbitrary: hostileScalar.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) },
);
const rows = fc.array(fc.array(cell, { minLength: 0, maxLength: HEADER.length + 2 }), { minLength: 0, maxLength: 6 });

function options(path: string, format: 'csv' | 'xlsx'): FileOptions {
  return { openArPath: path, format, mapping: DEFAULT_COLUMN_MAPPING, sheetName: '', csvDelimiter: ',', defaultCurrency: 'USD' } as unknown as FileOptions;
}

async function readAll(o: FileOptions) {
  const out = [];
  for await (const page of openArPages(o, 2)) out.push(...page);
  return out;
}

/** Reads the file as the file ERP does: a clean check then the pages; returns the invoices or the typed error. */
async function checkFile(o: FileOptions): Promise<void> {
  const check = await asyncOutcomeOf(() => assertCleanOpenAr(o));
  assertTyped(check, [ErpError]);
  const read = await asyncOutcomeOf(() => readAll(o));
  const invoices = assertTyped(read, [ErpError]);
  // All or nothing: a file whose check failed hands out no page at all.
  if (!check.ok) expect(read.ok).toBe(false);
  for (const inv of invoices ?? []) {
    expect(isCents(inv.amountCents) && isCents(inv.openBalanceCents)).toBe(true);
    expect(isIsoDate(inv.invoiceDate)).toBe(true);
    expect(inv.dueDate === null || isIsoDate(inv.dueDate)).toBe(true);
    expect(inv.currency).toMatch(/^[A-Z]{3}$/);
    expect(inv.invoiceNo).not.toBe('');
  }
}

describe(`open-AR CSV and XLSX imports (fuzz seed ${SEED + 4})`, () => {
  const csvText = (header: string[], body: string[][]) => [header, ...body].map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');

  it('generated and byte-mutated CSV files: sound invoices or an ErpError, nothing handed out from a bad file', async () => {
    const content = fc.oneof(rows.map((b) => csvText(HEADER, b)), mutatedText(rows.map((b) => csvText(HEADER, b))), junkText);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        const path = join(dir, `fuzz-${n++}.csv`);
        writeFileSync(path, text);
        await checkFile(options(path, 'csv'));
      }),
      fuzzParams(SEED + 4, RUNS.file),
    );
  });

  it('XLSX workbooks with hostile cells (numbers, dates, formulas, rich text, errors) and corrupted bytes: sound invoices or an ErpError', async () => {
    const xlsxCell = fc.oneof(
      cell,
      fc.constantFrom<ExcelJS.CellValue>(
        125.5,
        -0,
        1e308,
        new Date('2026-01-15T00:00:00Z'),
        new Date(Number.NaN),
        true,
        { formula: '1+1', result: 2 },
        { formula: 'A1', result: new Date(Number.NaN) },
        { richText: [{ text: '12' }, { text: '5.50' }] },
        { error: '#DIV/0!' },
        { text: 'link', hyperlink: 'https://x' },
      ),
    );
    const workbook = fc.tuple(fc.array(fc.array(xlsxCell, { maxLength: HEADER.length + 1 }), { maxLength: 4 }), fc.nat(), fc.integer({ min: 0, max: 3 }));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(workbook, async ([body, at, corruptions]) => {
        const wb = new ExcelJS.Workbook();
        const sheet = wb.addWorksheet('Open AR');
        sheet.addRow(HEADER);
        for (const r of body) sheet.addRow(r);
        const bytes = Buffer.from(await wb.xlsx.writeBuffer());
        for (let i = 0; i < corruptions; i++) {
          const k = (at * (i + 7)) % bytes.length;
          bytes[k] = bytes[k]! ^ 0x5a;
        }
        const path = join(dir, `fuzz-${n++}.xlsx`);
        writeFileSync(path, bytes);
        await checkFile(options(path, 'xlsx'));
      }),
      fuzzParams(SEED + 5, RUNS.file / 4),
    );
  });

  it('regression: an XLSX date cell holding an invalid Date is a bad row, not a RangeError', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Open AR');
    sheet.addRow(HEADER);
    sheet.addRow(['INV1', 'C1', 'Acme', new Date(Number.NaN), '', '10.00', '10.00', 'USD']);
    const path = join(dir, 'invalid-date.xlsx');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const o = await asyncOutcomeOf(() => assertCleanOpenAr(options(path, 'xlsx')));
    assertTyped(o, [ErpError]);
    expect(o.ok).toBe(false);
  });

  it('column mapping JSON: any text is a mapping or a config ErpError', () => {
    fc.assert(
      fc.property(fc.oneof(junkText, fc.dictionary(fc.constantFrom('invoiceNo', 'customerId', 'invoiceDate', 'openBalance', 'x', '__proto__'), fc.oneof(fc.string(), fc.jsonValue())).map((d) => JSON.stringify(d))), (json) => {
        assertTyped(outcomeOf(() => parseColumnMapping(json)), [ErpError]);
      }),
      fuzzParams(SEED + 6, RUNS.parser),
    );
  });
});
