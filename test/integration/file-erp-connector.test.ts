import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { collectPages, type ReceiptRequest } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import { checkOpenAr, createFileConnector } from '../../electron/core/erp/file';
import { startFileSandbox, type FileSandbox } from '../../electron/sandboxes/erp/file/sandbox';
import { parseFileOptions } from '../../electron/core/erp/file/options';

// Real files in real temp folders: CSV and XLSX in, CSV and XLSX out.

const customers: Customer[] = [
  { customerId: 'C100', name: 'Apex Plumbing, Inc.' },
  { customerId: 'C200', name: 'Bluewater "HVAC" LLC' },
];

const invoices: OpenInvoice[] = Array.from({ length: 12 }, (_, i) => ({
  invoiceNo: String(5000 + i),
  customerId: i % 2 === 0 ? 'C100' : 'C200',
  customerName: i % 2 === 0 ? customers[0]!.name : customers[1]!.name,
  invoiceDate: `2026-10-${String(i + 1).padStart(2, '0')}`,
  dueDate: i === 3 ? null : '2026-11-30',
  amountCents: cents(10_000 + i),
  openBalanceCents: cents(i === 5 ? 0 : 9_000 + i),
  currency: 'USD',
  poNo: `PO-${i}`,
}));

const receipt = (over: Partial<ReceiptRequest> = {}): ReceiptRequest => ({
  reference: '412000111',
  customerId: 'C100',
  date: '2026-11-21',
  amountCents: cents(9_000 + 4_501),
  currency: 'USD',
  paymentMethod: 'card',
  cardBrand: 'VISA',
  allocations: [
    { invoiceNo: '5000', amountCents: cents(9_000) },
    { invoiceNo: '5002', amountCents: cents(4_501) },
  ],
  memo: 'Paid, thanks',
  ...over,
});

const kindOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof ErpError ? e.kind : `not an ErpError: ${String(e)}`;
  }
};

