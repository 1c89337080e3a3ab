import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { collectPages, type ErpConnector, type ReceiptRequest } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import {
  checkNoForReference,
  createSage100Connector,
  creditMemoNoForReference,
} from '../../electron/core/erp/sage100';
import { sqliteOdbcDriverInstalled, startSage100Sandbox, type Sage100Sandbox } from '../../electron/sandboxes/erp/sage100/sandbox';
import { receiptFileName } from '../../electron/core/erp/sage100/vi-file';

// Real ODBC: unixODBC + the Debian SQLite ODBC driver (apt libsqliteodbc) over
// a seeded company file; real VI files in a real folder.

const driver = sqliteOdbcDriverInstalled();
if (!driver) {
  // Say why a whole file is skipped.
  console.warn('sage100 tests skipped: the SQLite3 ODBC driver is not registered in /etc/odbcinst.ini (apt install unixodbc libsqliteodbc)');
}

const customers: Customer[] = [
  { customerId: '10001', name: "O'Brien Plumbing Inc." },
  { customerId: '10002', name: 'Cascade Supply LLC' },
  { customerId: '10003', name: 'Delta Electric Co.' },
];

function invoice(n: number, customerId: string, balance: number, date = '2026-10-01'): OpenInvoice {
  return {
    invoiceNo: String(1004500 + n),
    customerId,
    invoiceDate: date,
    dueDate: '2026-10-31',
    amountCents: cents(balance),
    openBalanceCents: cents(balance),
    currency: 'USD',
    poNo: `PO${n}`,
  };
}

const invoices: OpenInvoice[] = [
  ...Array.from({ length: 23 }, (_, i) => invoice(i + 1, customers[i % 3]!.customerId, 10_000 + i * 101, i < 5 ? '2026-09-01' : '2026-10-01')),
];

function receipt(over: Partial<ReceiptRequest> = {}): ReceiptRequest {
  return {
    reference: '412345678',
    customerId: '10001',
    date: '2026-11-20',
    amountCents: cents(10_000 + 10_303),
    currency: 'USD',
    paymentMethod: 'card',
    allocations: [
      { invoiceNo: '1004501', amountCents: cents(10_000) },
      { invoiceNo: '1004504', amountCents: cents(10_303) },
    ],
    ...over,
  };
}

