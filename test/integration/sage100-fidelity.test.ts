import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { collectPages, type ErpConnector, type ReceiptRequest } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import { createSage100Connector } from '../../electron/core/erp/sage100';
import { OdbcSession } from '../../electron/core/erp/sage100/odbc-session';
import { sqliteOdbcDriverInstalled, startSage100Sandbox, type Sage100Sandbox } from '../../electron/sandboxes/erp/sage100/sandbox';

// Issue 13: the connector against the sandbox's tables as the real Sage 100
// schema has them (docs/erp/sage100.md, fact table), over real ODBC.

const driver = sqliteOdbcDriverInstalled();

const customers: Customer[] = [
  { customerId: 'A100', name: 'Alpha Tools' },
  { customerId: 'B200', name: 'Beta Supply' },
];
const inv = (no: string, customerId: string, balance: number): OpenInvoice => ({
  invoiceNo: no, customerId, invoiceDate: '2026-10-01', dueDate: '2026-10-31', amountCents: cents(balance + 500), openBalanceCents: cents(balance), currency: 'USD', poNo: `PO-${no}`,
});
const invoices: OpenInvoice[] = [inv('0000101', 'A100', 10_000), inv('0000102', 'A100', 20_000), inv('0000103', 'A100', 5_000), inv('0000201', 'B200', 7_000), inv('0000202', 'B200', 9_000)];

function receipt(over: Partial<ReceiptRequest> = {}): ReceiptRequest {
  return {
    reference: '512345001', customerId: 'A100', date: '2026-11-20', amountCents: cents(30_000), currency: 'USD', paymentMethod: 'card',
    allocations: [{ invoiceNo: '0000101', amountCents: cents(10_000) }, { invoiceNo: '0000102', amountCents: cents(20_000) }],
    ...over,
  };
}