describe('File connector: open AR in, receipts out', () => {
  let sandbox: FileSandbox;
  const scratch = mkdtempSync(join(tmpdir(), 'tieout-file-test-'));

  beforeAll(async () => {
    sandbox = await startFileSandbox({ customers, invoices });
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reads the open-ar.csv format with the default mapping, in pages, skipping zero balances', async () => {
    const c = createFileConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, pageSize: 5 }, credentials: sandbox.credentials });
    const pages: (readonly OpenInvoice[])[] = [];
    for await (const p of c.listOpenInvoices()) pages.push(p);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 1]);
    const all = pages.flat();
    expect(all.find((i) => i.invoiceNo === '5005')).toBeUndefined();
    expect(all.find((i) => i.invoiceNo === '5003')).toEqual({ ...invoices[3], customerName: 'Bluewater "HVAC" LLC' });
    expect(await collectPages(c.listOpenInvoices({ since: '2026-10-10' }))).toHaveLength(3);
    expect(await collectPages(c.listCustomers())).toEqual(customers);
    const d = await c.testConnection();
    expect(d.ok, d.summary).toBe(true);
  });

  it('reports every bad row with file, line and field, and hands out nothing', async () => {
    const folder = join(scratch, 'bad');
    rmSync(folder, { recursive: true, force: true });
    const c = createFileConnector({ baseUrl: folder, options: {}, credentials: { username: '', password: '' } });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'open-ar.csv'),
      [
        'invoice_no,customer_id,customer_name,invoice_date,due_date,amount,open_balance,currency,po_no',
        '7001,C1,One,2026-10-01,2026-10-31,100.00,100.00,USD,',
        '7002,C1,One,10/02/2026,,100.00,"1,00",USD,',
        '7003,,Two,2026-02-30,,50,50,usd,',
        '7001,C1,One,2026-10-01,,1,1,USD,',
      ].join('\n'),
    );
    const e = await collectPages(c.listOpenInvoices()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ErpError);
    expect((e as ErpError).kind).toBe('malformed');
    const message = (e as ErpError).message;
    expect(message).toContain('open-ar.csv');
    expect(message).toContain('line 3, invoice_date');
    expect(message).toContain('line 3, open_balance');
    expect(message).toContain('line 4, customer_id: is empty');
    expect(message).toContain('line 4, invoice_date');
    expect(message).toContain('line 5, invoice_no: "7001" repeats line 2');

    const check = await checkOpenAr(parseFileOptions(folder, {}));
    expect(check.problems.map((p) => `${p.line}:${p.field}`)).toEqual(['3:invoice_date', '3:open_balance', '4:customer_id', '4:invoice_date', '5:invoice_no']);
    expect((await c.testConnection()).ok).toBe(false);

    // Issue 12: a customer name holding a card number stops the read, naming the line, not the number.
    writeFileSync(join(folder, 'open-ar.csv'), ['invoice_no,customer_id,customer_name,invoice_date,due_date,amount,open_balance,currency,po_no', '7001,C1,Call 4111 1111 1111 1111,2026-10-01,,100.00,100.00,USD,'].join('\n'));
    const card = await collectPages(c.listOpenInvoices()).catch((x: unknown) => x);
    expect((card as ErpError).message).toContain('line 2, customer_name: holds what looks like a card number');
    expect((card as ErpError).message).not.toContain('4111');

    writeFileSync(join(folder, 'open-ar.csv'), 'number,customer\n1,2\n');
    const header = await collectPages(c.listOpenInvoices()).catch((x: unknown) => x);
    expect((header as ErpError).kind).toBe('config');
    expect((header as ErpError).message).toMatch(/lacks column "invoice_no" \(invoiceNo\)/);
  });

  it('reads an XLSX sheet through a custom column mapping, with real Excel dates', async () => {
    const folder = join(scratch, 'xlsx');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRow(['ignore me']);
    const ws = wb.addWorksheet('Open Items');
    ws.addRow(['Doc', 'Cust', 'Name', 'Posted', 'Due', 'Open']);
    ws.addRow(['INV-1', 'K1', 'Kappa Co', new Date(Date.UTC(2026, 9, 5)), new Date(Date.UTC(2026, 10, 4)), 1234.5]);
    ws.addRow(['INV-2', 'K2', 'Lambda Co', '2026-10-06', '', '99.99']);
    await wb.xlsx.writeFile(join(folder, 'ar.xlsx'));
    const mapping = JSON.stringify({ invoiceNo: 'Doc', customerId: 'Cust', customerName: 'Name', invoiceDate: 'Posted', dueDate: 'Due', openBalance: 'Open' });
    const c = createFileConnector({ baseUrl: folder, options: { openArFile: 'ar.xlsx', sheetName: 'Open Items', columnMapping: mapping, defaultCurrency: 'CAD' }, credentials: { username: '', password: '' } });
    const all = await collectPages(c.listOpenInvoices());
    expect(all).toEqual([
      { invoiceNo: 'INV-1', customerId: 'K1', customerName: 'Kappa Co', invoiceDate: '2026-10-05', dueDate: '2026-11-04', amountCents: 123_450, openBalanceCents: 123_450, currency: 'CAD', poNo: '' },
      { invoiceNo: 'INV-2', customerId: 'K2', customerName: 'Lambda Co', invoiceDate: '2026-10-06', dueDate: null, amountCents: 9_999, openBalanceCents: 9_999, currency: 'CAD', poNo: '' },
    ]);
    expect(() => createFileConnector({ baseUrl: folder, options: { columnMapping: '{"invoiceNo":"Doc"}' }, credentials: { username: '', password: '' } })).toThrow(/must map customerId, invoiceDate, openBalance/);
  });

  it('exports a receipt as CSV and XLSX, one line per allocation, and refuses the same reference again', async () => {
    const c = createFileConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, exportFormat: 'csv+xlsx' }, credentials: sandbox.credentials });
    expect(await c.findReceipt('412000111')).toBeNull();
    const posted = await c.postReceipt(receipt());
    expect(posted).toEqual({
      reference: '412000111',
      erpDocumentId: 'receipt-412000111.csv',
      customerId: 'C100',
      amountCents: 13_501,
      date: '2026-11-21',
      allocations: receipt().allocations,
    });
    expect(readdirSync(sandbox.receiptsFolder).sort()).toEqual(['receipt-412000111.csv', 'receipt-412000111.xlsx']);
    const csv = readFileSync(join(sandbox.receiptsFolder, 'receipt-412000111.csv'), 'utf8').trim().split('\r\n');
    expect(csv).toEqual([
      'reference,receipt_date,customer_id,payment_method,card_brand,currency,receipt_amount,unapplied_amount,invoice_no,applied_amount,bank_code,deposit_no,memo,discount_amount,discount_gl_account,write_off_amount,write_off_reason,payment_type,gl_account',
      '412000111,2026-11-21,C100,card,VISA,USD,135.01,0.00,5000,90.00,,,"Paid, thanks",,,,,,',
      '412000111,2026-11-21,C100,card,VISA,USD,135.01,0.00,5002,45.01,,,"Paid, thanks",,,,,,',
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(sandbox.receiptsFolder, 'receipt-412000111.xlsx'));
    expect(wb.worksheets[0]!.rowCount).toBe(3);
    expect(wb.worksheets[0]!.getRow(3).getCell(9).value).toBe('5002');

    // A new connector (app restart) reads the exported file and refuses.
    const fresh = createFileConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials });
    const dup = await fresh.postReceipt(receipt()).catch((x: unknown) => x);
    expect((dup as ErpError).kind).toBe('duplicate');
    expect((dup as ErpError).existingDocumentId).toBe('receipt-412000111.csv');
    expect(await sandbox.countReceipts('412000111')).toBe(1);
    expect(await sandbox.openBalance('5000')).toBeNull();
    expect(await sandbox.openBalance('5002')).toBe(9_002 - 4_501);
  });

  it('refuses receipts it cannot export faithfully, writing nothing', async () => {
    const c = createFileConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials });
    const before = readdirSync(sandbox.receiptsFolder).length;
    expect(await kindOf(c.postReceipt(receipt({ reference: '../../etc/passwd' })))).toBe('validation');
    expect(await kindOf(c.postReceipt(receipt({ reference: '1'.repeat(31) })))).toBe('validation');
    expect(await kindOf(c.postReceipt(receipt({ reference: 'R1', amountCents: cents(1) })))).toBe('validation');
    expect(await kindOf(c.postReceipt(receipt({ reference: 'R2', customerId: 'C200' })))).toBe('not_found');
    expect(await kindOf(c.postReceipt(receipt({ reference: 'R3', allocations: [{ invoiceNo: '5004', amountCents: cents(999_999) }], amountCents: cents(999_999) })))).toBe('validation');
    await sandbox.truncateOpenAr();
    expect(await kindOf(c.postReceipt(receipt({ reference: 'R4', allocations: [{ invoiceNo: '5004', amountCents: cents(1) }], amountCents: cents(1) })))).toBe('malformed');
    await sandbox.restoreOpenAr();
    await sandbox.breakReceiptsFolder();
    // A file where the receipts folder should be is a setting to fix, not a fault to wait out.
    expect(await kindOf(c.postReceipt(receipt({ reference: 'R5', allocations: [{ invoiceNo: '5004', amountCents: cents(1) }], amountCents: cents(1) })))).toBe('config');
    await sandbox.restoreReceiptsFolder();
    expect(readdirSync(sandbox.receiptsFolder).length).toBe(before);
  });

  it("carries a saved payment mapping's payment type and G/L account in the last two columns", async () => {
    const c = createFileConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials });
    await c.postReceipt(receipt({ reference: '412000112', paymentTypeCode: 'VI', glAccount: '1010-00', allocations: [{ invoiceNo: '5004', amountCents: cents(1) }], amountCents: cents(1) }));
    const [header, line] = readFileSync(join(sandbox.receiptsFolder, 'receipt-412000112.csv'), 'utf8').trim().split('\r\n');
    expect(header!.split(',').slice(-2)).toEqual(['payment_type', 'gl_account']);
    expect(line!.split(',').slice(-2)).toEqual(['VI', '1010-00']);
  });

  it('exports a credit memo once', async () => {
    const c = createFileConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, exportFormat: 'xlsx' }, credentials: sandbox.credentials });
    const memo = { reference: '412000999', originalReference: '412000111', customerId: 'C100', date: '2026-11-22', amountCents: cents(2_500), currency: 'USD', invoiceNo: '5000', reason: 'refund' };
    const posted = await c.postCreditMemo(memo);
    expect(posted).toEqual({ reference: '412000999', erpDocumentId: 'credit-memo-412000999.xlsx', customerId: 'C100', amountCents: 2_500, date: '2026-11-22' });
    expect(await kindOf(c.postCreditMemo(memo))).toBe('duplicate');
  });
});