describe.skipIf(!driver)('Sage 100 connector over real ODBC', () => {
  let sandbox: Sage100Sandbox;
  let connector: ErpConnector;

  beforeAll(async () => {
    sandbox = await startSage100Sandbox({ customers, invoices }, { importIntervalMs: 100, confirmTimeoutMs: 4_000, busyTimeoutMs: 300 });
    connector = createSage100Connector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, pageSize: 4 }, credentials: sandbox.credentials, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await connector?.close();
    await sandbox?.close();
  });

  it('diagnoses a healthy connection', async () => {
    const d = await connector.testConnection();
    expect(d.ok, d.summary).toBe(true);
    expect(d.checks.map((c) => c.name)).toEqual(['connect', 'customers', 'open invoices', 'receipt history', 'VI import folder', 'VI job']);
  });

  it('diagnoses a missing driver, a missing company file and a missing VI folder', async () => {
    const noDriver = createSage100Connector({ baseUrl: 'Driver=MAS 90 4.0 ODBC Driver;Directory=/nope', options: sandbox.options, credentials: { username: 'u', password: 's3cret!pw' } });
    const d1 = await noDriver.testConnection();
    expect(d1.ok).toBe(false);
    expect(d1.summary).toMatch(/driver/i);
    expect(JSON.stringify(d1)).not.toContain('s3cret!pw');
    await noDriver.close();

    const noDb = createSage100Connector({
      baseUrl: sandbox.baseUrl.replace(/Database=[^;]*/, 'Database=/tmp/does-not-exist/ABC.sqlite'),
      options: { ...sandbox.options, viFolder: '/tmp/does-not-exist/vi' },
      credentials: { username: 'u', password: 's3cret!pw' },
    });
    const d2 = await noDb.testConnection();
    expect(d2.ok).toBe(false);
    expect(d2.checks.find((c) => c.name === 'connect')?.detail).toMatch(/company data/);
    expect(d2.checks.find((c) => c.name === 'VI import folder')?.ok).toBe(false);
    expect(JSON.stringify(d2)).not.toContain('s3cret!pw');
    await noDb.close();
  });

  it('reads customers and open invoices in key-range pages', async () => {
    const customerPages = await collectPages(connector.listCustomers());
    expect(customerPages.map((c) => c.customerId)).toEqual(['10001', '10002', '10003']);
    expect(customerPages[0]!.name).toBe("O'Brien Plumbing Inc.");

    const pages: (readonly OpenInvoice[])[] = [];
    for await (const page of connector.listOpenInvoices()) pages.push(page);
    // 23 rows, at most 4 per page; paging without OR finishes each customer with its own read, so a customer boundary can end a page early.
    expect(pages.length).toBeGreaterThanOrEqual(6);
    expect(pages.length).toBeLessThanOrEqual(6 + customers.length);
    expect(pages.every((p) => p.length <= 4)).toBe(true);
    const all = pages.flat();
    expect(all).toHaveLength(23);
    expect(new Set(all.map((i) => i.invoiceNo)).size).toBe(23);
    const first = all.find((i) => i.invoiceNo === '1004502')!;
    expect(first).toMatchObject({ customerId: '10002', customerName: 'Cascade Supply LLC', openBalanceCents: 10_101, currency: 'USD', poNo: 'PO2', dueDate: '2026-10-31' });

    const since = await collectPages(connector.listOpenInvoices({ since: '2026-09-15' }));
    expect(since).toHaveLength(18);
  });

  it('posts a receipt through a VI file, confirms it from history, and refuses the same reference again', async () => {
    const r = receipt();
    expect(await connector.findReceipt(r.reference)).toBeNull();
    const posted = await connector.postReceipt(r);
    expect(posted).toMatchObject({ reference: r.reference, customerId: '10001', amountCents: 20_303, date: '2026-11-20' });
    expect(posted.erpDocumentId).toBe(`T1120-${r.reference}`);
    expect([...posted.allocations].sort((a, b) => a.invoiceNo.localeCompare(b.invoiceNo))).toEqual(r.allocations);

    const imported = readdirSync(join(sandbox.viFolder, 'imported'));
    const file = imported.find((n) => n.endsWith(receiptFileName('412345678')))!;
    const lines = readFileSync(join(sandbox.viFolder, 'imported', file), 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('D,T1120,T1120,R,20261120,A,203.03,Tieout 2026-11-20');
    expect(lines[1]).toBe('H,T1120,T1120,00,10001,412345678,CC,203.03,PayTrace 412345678');
    expect(lines.slice(2)).toEqual(['L,T1120,T1120,00,10001,412345678,1004501,IN,100.00,0.00', 'L,T1120,T1120,00,10001,412345678,1004504,IN,103.03,0.00']);

    const balances = await sandbox.query("SELECT InvoiceNo, Balance FROM AR_OpenInvoice WHERE InvoiceNo IN ('1004501','1004504') ORDER BY InvoiceNo");
    expect(balances.map((b) => Number(b['Balance']))).toEqual([0, 0]);

    const again = await connector.postReceipt(r).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ErpError);
    expect((again as ErpError).kind).toBe('duplicate');
    expect((again as ErpError).existingDocumentId).toBe(posted.erpDocumentId);
    expect(readdirSync(sandbox.viFolder).filter((n) => n.endsWith('.csv'))).toEqual([]);
    const history = await sandbox.query('SELECT COUNT(*) AS n FROM AR_CashReceiptsHistory WHERE CheckNo = ?', ['412345678']);
    expect(Number(history[0]!['n'])).toBe(2);
  });

  it('keeps a long reference in a deterministic short CheckNo, with the full id in PostingComment, and finds it again', async () => {
    const reference = 'PT-2026-000000123456789';
    const checkNo = checkNoForReference(reference);
    expect(checkNo).toMatch(/^T[0-9A-Z]{9}$/);
    expect(checkNoForReference(reference)).toBe(checkNo);
    const posted = await connector.postReceipt(
      receipt({ reference, customerId: '10002', amountCents: cents(10_101 + 500), allocations: [{ invoiceNo: '1004502', amountCents: cents(10_101) }], unappliedCents: cents(500), paymentMethod: 'ach' }),
    );
    expect(posted.amountCents).toBe(10_601);
    expect(posted.allocations).toEqual([{ invoiceNo: '1004502', amountCents: 10_101 }]);
    const found = await connector.findReceipt(reference);
    expect(found?.erpDocumentId).toBe(posted.erpDocumentId);
    const imported = readdirSync(join(sandbox.viFolder, 'imported')).find((n) => n.endsWith(receiptFileName(checkNo)))!;
    expect(readFileSync(join(sandbox.viFolder, 'imported', imported), 'utf8')).toContain(`PayTrace ${reference}`);
    const pp = await sandbox.query("SELECT Balance FROM AR_OpenInvoice WHERE InvoiceType = 'PP' AND CheckNo = ?", [checkNo]);
    expect(Number(pp[0]!['Balance'])).toBe(-5);
  });

  it('refuses what Sage cannot carry or would reject, writing nothing', async () => {
    const kinds = async (r: ReceiptRequest): Promise<string> => {
      const e = await connector.postReceipt(r).catch((x: unknown) => x);
      return e instanceof ErpError ? e.kind : 'no error';
    };
    expect(await kinds(receipt({ reference: 'has space,comma' }))).toBe('validation');
    expect(await kinds(receipt({ reference: '' }))).toBe('validation');
    expect(await kinds(receipt({ reference: '900000001', currency: 'CAD' }))).toBe('validation');
    expect(await kinds(receipt({ reference: '900000002', amountCents: cents(1) }))).toBe('validation');
    expect(await kinds(receipt({ reference: '900000003', customerId: '99999' }))).toBe('not_found');
    expect(await kinds(receipt({ reference: '900000004', customerId: '10003', allocations: [{ invoiceNo: '1004503', amountCents: cents(999_999) }], amountCents: cents(999_999) }))).toBe('validation');
    expect(readdirSync(sandbox.viFolder).filter((n) => n.endsWith('.csv'))).toEqual([]);
  });

  it('reports a locked company file as transient and recovers when it is released', async () => {
    await sandbox.lock();
    const e = await collectPages(connector.listOpenInvoices()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ErpError);
    expect((e as ErpError).kind).toBe('transient');
    expect((e as ErpError).erpMessage).toMatch(/locked/);
    const p = await connector.postReceipt(receipt({ reference: '500000001', customerId: '10003', amountCents: cents(10_002), allocations: [{ invoiceNo: '1004503', amountCents: cents(10_002) }] })).catch((x: unknown) => x);
    expect((p as ErpError).kind).toBe('transient');
    expect(existsSync(join(sandbox.viFolder, receiptFileName('500000001')))).toBe(false);
    await sandbox.unlock();
    const afterUnlock = await collectPages(connector.listOpenInvoices());
    // 20 seeded invoices, plus any open credit an earlier test left on account (a PP row of an overpayment).
    expect(afterUnlock.filter((i) => i.openBalanceCents > 0)).toHaveLength(20);
    for (const credit of afterUnlock.filter((i) => i.openBalanceCents < 0)) expect(credit.amountCents).toBe(credit.openBalanceCents);
  });

  it('reports unknown_outcome when the import is not seen in time, never writes a second file, and the look-up resolves it', async () => {
    const r = receipt({ reference: '600000001', customerId: '10003', amountCents: cents(10_002), allocations: [{ invoiceNo: '1004503', amountCents: cents(10_002) }] });
    const impatient = createSage100Connector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, confirmTimeoutMs: 1_000 }, credentials: sandbox.credentials });
    sandbox.dropNextConfirmation(30_000);
    const e = await impatient.postReceipt(r).catch((x: unknown) => x);
    await impatient.close();
    expect((e as ErpError).kind).toBe('unknown_outcome');
    await sandbox.unlock();
    expect((await connector.findReceipt(r.reference))?.amountCents).toBe(10_002);

  });

  it('never writes a second file while one is waiting, and surfaces a VI rejection with the job log', async () => {
    const r = receipt({ reference: '600000002', customerId: '10003', amountCents: cents(10_005), allocations: [{ invoiceNo: '1004506', amountCents: cents(10_005) }] });
    const waiting = join(sandbox.viFolder, receiptFileName('600000002'));
    await sandbox.pauseImports(true);
    writeFileSync(waiting, 'X,left by an earlier attempt\r\n');
    const slow = createSage100Connector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, confirmTimeoutMs: 300 }, credentials: sandbox.credentials });
    const first = await slow.postReceipt(r).catch((x: unknown) => x);
    await slow.close();
    expect((first as ErpError).kind).toBe('unknown_outcome');
    expect(readFileSync(waiting, 'utf8')).toBe('X,left by an earlier attempt\r\n');

    await sandbox.pauseImports(false);
    const second = await connector.postReceipt(r).catch((x: unknown) => x);
    expect((second as ErpError).kind).toBe('validation');
    expect((second as ErpError).erpMessage).toMatch(/D \(deposit\)/);

    // Corrected retry: the old log is archived and a fresh file goes through.
    const third = await connector.postReceipt(r);
    expect(third.amountCents).toBe(10_005);
  });

  it('posts a credit memo once (InvoiceType CM) and finds it by reference', async () => {
    const memo = { reference: '800000001', originalReference: '412345678', customerId: '10001', date: '2026-11-21', amountCents: cents(2_500), currency: 'USD', reason: 'refund' };
    expect(await connector.findCreditMemo(memo.reference)).toBeNull();
    const posted = await connector.postCreditMemo(memo);
    expect(posted).toMatchObject({ erpDocumentId: `CM-${creditMemoNoForReference(memo.reference)}`, customerId: '10001', amountCents: 2_500 });
    expect(creditMemoNoForReference(memo.reference)).toMatch(/^C[0-9A-Z]{6}$/);
    const dup = await connector.postCreditMemo(memo).catch((x: unknown) => x);
    expect((dup as ErpError).kind).toBe('duplicate');
  });

  it('types unreadable data as malformed, naming table and field', async () => {
    await sandbox.corruptDates();
    const e = await collectPages(connector.listOpenInvoices()).catch((x: unknown) => x);
    await sandbox.restoreDates();
    expect((e as ErpError).kind).toBe('malformed');
    expect((e as ErpError).message).toMatch(/AR_OpenInvoice .*InvoiceDate/);
  });
});

