import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { collectPages, type ErpConnector } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import type { ErpOptionValue } from '../../electron/core/erp/kind-module';
import { createP21Connector } from '../../electron/core/erp/p21/connector';
import { normalizeCustomerId, odataString } from '../../electron/core/erp/p21/odata';
import { startP21Sandbox, type P21Sandbox } from '../../electron/sandboxes/erp/p21/sandbox';
import { p21Module } from '../../electron/core/erp/p21';
import { erpSandbox } from '../../electron/sandboxes/erp/registry';
import { optionDefaults } from '../../electron/core/erp/kind-module';

// Real HTTP against the loopback P21 sandbox: auth variants, OData quirks,
// balances and the connection diagnosis.

const customers: Customer[] = [
  { customerId: '10001', name: "O'Brien Plumbing" },
  { customerId: '10002', name: 'Granite Supply' },
];
const inv = (no: string, customerId: string, amount: number, open: number): OpenInvoice => ({
  invoiceNo: no, customerId, invoiceDate: '2026-01-05', dueDate: '2026-02-04', amountCents: cents(amount), openBalanceCents: cents(open), currency: 'USD', poNo: `PO-${no}`,
});
const invoices = [inv('1000001', '10001', 10000, 10000), inv('1000002', '10001', 5050, 2525), inv('1000003', '10002', 99999, 99999)];

let sandbox: P21Sandbox;
const open: ErpConnector[] = [];
function connector(options: Record<string, ErpOptionValue> = {}, password?: string): ErpConnector {
  const c = createP21Connector({
    baseUrl: sandbox.baseUrl,
    options: { ...sandbox.options, ...options },
    credentials: password === undefined ? sandbox.credentials : { ...sandbox.credentials, password },
    timeoutMs: 5000,
  });
  open.push(c);
  return c;
}