describe('File open credits and discount terms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-file-credits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = async (name: string, csv: string, mapping?: Record<string, string>) => {
    writeFileSync(join(dir, name), csv);
    const c = createFileConnector({
      baseUrl: dir,
      options: { openArFile: name, outputFolder: 'out', ...(mapping ? { columnMapping: JSON.stringify(mapping) } : {}) },
      credentials: { username: '', password: '' },
    });
    return new Map((await collectPages(c.listOpenInvoices())).map((i) => [i.invoiceNo, i]));
  };

  it('reads a negative open balance as an open credit and a terms text as discount terms', async () => {
    const got = await read(
      'text.csv',
      'invoice_no,customer_id,invoice_date,amount,open_balance,terms\n' +
        'A1,C100,2026-10-01,100.00,100.00,2/10 net 30\n' +
        'A2,C100,2026-10-02,50.00,50.00,Net 30\n' +
        'CM1,C100,2026-10-03,-25.00,-25.00,\n' +
        'CM2,C200,2026-10-04,-40.00,-15.00,2/10 net 30\n',
    );
    expect(got.get('A1')?.terms).toEqual({ discountBasisPoints: 200, discountDays: 10, netDays: 30 });
    expect(got.get('A2')?.terms).toBeUndefined();
    expect(got.get('CM1')).toMatchObject({ amountCents: -2500, openBalanceCents: -2500 });
    // A credit has nothing to discount, whatever its terms column says.
    expect(got.get('CM2')).toMatchObject({ amountCents: -4000, openBalanceCents: -1500 });
    expect(got.get('CM2')?.terms).toBeUndefined();
  });

  it('reads separate discount columns through a custom mapping', async () => {
    const mapping = { invoiceNo: 'Doc', customerId: 'Cust', invoiceDate: 'Date', openBalance: 'Open', discountPercent: 'Disc %', discountDays: 'Disc days', netDays: 'Net days' };
    const got = await read('cols.csv', 'Doc,Cust,Date,Open,Disc %,Disc days,Net days\nB1,C100,2026-10-01,80.00,1.5,15,45\nB2,C100,2026-10-01,80.00,,,30\n', mapping);
    expect(got.get('B1')?.terms).toEqual({ discountBasisPoints: 150, discountDays: 15, netDays: 45 });
    expect(got.get('B2')?.terms).toBeUndefined();
  });

  it('refuses a filled but unreadable discount column with file, line and column', async () => {
    const mapping = { invoiceNo: 'Doc', customerId: 'Cust', invoiceDate: 'Date', openBalance: 'Open', discountPercent: 'Disc %', discountDays: 'Disc days' };
    await expect(read('bad.csv', 'Doc,Cust,Date,Open,Disc %,Disc days\nB1,C100,2026-10-01,80.00,two,10\n', mapping)).rejects.toThrow(/bad\.csv.*line 2, Disc %/);
  });
});