describe.skipIf(!driver)('Sage 100 open credits and discount terms over real ODBC', () => {
  const twoTen = { discountBasisPoints: 200, discountDays: 10, netDays: 30 };
  const seeded: OpenInvoice[] = [
    { ...invoice(1, '10001', 20_000), terms: twoTen },
    invoice(2, '10001', 7_000),
    { ...invoice(3, '10002', -2_500), amountCents: cents(-4_000) },
  ];
  let sandbox: Sage100Sandbox;
  beforeAll(async () => {
    sandbox = await startSage100Sandbox({ customers, invoices: seeded });
  });
  afterAll(async () => sandbox?.close());
  const read = async (options: Record<string, string> = {}) => {
    const c = createSage100Connector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, ...options }, credentials: sandbox.credentials, timeoutMs: 5_000 });
    try {
      return new Map((await collectPages(c.listOpenInvoices())).map((i) => [i.invoiceNo, i]));
    } finally {
      await c.close();
    }
  };

  it('reads CM rows as negative open credits and the invoice terms code through AR_TermsCode', async () => {
    const got = await read();
    expect(got.get('1004503')).toMatchObject({ customerId: '10002', amountCents: -4_000, openBalanceCents: -2_500 });
    expect(got.get('1004503')?.terms).toBeUndefined();
    expect(got.get('1004501')?.terms).toEqual(twoTen);
    expect(got.get('1004502')?.terms).toBeUndefined();
  });

  it('reads no credits when openCreditTypes is empty, no terms when termsTable is empty, and customer terms when no invoice column', async () => {
    expect((await read({ openCreditTypes: '' })).has('1004503')).toBe(false);
    expect([...(await read({ termsTable: '' })).values()].some((i) => i.terms)).toBe(false);
    // The customers' AR_Customer.TermsCode is 30 (Net 30): no discount.
    expect((await read({ invoiceTermsColumn: '' })).get('1004501')?.terms).toBeUndefined();
  });
});