describe.skipIf(!driver)('Sage 100 against the real schema (issue 13)', () => {
  let sandbox: Sage100Sandbox;
  let connector: ErpConnector;

  beforeAll(async () => {
    sandbox = await startSage100Sandbox({ customers, invoices }, { importIntervalMs: 100, confirmTimeoutMs: 2_000, busyTimeoutMs: 300 });
    connector = createSage100Connector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, pageSize: 2 }, credentials: sandbox.credentials, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await sandbox.restoreViJob();
    await sandbox.restoreColumns();
  });
  afterAll(async () => {
    await connector?.close();
    await sandbox?.close();
  });

  it('has no InvoiceAmt: the invoice total is TaxableAmt + NonTaxableAmt + FreightAmt + SalesTaxAmt; the PO is CustomerPONo', async () => {
    const columns = (await sandbox.query("SELECT name FROM pragma_table_info('AR_OpenInvoice')")).map((r) => String(r['name']));
    expect(columns).not.toContain('InvoiceAmt');
    await sandbox.query("UPDATE AR_OpenInvoice SET TaxableAmt = 80, NonTaxableAmt = 10, FreightAmt = 7.5, SalesTaxAmt = 7.5 WHERE InvoiceNo = '0000103'");
    const all = await collectPages(connector.listOpenInvoices());
    const third = all.find((i) => i.invoiceNo === '0000103')!;
    expect(third).toMatchObject({ amountCents: 10_500, openBalanceCents: 5_000, poNo: 'PO-0000103' });
  });

  it('pages open invoices with AND-only statements (no OR), every row once, across customers', async () => {
    const sent: string[] = [];
    const original = OdbcSession.prototype.query;
    vi.spyOn(OdbcSession.prototype, 'query').mockImplementation(function (this: OdbcSession, sql, params, limit) {
      sent.push(sql);
      return original.call(this, sql, params, limit);
    });
    const all = await collectPages(connector.listOpenInvoices());
    expect(all.map((i) => i.invoiceNo)).toEqual(['0000101', '0000102', '0000103', '0000201', '0000202']);
    const reads = sent.filter((s) => s.includes('FROM AR_OpenInvoice'));
    expect(reads.length).toBeGreaterThan(2);
    for (const s of reads) expect(s).not.toMatch(/\bOR\b/);
  });

  it('refuses a statement the ProvideX driver would refuse before it reaches the driver', async () => {
    const session = new OdbcSession({ connectionString: sandbox.baseUrl, username: '', password: '', timeoutMs: 2_000 });
    try {
      const e = await session.query("SELECT CustomerNo FROM AR_Customer WHERE CustomerNo = 'A' OR CustomerNo = 'B'").catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ErpError);
      expect((e as ErpError).kind).toBe('config');
      expect((e as ErpError).message).toMatch(/OR/);
      // A literal that merely contains the word is fine.
      expect(await session.query("SELECT CustomerNo FROM AR_Customer WHERE CustomerName = 'OR'")).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('files ACH under DepositType C and cards under R by default', async () => {
    await connector.postReceipt(receipt({ reference: '512345002', paymentMethod: 'ach', amountCents: cents(5_000), allocations: [{ invoiceNo: '0000103', amountCents: cents(5_000) }] }));
    const file = readdirSync(join(sandbox.viFolder, 'imported')).find((n) => n.endsWith('TIEOUT-CR-512345002.csv'))!;
    expect(readFileSync(join(sandbox.viFolder, 'imported', file), 'utf8').split('\r\n')[0]).toMatch(/^D,T1120,T1120,C,/);
    const history = await sandbox.query("SELECT DepositType, PaymentType, BankCode, CreditCardEntryNo FROM AR_CashReceiptsHistory WHERE CheckNo = '512345002'");
    expect(history[0]).toMatchObject({ DepositType: 'C', PaymentType: 'ACH', BankCode: 'A' });
  });

  it("files a saved payment mapping's payment type over the connection setting, and refuses one Sage cannot hold", async () => {
    await connector.postReceipt(receipt({ reference: '512345011', paymentTypeCode: 'VISA', amountCents: cents(1_000), allocations: [{ invoiceNo: '0000101', amountCents: cents(1_000) }] }));
    const history = await sandbox.query("SELECT PaymentType FROM AR_CashReceiptsHistory WHERE CheckNo = '512345011'");
    expect(history[0]).toMatchObject({ PaymentType: 'VISA' });
    const before = readdirSync(join(sandbox.viFolder, 'imported')).length;
    const e = await connector.postReceipt(receipt({ reference: '512345012', paymentTypeCode: 'VISACARD', amountCents: cents(1_000), allocations: [{ invoiceNo: '0000101', amountCents: cents(1_000) }] })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ErpError);
    expect((e as ErpError).kind).toBe('config');
    expect((e as ErpError).message).toMatch(/payment mapping's payment type "VISACARD" is not a Sage 100 PaymentType code/);
    expect(readdirSync(join(sandbox.viFolder, 'imported')).length).toBe(before);
  });

  it('finds a receipt imported but not yet posted in AR_CashReceiptsDetail (AmountPosted per line) and refuses to post it again', async () => {
    sandbox.nextImport({ kind: 'unposted' });
    const r = receipt({ reference: '512345003', customerId: 'B200', amountCents: cents(7_000), allocations: [{ invoiceNo: '0000201', amountCents: cents(7_000) }] });
    const e = await connector.postReceipt(r).catch((x: unknown) => x);
    expect((e as ErpError).kind).toBe('unknown_outcome'); // not in history until the journal update
    expect((e as ErpError).message).toMatch(/Cash Receipts Journal has not been updated/);
    const found = await connector.findReceipt(r.reference);
    expect(found).toMatchObject({ customerId: 'B200', amountCents: 7_000, allocations: [{ invoiceNo: '0000201', amountCents: 7_000 }] });
    expect(found!.erpDocumentId).toMatch(/^unposted:/);
    const again = await connector.postReceipt(r).catch((x: unknown) => x);
    expect((again as ErpError).kind).toBe('duplicate');
  });

  it('refuses to post when the compiled VI job is missing, writing no file', async () => {
    await sandbox.removeViJob();
    const e = await connector.postReceipt(receipt({ reference: '512345004', customerId: 'B200', amountCents: cents(9_000), allocations: [{ invoiceNo: '0000202', amountCents: cents(9_000) }] })).catch((x: unknown) => x);
    expect((e as ErpError).kind).toBe('config');
    expect((e as ErpError).message).toMatch(/VIWI0A/);
    expect(readdirSync(sandbox.viFolder).filter((n) => n.endsWith('.csv'))).toEqual([]);
    const diagnosis = await connector.testConnection();
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.checks.find((c) => c.name === 'VI job')).toMatchObject({ ok: false, detail: expect.stringContaining('VIWI0A') });
    await sandbox.restoreViJob();
    expect((await connector.testConnection()).checks.find((c) => c.name === 'VI job')?.ok).toBe(true);
  });

  it('reports a booking without its last line as partial, naming the invoice and quoting the VI log', async () => {
    await sandbox.query("UPDATE AR_OpenInvoice SET Balance = 9000 WHERE InvoiceNo = '0000202'");
    await sandbox.query("INSERT INTO AR_OpenInvoice (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType, InvoiceDate, InvoiceDueDate, Balance) VALUES ('00', 'B200', '0000203', 'IN', '2026-10-01', '2026-10-31', 1000)");
    sandbox.nextImport({ kind: 'drop-last-line' });
    const r = receipt({ reference: '512345005', customerId: 'B200', amountCents: cents(10_000), allocations: [{ invoiceNo: '0000202', amountCents: cents(9_000) }, { invoiceNo: '0000203', amountCents: cents(1_000) }] });
    const e = await connector.postReceipt(r).catch((x: unknown) => x);
    expect((e as ErpError).kind).toBe('partial');
    expect((e as ErpError).message).toContain('0000203');
    expect((e as ErpError).message).toContain('Visual Integrator log');
  });

  it('discovers the columns from the ODBC catalog, the VI job, the company and the command line (placeholder, no password)', async () => {
    const facts = await connector.discover!();
    const byName = new Map(facts.map((f) => [f.name, f]));
    expect(byName.get('company')).toMatchObject({ value: 'ABC' });
    expect(byName.get('columns AR_OpenInvoice')?.ok).not.toBe(false);
    expect(byName.get('columns AR_CashReceiptsDetail')?.ok).not.toBe(false);
    expect(byName.get('VI job')).toMatchObject({ value: expect.stringContaining('VIWI0A found') });
    const line = byName.get('VI command line')!.value;
    expect(line).toContain('Pvxwin32.exe');
    expect(line).toContain('-ARG DIRECT UIOFF tieout "<password from the keychain>" ABC VIWI0A AUTO');
    expect(JSON.stringify(facts)).not.toContain(sandbox.credentials.password);

    await sandbox.renameColumn('AR_OpenInvoice', 'SalesTaxAmt', 'SalesTaxAmt_Gone');
    const after = new Map((await connector.discover!()).map((f) => [f.name, f]));
    expect(after.get('columns AR_OpenInvoice')).toMatchObject({ ok: false, value: expect.stringContaining('missing SalesTaxAmt') });
  });

  it('maps the ProvideX driver texts for a missing column or table to config', async () => {
    const { toErpError } = await import('../../electron/core/erp/sage100/odbc-session');
    for (const message of ['[ProvideX][ODBC Driver]Column not found', '[ProvideX][ODBC Driver][FILEIO]Table is not accessible']) {
      const e = toErpError(Object.assign(new Error('x'), { odbcErrors: [{ state: 'S0022', code: 0, message }] }), 'query', 'pw');
      expect(e.kind).toBe('config');
      expect(e.erpMessage).toBe(`S0022: ${message}`);
    }
  });
});