async function rawToken(): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/security/token/v2`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(sandbox.credentials),
  });
  return ((await res.json()) as { AccessToken: string }).AccessToken;
}

beforeEach(async () => {
  sandbox = await startP21Sandbox({ customers, invoices, decoys: true });
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await sandbox.close();
});

describe('P21 auth', () => {
  it('reuses one token across many calls', async () => {
    const c = connector();
    for (let i = 0; i < 5; i++) await collectPages(c.listCustomers());
    await c.findReceipt('123');
    expect(sandbox.stats().tokensIssued).toBe(1);
  });

  it('parses XML token replies', async () => {
    sandbox.setTokenFormat('xml');
    const list = await collectPages(connector().listCustomers());
    expect(list.map((c) => c.customerId)).toEqual(['10001', '10002']);
  });

  it('signs in with the legacy v1 header endpoint', async () => {
    const list = await collectPages(connector({ authVersion: 'v1' }).listOpenInvoices());
    expect(list).toHaveLength(3);
  });

  it('signs in again once when the token expires mid-run', async () => {
    const c = connector();
    await collectPages(c.listCustomers());
    sandbox.expireTokens();
    await collectPages(c.listCustomers());
    expect(sandbox.stats().tokensIssued).toBe(2);
  });

  it('wrong password: auth error that names the user, never the password', async () => {
    const c = connector({}, 'hunter2-wrong');
    const err = await c.findReceipt('1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpError);
    expect((err as ErpError).kind).toBe('auth');
    expect((err as ErpError).message).toContain('api_user');
    expect(JSON.stringify({ m: (err as ErpError).message, e: (err as ErpError).erpMessage })).not.toContain('hunter2');
    const d = await c.testConnection();
    expect(d.ok).toBe(false);
    expect(d.summary).toMatch(/password/);
  });
});

describe('P21 OData reads', () => {
  it('filters paid, other-company and deleted rows; computes balances client-side', async () => {
    const list = await collectPages(connector().listOpenInvoices());
    expect(list.map((i) => [i.invoiceNo, i.customerId, i.openBalanceCents])).toEqual([
      ['1000001', '10001', 10000],
      ['1000002', '10001', 2525],
      ['1000003', '10002', 99999],
    ]);
    expect(list[0]).toMatchObject({ invoiceDate: '2026-01-05', dueDate: '2026-02-04', currency: 'USD', poNo: 'PO-1000001' });
    const cust = await collectPages(connector().listCustomers());
    expect(cust.map((c) => c.customerId)).toEqual(['10001', '10002']);
  });

  it("the 'full' balance formula subtracts terms taken and allowances and adds memos", async () => {
    sandbox.patchInvoice('1000001', { terms_taken: 2, allowed: 1.5, memo_amount: 0.25, bad_debt_amount: 0 });
    const simple = await collectPages(connector().listOpenInvoices());
    const full = await collectPages(connector({ openBalanceFormula: 'full' }).listOpenInvoices());
    expect(simple.find((i) => i.invoiceNo === '1000001')?.openBalanceCents).toBe(10000);
    expect(full.find((i) => i.invoiceNo === '1000001')?.openBalanceCents).toBe(10000 - 200 - 150 + 25);
  });

  it('pages with $top/$skip until a short page', async () => {
    const pages: number[] = [];
    for await (const p of connector({ pageSize: 2 }).listOpenInvoices()) pages.push(p.length);
    expect(pages).toEqual([2, 1]);
  });

  it('quotes references with apostrophes instead of breaking the filter', async () => {
    await expect(connector().findReceipt("O'Brien 1")).resolves.toBeNull();
    expect(odataString("a'b")).toBe("'a''b'");
  });

  it('a non-literal right-hand side is refused the way P21 does (404 Failed to convert)', async () => {
    const token = await rawToken();
    const filter = encodeURIComponent('total_amount gt amount_paid');
    const res = await fetch(`${sandbox.url}/odataservice/odata/table/invoice_hdr?$filter=${filter}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Failed to convert parameter value');
    const noAccept = await fetch(`${sandbox.url}/odataservice/odata/table/customer`, { headers: { authorization: `Bearer ${token}` } });
    expect(await noAccept.text()).toMatch(/^<\?xml/);
  });

  it('$count and no nextLink', async () => {
    const token = await rawToken();
    const res = await fetch(`${sandbox.url}/odataservice/odata/table/invoice_hdr?$top=1&$count=true&$filter=${encodeURIComponent("paid_in_full_flag eq 'N' and company_no eq '1'")}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['@odata.count']).toBe(3);
    expect(body['@odata.nextLink']).toBeUndefined();
    expect((body.value as unknown[]).length).toBe(1);
  });

  // Real P21 answers 404 (not 400) for a column it does not have (issue 13): a setting to fix, not a refused payment.
  it('an unknown $select/$filter column answers 404 and becomes a config error carrying the ERP message', async () => {
    const err = await connector({ creditMemoFieldReference: 'no_such_column' }).findCreditMemo('R1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpError);
    expect((err as ErpError).kind).toBe('config');
    expect((err as ErpError).erpMessage).toMatch(/no_such_column/);
  });

  it('normalises Decimal and String customer ids to one form', () => {
    expect(normalizeCustomerId(10023)).toBe('10023');
    expect(normalizeCustomerId('10023.0')).toBe('10023');
    expect(normalizeCustomerId(' 0010023 ')).toBe('10023');
    expect(normalizeCustomerId('ACME1')).toBe('ACME1');
  });
});

describe('P21 diagnosis and options', () => {
  it('reports counts and the receipt service when all is well', async () => {
    const d = await connector().testConnection();
    expect(d.ok).toBe(true);
    expect(d.summary).toBe('Signed in as api_user; 3 open invoices and 2 customers readable; receipt service CashReceipt found.');
  });

  it('missing Dataservice permission is diagnosed as a permission problem', async () => {
    sandbox.denyTables(['invoice_hdr']);
    const c = connector();
    const d = await c.testConnection();
    expect(d.ok).toBe(false);
    expect(d.summary).toMatch(/denies access/);
    expect(d.checks.find((x) => x.name === 'open invoices')?.detail).toMatch(/not authorized to access API/);
    const err = await collectPages(c.listOpenInvoices()).catch((e: unknown) => e);
    expect((err as ErpError).kind).toBe('permission');
  });

  it('a wrong receipt service name is diagnosed with the way to find the right one', async () => {
    const d = await connector({ receiptServiceName: 'CashReceipts' }).testConnection();
    expect(d.ok).toBe(false);
    expect(d.checks.find((x) => x.name === 'receipt service')?.detail).toMatch(/GET \/api\/v2\/services/);
  });

  it('bad option values are config errors naming the option', () => {
    expect(() => connector({ transactionMode: 'batch' })).toThrowError(/transactionMode/);
    expect(() => connector({ pageSize: -1 })).toThrowError(/pageSize/);
  });

  it('the kind module exposes defaults and starts its sandbox', async () => {
    const defaults = optionDefaults(p21Module.optionFields);
    expect(defaults).toMatchObject({ receiptServiceName: 'CashReceipt', pageSize: 5000, transactionMode: 'sync', openBalanceFormula: 'simple', sessionRetryCount: 3 });
    expect(p21Module.optionFields.filter((f) => f.unconfirmed).map((f) => f.key)).toContain('receiptServiceName');
    const sb = await erpSandbox('p21')({ customers, invoices });
    const c = p21Module.createConnector({ baseUrl: sb.baseUrl, options: sb.options, credentials: sb.credentials });
    expect((await collectPages(c.listOpenInvoices())).length).toBe(3);
    await c.close();
    await sb.close();
  });
});

describe('P21 open credits and discount terms', () => {
  const twoTen = { discountBasisPoints: 200, discountDays: 10, netDays: 30 };
  const seeded = [
    { ...inv('1000101', '10001', 20000, 20000), terms: twoTen },
    inv('1000102', '10001', 7000, 7000),
    inv('CM00101', '10001', -2500, -2500),
    inv('CM00102', '10002', -4000, -1500),
  ];

  it('reads open credit memos as negative open items and each invoice its own terms_id discount', async () => {
    await sandbox.close();
    sandbox = await startP21Sandbox({ customers, invoices: seeded });
    const read = new Map((await collectPages(connector().listOpenInvoices())).map((i) => [i.invoiceNo, i]));
    expect(read.get('CM00101')).toMatchObject({ amountCents: -2500, openBalanceCents: -2500, customerId: '10001' });
    // Part-applied credit: total_amount -40.00, amount_paid -25.00 → -15.00 still open.
    expect(read.get('CM00102')).toMatchObject({ amountCents: -4000, openBalanceCents: -1500 });
    expect(read.get('CM00101')?.terms).toBeUndefined();
    expect(read.get('1000101')?.terms).toEqual(twoTen);
    expect(read.get('1000102')?.terms).toBeUndefined();
  });

  it('still reads every open item, without terms, when the role may not read the terms table', async () => {
    await sandbox.close();
    sandbox = await startP21Sandbox({ customers, invoices: seeded });
    sandbox.denyTables(['terms']);
    const read = await collectPages(connector().listOpenInvoices());
    expect(read).toHaveLength(4);
    expect(read.every((i) => i.terms === undefined)).toBe(true);
  });

  it('reads no terms when termsTable is empty', async () => {
    await sandbox.close();
    sandbox = await startP21Sandbox({ customers, invoices: seeded });
    const read = await collectPages(connector({ termsTable: '' }).listOpenInvoices());
    expect(read.find((i) => i.invoiceNo === '1000101')?.terms).toBeUndefined();
  });
});

describe('P21 early-payment discounts and open credits in a cash receipt', () => {
  const twoTen = { discountBasisPoints: 200, discountDays: 10, netDays: 30 };
  const seeded = [
    { ...inv('1000201', '10001', 50000, 50000), terms: twoTen },
    inv('1000202', '10001', 30000, 30000),
    inv('CM00201', '10001', -4000, -4000),
    inv('CM00202', '10002', -1000, -1000),
  ];
  const base = { customerId: '10001', date: '2026-01-12', currency: 'USD' as const, paymentMethod: 'card' as const };

  async function detailRows(receiptNumber: number): Promise<Array<Record<string, unknown>>> {
    const token = await rawToken();
    const res = await fetch(`${sandbox.url}/odataservice/odata/table/ar_receipts_detail?$filter=${encodeURIComponent(`receipt_number eq ${receiptNumber}`)}&$orderby=invoice_no`, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    return ((await res.json()) as { value: Array<Record<string, unknown>> }).value;
  }

  beforeEach(async () => {
    await sandbox.close();
    sandbox = await startP21Sandbox({ customers, invoices: seeded });
  });

  it('declares both capabilities; creditApplication off withdraws applyCredits', () => {
    expect(connector().capabilities).toMatchObject({ writeOffs: true, applyCredits: true });
    expect(connector({ creditApplication: 'off' }).capabilities.applyCredits).toBe(false);
  });

  it('posts a discount once as terms taken, not as an allowance; OData reads it back and the invoice closes', async () => {
    const c = connector();
    const receipt = {
      ...base, reference: '700000001', amountCents: cents(49000),
      allocations: [{ invoiceNo: '1000201', amountCents: cents(49000) }],
      writeOffs: [{ invoiceNo: '1000201', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
    };
    const posted = await c.postReceipt(receipt);
    await expect(connector().postReceipt(receipt)).rejects.toMatchObject({ kind: 'duplicate' });
    expect(sandbox.countReceipts('700000001')).toBe(1);
    const found = await c.findReceipt('700000001');
    expect(found).toMatchObject({ erpDocumentId: posted.erpDocumentId, amountCents: 49000, allocations: [{ invoiceNo: '1000201', amountCents: 49000 }] });
    const [line] = sandbox.receipts().filter((r) => r.checkNumber === '700000001')[0]!.lines;
    expect(line).toEqual({ invoiceNo: '1000201', amountCents: 49000, termsCents: 1000 });
    expect(await detailRows(Number(posted.erpDocumentId))).toMatchObject([{ invoice_no: '1000201', payment_amount: 490, terms_amount: 10, allowed_amount: 0 }]);
    expect(sandbox.openBalance('1000201')).toBeNull();
    const open = await collectPages(connector({ openBalanceFormula: 'full' }).listOpenInvoices());
    expect(open.map((i) => i.invoiceNo)).not.toContain('1000201');
  });

  it("discountPosting 'allowed' books the discount as the allowed amount instead", async () => {
    await connector({ discountPosting: 'allowed' }).postReceipt({
      ...base, reference: '700000002', amountCents: cents(49000),
      allocations: [{ invoiceNo: '1000201', amountCents: cents(49000) }],
      writeOffs: [{ invoiceNo: '1000201', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
    });
    expect(sandbox.receipts()[0]!.lines).toEqual([{ invoiceNo: '1000201', amountCents: 49000, allowedCents: 1000 }]);
  });

  it('applies an open credit memo once as a negative line; the cash is the sum; both close', async () => {
    const c = connector();
    const receipt = {
      ...base, reference: '700000003', amountCents: cents(26000),
      allocations: [{ invoiceNo: '1000202', amountCents: cents(30000) }, { invoiceNo: 'CM00201', amountCents: cents(-4000) }],
    };
    const posted = await c.postReceipt(receipt);
    await expect(c.postReceipt(receipt)).rejects.toMatchObject({ kind: 'duplicate', existingDocumentId: posted.erpDocumentId });
    expect(sandbox.countReceipts('700000003')).toBe(1);
    const found = await connector().findReceipt('700000003');
    expect(found?.amountCents).toBe(26000);
    expect(found?.allocations).toEqual([{ invoiceNo: '1000202', amountCents: 30000 }, { invoiceNo: 'CM00201', amountCents: -4000 }]);
    expect(await detailRows(Number(posted.erpDocumentId))).toMatchObject([{ invoice_no: '1000202', payment_amount: 300 }, { invoice_no: 'CM00201', payment_amount: -40 }]);
    expect(sandbox.openBalance('1000202')).toBeNull();
    expect(sandbox.openBalance('CM00201')).toBeNull();
    const open = await collectPages(connector().listOpenInvoices());
    expect(open.map((i) => i.invoiceNo)).toEqual(['1000201', 'CM00202']);
  });

  it('refuses malformed discounts and credits before sending, and P21 refuses what breaks its rules', async () => {
    const c = connector();
    const sent = () => sandbox.stats().transactionPosts;
    const before = sent();
    // A discount on an invoice the receipt does not pay.
    await expect(c.postReceipt({
      ...base, reference: '700000004', amountCents: cents(30000), allocations: [{ invoiceNo: '1000202', amountCents: cents(30000) }],
      writeOffs: [{ invoiceNo: '1000201', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
    })).rejects.toMatchObject({ kind: 'validation', message: expect.stringMatching(/does not pay/) });
    // A zero line, and a credit where credits are switched off.
    await expect(c.postReceipt({ ...base, reference: '700000005', amountCents: cents(100), allocations: [{ invoiceNo: '1000202', amountCents: cents(0) }] })).rejects.toMatchObject({ kind: 'validation' });
    await expect(connector({ creditApplication: 'off' }).postReceipt({
      ...base, reference: '700000006', amountCents: cents(26000), allocations: [{ invoiceNo: '1000202', amountCents: cents(30000) }, { invoiceNo: 'CM00201', amountCents: cents(-4000) }],
    })).rejects.toMatchObject({ kind: 'validation', message: expect.stringMatching(/does not apply open credits/) });
    // Lines that add up to more than the cash.
    await expect(c.postReceipt({
      ...base, reference: '700000007', amountCents: cents(20000), allocations: [{ invoiceNo: '1000202', amountCents: cents(30000) }, { invoiceNo: 'CM00201', amountCents: cents(-4000) }],
    })).rejects.toMatchObject({ kind: 'validation' });
    expect(sent()).toBe(before);
    // P21's own rules: more credit than the memo holds, a credit memo applied positively.
    await expect(c.postReceipt({
      ...base, reference: '700000008', amountCents: cents(25000), allocations: [{ invoiceNo: '1000202', amountCents: cents(30000) }, { invoiceNo: 'CM00201', amountCents: cents(-5000) }],
    })).rejects.toMatchObject({ kind: 'validation', message: expect.stringMatching(/exceeds its open balance/) });
    await expect(c.postReceipt({ ...base, reference: '700000009', amountCents: cents(100), allocations: [{ invoiceNo: 'CM00201', amountCents: cents(100) }] }))
      .rejects.toMatchObject({ kind: 'validation', message: expect.stringMatching(/credit memo; apply it with a negative amount/) });
    expect(sandbox.receipts()).toHaveLength(0);
  });
});