describe.skipIf(!driver)('Sage 100 receipts with a discount (DiscountApplied) and an applied credit memo, over ODBC + VI files', () => {
  const ledger: OpenInvoice[] = [
    { ...invoice(31, '10002', 50_000), terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } },
    invoice(32, '10002', 30_000),
    { ...invoice(39, '10002', -4_500), invoiceNo: '0009039' },
  ];
  let sandbox: Sage100Sandbox;
  let connector: ErpConnector;
  beforeAll(async () => {
    sandbox = await startSage100Sandbox({ customers, invoices: ledger }, { importIntervalMs: 100, confirmTimeoutMs: 4_000, busyTimeoutMs: 300 });
    connector = createSage100Connector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await connector?.close();
    await sandbox?.close();
  });
  const base = { customerId: '10002', date: '2026-11-20', currency: 'USD', paymentMethod: 'card' as const };
  const balance = async (invoiceNo: string) => (await sandbox.query('SELECT Balance FROM AR_OpenInvoice WHERE InvoiceNo = ?', [invoiceNo]))[0]?.['Balance'];

  it('declares discounts and applyCredits (no other write-off reason)', () => {
    expect(connector.capabilities).toMatchObject({ discounts: true, writeOffs: false, applyCredits: true });
  });

  it('posts the cash with DiscountApplied on the invoice line, once; history and the read-back agree', async () => {
    const r: ReceiptRequest = {
      ...base,
      reference: '412300001',
      amountCents: cents(49_000),
      allocations: [{ invoiceNo: '1004531', amountCents: cents(49_000) }],
      writeOffs: [{ invoiceNo: '1004531', amountCents: cents(1_000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
    };
    const posted = await connector.postReceipt(r);
    expect(posted).toMatchObject({ amountCents: 49_000, allocations: [{ invoiceNo: '1004531', amountCents: 49_000 }] });
    const hist = await sandbox.query('SELECT CashAmountApplied, DiscountAmountApplied, InvoiceBalance FROM AR_CashReceiptsHistory WHERE CheckNo = ?', [checkNoForReference('412300001')]);
    expect(hist.map((h) => [Number(h['CashAmountApplied']), Number(h['DiscountAmountApplied']), Number(h['InvoiceBalance'])])).toEqual([[490, 10, 0]]);
    expect(Number(await balance('1004531'))).toBe(0);
    expect((await connector.postReceipt(r).catch((e: unknown) => e) as ErpError).kind).toBe('duplicate');
    expect(await connector.findReceipt('412300001')).toMatchObject({ erpDocumentId: posted.erpDocumentId, amountCents: 49_000 });
  });

  it('applies the credit memo as a negative detail line; invoice and CM close; read back with the negative line', async () => {
    const r: ReceiptRequest = {
      ...base,
      reference: '412300002',
      amountCents: cents(25_500),
      allocations: [
        { invoiceNo: '1004532', amountCents: cents(30_000) },
        { invoiceNo: '0009039', amountCents: cents(-4_500) },
      ],
    };
    const posted = await connector.postReceipt(r);
    expect(posted.amountCents).toBe(25_500);
    expect([...posted.allocations].sort((a, b) => a.invoiceNo.localeCompare(b.invoiceNo))).toEqual([
      { invoiceNo: '0009039', amountCents: -4_500 },
      { invoiceNo: '1004532', amountCents: 30_000 },
    ]);
    expect(Number(await balance('1004532'))).toBe(0);
    expect(Number(await balance('0009039'))).toBe(0);
    expect((await connector.postReceipt(r).catch((e: unknown) => e) as ErpError).kind).toBe('duplicate');
  });

  it('refuses a write-off other than the discount, a write-off without its invoice and an oversized credit, writing no file', async () => {
    const before = readdirSync(sandbox.viFolder).length;
    const one = (over: Partial<ReceiptRequest>): ReceiptRequest => ({ ...base, reference: '412300009', amountCents: cents(100), allocations: [{ invoiceNo: '1004532', amountCents: cents(100) }], ...over });
    const kind = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as ErpError).kind;
    const other = (await connector.postReceipt(one({ writeOffs: [{ invoiceNo: '1004532', amountCents: cents(5), reasonCode: 'SMALL_BALANCE' }] })).catch((e: unknown) => e)) as ErpError;
    expect(other.kind).toBe('validation');
    expect(other.message).toMatch(/no field in the Sage 100 cash receipt/);
    expect(await kind(connector.postReceipt(one({ writeOffs: [{ invoiceNo: '1004531', amountCents: cents(5), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] })))).toBe('validation');
    expect(await kind(connector.postReceipt(one({ allocations: [{ invoiceNo: '1004532', amountCents: cents(99_999) }, { invoiceNo: '0009039', amountCents: cents(-99_899) }] })))).toBe('validation');
    expect(readdirSync(sandbox.viFolder).length).toBe(before);
  });
});