describe('File receipts with an early-payment discount and an applied open credit', () => {
  const ledger: OpenInvoice[] = [
    { invoiceNo: '7001', customerId: 'C100', customerName: 'Apex', invoiceDate: '2026-11-01', dueDate: '2026-12-01', amountCents: cents(50_000), openBalanceCents: cents(50_000), currency: 'USD', poNo: '', terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } },
    { invoiceNo: '7002', customerId: 'C100', customerName: 'Apex', invoiceDate: '2026-11-02', dueDate: '2026-12-02', amountCents: cents(30_000), openBalanceCents: cents(30_000), currency: 'USD', poNo: '' },
    { invoiceNo: 'CM7009', customerId: 'C100', customerName: 'Apex', invoiceDate: '2026-11-03', dueDate: '2026-11-03', amountCents: cents(-4_500), openBalanceCents: cents(-4_500), currency: 'USD', poNo: '' },
  ];
  let sandbox: FileSandbox;
  beforeAll(async () => {
    sandbox = await startFileSandbox({ customers, invoices: ledger });
  });
  afterAll(() => sandbox.close());
  const connector = () => createFileConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials });
  const base = { customerId: 'C100', date: '2026-11-05', currency: 'USD', paymentMethod: 'card' as const };

  it('declares both capabilities', () => {
    expect(connector().capabilities).toMatchObject({ writeOffs: true, applyCredits: true });
  });

  it('exports the discount (and its GL) on the invoice line, once, and the invoice closes', async () => {
    const c = connector();
    const r: ReceiptRequest = {
      ...base,
      reference: '512000001',
      amountCents: cents(49_000),
      allocations: [{ invoiceNo: '7001', amountCents: cents(49_000) }],
      writeOffs: [{ invoiceNo: '7001', amountCents: cents(1_000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
      discountGlAccount: '4450-00',
    };
    const posted = await c.postReceipt(r);
    expect(posted.amountCents).toBe(49_000);
    expect(posted.allocations).toEqual([{ invoiceNo: '7001', amountCents: 49_000 }]);
    const csv = readFileSync(join(sandbox.receiptsFolder, 'receipt-512000001.csv'), 'utf8').trim().split('\r\n');
    expect(csv[1]).toBe('512000001,2026-11-05,C100,card,,USD,490.00,0.00,7001,490.00,,,,10.00,4450-00,,,,');
    expect(await sandbox.openBalance('7001')).toBeNull();
    expect(await sandbox.countReceipts('512000001')).toBe(1);
    expect(await kindOf(connector().postReceipt(r))).toBe('duplicate');
    expect(await connector().findReceipt('512000001')).toMatchObject({ amountCents: 49_000, allocations: [{ invoiceNo: '7001', amountCents: 49_000 }] });
  });

  it('exports an applied credit as a negative line naming the credit memo; invoice and credit close', async () => {
    const c = connector();
    const r: ReceiptRequest = {
      ...base,
      reference: '512000002',
      amountCents: cents(25_500),
      allocations: [
        { invoiceNo: '7002', amountCents: cents(30_000) },
        { invoiceNo: 'CM7009', amountCents: cents(-4_500) },
      ],
    };
    await c.postReceipt(r);
    const csv = readFileSync(join(sandbox.receiptsFolder, 'receipt-512000002.csv'), 'utf8').trim().split('\r\n');
    expect(csv.slice(1)).toEqual([
      '512000002,2026-11-05,C100,card,,USD,255.00,0.00,7002,300.00,,,,,,,,,',
      '512000002,2026-11-05,C100,card,,USD,255.00,0.00,CM7009,-45.00,,,,,,,,,',
    ]);
    const found = await connector().findReceipt('512000002');
    expect(found?.amountCents).toBe(25_500);
    expect(found?.allocations).toEqual(r.allocations);
    expect(await sandbox.openBalance('7002')).toBeNull();
    expect(await sandbox.openBalance('CM7009')).toBeNull();
    expect(await kindOf(c.postReceipt(r))).toBe('duplicate');
    expect(await sandbox.countReceipts('512000002')).toBe(1);
  });

  it('refuses malformed discounts and credits, writing nothing', async () => {
    const c = connector();
    const before = readdirSync(sandbox.receiptsFolder).length;
    const one = (over: Partial<ReceiptRequest>): ReceiptRequest => ({ ...base, reference: 'BAD1', amountCents: cents(100), allocations: [{ invoiceNo: '7002', amountCents: cents(100) }], ...over });
    // A write-off on an invoice the receipt does not pay.
    expect(await kindOf(c.postReceipt(one({ writeOffs: [{ invoiceNo: '7001', amountCents: cents(10), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] })))).toBe('validation');
    // Cash plus discount beyond the open balance.
    expect(await kindOf(c.postReceipt(one({ writeOffs: [{ invoiceNo: '7002', amountCents: cents(29_950), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] })))).toBe('validation');
    // A negative line on an invoice, and more credit than is open.
    expect(await kindOf(c.postReceipt(one({ amountCents: cents(100), allocations: [{ invoiceNo: '7002', amountCents: cents(200) }, { invoiceNo: '7001', amountCents: cents(-100) }] })))).toBe('validation');
    expect(await kindOf(c.postReceipt(one({ amountCents: cents(100), allocations: [{ invoiceNo: '7002', amountCents: cents(9_100) }, { invoiceNo: 'CM7009', amountCents: cents(-9_000) }] })))).toBe('validation');
    // A write-off without a reason code.
    expect(await kindOf(c.postReceipt(one({ writeOffs: [{ invoiceNo: '7002', amountCents: cents(10), reasonCode: ' ' }] })))).toBe('validation');
    expect(readdirSync(sandbox.receiptsFolder).length).toBe(before);
  });
});
