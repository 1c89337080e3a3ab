import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { collectPages } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import type { ErpOptionValue } from '../../electron/core/erp/kind-module';
import { definitionElements, serviceNames } from '../../electron/core/erp/p21/discovery';
import { odataDecimal } from '../../electron/core/erp/p21/odata';
import { erpErrorOf } from '../support/erp-fixtures';
import { p21Receipt, p21TestWorld } from '../support/p21-fixtures';

// Issue 13: what a real P21 does that the first sandbox did not — the
// definition shape, 500 for an unavailable window, 404 for unknown columns,
// payment types that are numbers, customers keyed by company, and replies
// that report Succeeded for what was not (or not wholly) booked.

const world = p21TestWorld();
const connector = (options?: Record<string, ErpOptionValue>) => world.connector(options);
const receipt = p21Receipt;
const kindOf = erpErrorOf;
async function get(path: string): Promise<{ status: number; text: string }> {
  const t = await fetch(`${world.sandbox.url}/api/security/token/v2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(world.sandbox.credentials),
  });
  const { AccessToken } = (await t.json()) as { AccessToken: string };
  const res = await fetch(`${world.sandbox.url}${path}`, { headers: { accept: 'application/json', authorization: `Bearer ${AccessToken}` } });
  return { status: res.status, text: await res.text() };
}

beforeEach(() => world.start({ decoys: true }));
afterEach(() => world.stop());

describe('P21 Transaction API replies as a real P21 sends them', () => {
  it('a definition carries Template.TransactionSet and TransactionDefinition, with real DataElement names', async () => {
    const { status, text } = await get('/uiserver0/api/v2/definition/CashReceipt');
    expect(status).toBe(200);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['Name', 'Template', 'TransactionDefinition']);
    expect((body.Template as Record<string, unknown>).TransactionSet).toMatchObject({ Name: 'CashReceipt', UseCodeValues: false, TransactionSplitMethod: 0 });
    const elements = definitionElements(body);
    expect(elements?.map((e) => `${e.name} ${e.type}`)).toEqual(['TABPAGE_1.tp_1_dw_1 Form', 'TABPAGE_2.tp_2_dw_2 List']);
    expect(elements?.[0]?.fields.find((f) => f.name === 'payment_type_id')).toMatchObject({ required: true, dataType: 'Decimal', validValues: ['Check', 'Cash', 'Credit Card', 'ACH'] });
  });

  it('every listed service answers its definition, defaults/{service} exists, and an unknown service is an empty 500', async () => {
    const names = serviceNames(JSON.parse((await get('/uiserver0/api/v2/services')).text));
    expect(names).toEqual(expect.arrayContaining(['CashReceipt', 'Customer', 'Order', 'Invoice']));
    for (const name of names ?? []) expect((await get(`/uiserver0/api/v2/definition/${name}`)).status, name).toBe(200);
    const defaults = await get('/uiserver0/api/v2/defaults/CashReceipt');
    expect(defaults.status).toBe(200);
    expect(JSON.parse(defaults.text)).toMatchObject({ Name: 'CashReceipt', Transactions: [{ Status: 'New' }] });
    expect(await get('/uiserver0/api/v2/definition/NoSuchWindow')).toEqual({ status: 500, text: '' });
  });

  it('reads fields from the Template when a definition has no TransactionDefinition', () => {
    const onlyTemplate = { Name: 'X', Template: { TransactionSet: { Transactions: [{ DataElements: [{ Name: 'TABPAGE_1.tp_1_dw_1', Type: 'Form', Keys: [], Rows: [{ Edits: [{ Name: 'a', Value: '' }] }] }] }] } } };
    expect(definitionElements(onlyTemplate)).toEqual([{ name: 'TABPAGE_1.tp_1_dw_1', type: 'Form', keys: [], fields: [{ name: 'a', required: false, dataType: '', validValues: [] }] }]);
    expect(definitionElements({ Name: 'X', Template: { Name: 'X' } })).toBeNull();
  });
});

describe('P21 errors the real system sends', () => {
  it('HTTP 500 "Window <<X>> is not available" is a config error, sent once and never retried as transient', async () => {
    const c = connector();
    await c.postReceipt(receipt('400200000', { amountCents: cents(2500), allocations: [{ invoiceNo: '1000002', amountCents: cents(2500) }] }));
    world.sandbox.injectRealFailure('receipt-service-unavailable');
    const before = world.sandbox.stats().transactionPosts;
    const e = await kindOf(c.postReceipt(receipt('400200001', { amountCents: cents(10000), allocations: [{ invoiceNo: '1000001', amountCents: cents(10000) }] })));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/CashReceipt.*not licensed or not deployed/);
    expect(e.erpMessage).toMatch(/Window <<CashReceipt>> is not available/);
    expect(world.sandbox.stats().transactionPosts - before).toBe(1);
    expect(world.sandbox.countReceipts('400200001')).toBe(0);
  });

  it('a new connection reads the definition first: an unavailable window is config with nothing sent', async () => {
    world.sandbox.injectRealFailure('receipt-service-unavailable');
    const before = world.sandbox.stats().transactionPosts;
    const e = await kindOf(connector().postReceipt(receipt('400200008')));
    expect(e.kind).toBe('config');
    expect(e.erpMessage).toMatch(/Window <<CashReceipt>> is not available/);
    expect(world.sandbox.stats().transactionPosts).toBe(before);
  });

  it('a DataElement or field the definition lacks is config before the first write, naming what the service has', async () => {
    const before = world.sandbox.stats().transactionPosts;
    const wrongElement = await kindOf(connector({ receiptLinesDataElement: 'TABPAGE_2.invoices' }).postReceipt(receipt('400200009')));
    expect(wrongElement.kind).toBe('config');
    expect(wrongElement.message).toMatch(/no DataElement TABPAGE_2\.invoices \(it has TABPAGE_1\.tp_1_dw_1, TABPAGE_2\.tp_2_dw_2\)/);
    expect(world.sandbox.stats().transactionPosts).toBe(before);
  });

  it('an open-item read naming a column this P21 lacks is a config error (404), never a partial list', async () => {
    world.sandbox.injectRealFailure('unknown-read-field');
    const e = await kindOf(collectPages(connector().listOpenInvoices()));
    expect(e.kind).toBe('config');
    expect(e.erpMessage).toMatch(/terms_desc/);
  });

  it('decimal keys are sent unquoted whatever JSON type they came back as', () => {
    expect(odataDecimal(900001)).toBe('900001');
    expect(odataDecimal(' 900001 ')).toBe('900001');
    expect(() => odataDecimal("1 or 1 eq 1")).toThrowError(ErpError);
  });
});

describe('P21 read-back: Summary.Succeeded is not evidence', () => {
  it('a receipt acknowledged but not booked is unknown_outcome, never a made-up record', async () => {
    const c = connector();
    world.sandbox.injectRealFailure('accepted-not-booked');
    const e = await kindOf(c.postReceipt(receipt('400200002')));
    expect(e.kind).toBe('unknown_outcome');
    expect(e.message).toMatch(/reported cash receipt 400200002 as passed \(receipt \d+\)/);
    expect(world.sandbox.countReceipts('400200002')).toBe(0);
    expect(await c.findReceipt('400200002')).toBeNull();
  });

  it('a receipt booked without its last line is partial, naming the missing invoice', async () => {
    world.sandbox.injectRealFailure('partial-booking');
    const e = await kindOf(connector().postReceipt(receipt('400200003')));
    expect(e.kind).toBe('partial');
    expect(e.message).toMatch(/invoice 1000002 \(\$25\.00\) is missing/);
    expect(e.existingDocumentId).toBeTruthy();
    expect(world.sandbox.countReceipts('400200003')).toBe(1);
  });
});

describe('P21 payment types and companies', () => {
  it('sends the payment type as its display value with UseCodeValues false, booking the numeric payment_type_id', async () => {
    await connector().postReceipt(receipt('400200004'));
    const row = JSON.parse((await get("/odataservice/odata/table/ar_payment_details?$filter=check_number%20eq%20'400200004'")).text) as { value: Array<Record<string, unknown>> };
    expect(row.value[0]?.payment_type_id).toBe(3);
  });

  it("paymentTypeValue 'code' sends payment_type_id with UseCodeValues true; a description setting is translated to it", async () => {
    await connector({ paymentTypeValue: 'code', paymentTypeCard: '3' }).postReceipt(receipt('400200005'));
    await connector({ paymentTypeValue: 'code', paymentTypeCard: 'credit card' }).postReceipt(receipt('400200006', { amountCents: cents(2500), allocations: [{ invoiceNo: '1000002', amountCents: cents(2500) }] }));
    expect(world.sandbox.countReceipts('400200005')).toBe(1);
    expect(world.sandbox.countReceipts('400200006')).toBe(1);
  });

  it("a saved payment mapping's payment type wins over the connection setting, checked against payment_types like it", async () => {
    await connector().postReceipt(receipt('400200021', { paymentTypeCode: 'Check' }));
    const row = JSON.parse((await get("/odataservice/odata/table/ar_payment_details?$filter=check_number%20eq%20'400200021'")).text) as { value: Array<Record<string, unknown>> };
    expect(row.value[0]?.payment_type_id).toBe(1);
    const before = world.sandbox.stats().transactionPosts;
    const e = await kindOf(connector().postReceipt(receipt('400200022', { paymentTypeCode: 'CC' })));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/no payment type "CC" \(the payment mapping, Settings → Payment mapping\); payment_types holds .*3 = "Credit Card"/);
    expect(world.sandbox.stats().transactionPosts).toBe(before);
  });

  it('a payment type the site does not have (such as "CC") is refused before sending, listing the real ones', async () => {
    const before = world.sandbox.stats().transactionPosts;
    const e = await kindOf(connector({ paymentTypeCard: 'CC' }).postReceipt(receipt('400200007')));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/no payment type "CC".*3 = "Credit Card"/);
    expect(world.sandbox.stats().transactionPosts).toBe(before);
  });

  it('the diagnosis names a payment type setting the site does not have', async () => {
    const d = await connector({ paymentTypeAch: 'EFT' }).testConnection();
    expect(d.ok).toBe(false);
    expect(d.checks.find((x) => x.name === 'payment type (paymentTypeAch)')?.detail).toMatch(/no payment type "EFT".*4 = "ACH"/);
    expect(d.checks.find((x) => x.name === 'payment type (paymentTypeCard)')).toMatchObject({ ok: true, detail: 'sends "Credit Card"' });
  });

  it("lists only the configured company's customers (customers are keyed by company + customer)", async () => {
    const all = (await collectPages(connector().listCustomers())).map((c) => c.customerId);
    expect(all.sort()).toEqual(['10001', '10002']);
  });

  it('discovery flags a DataElement setting the definition does not have', async () => {
    const c = connector({ receiptLinesDataElement: 'TABPAGE_2.invoices' });
    const facts = (await c.discover?.()) ?? [];
    expect(facts.find((f) => f.setting === 'receiptLinesDataElement')).toMatchObject({ ok: false, value: 'TABPAGE_2.invoices is not a DataElement of CashReceipt' });
    expect(facts.find((f) => f.name === 'companies')?.value).toBe('1 = "Sandbox Supply Co", 19 = "Sister Company"');
  });
});
