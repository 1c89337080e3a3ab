import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { OpenInvoice } from '@shared/domain';
import { buildDemoWorld, erpOpenItems } from '../../electron/sandboxes/demo/world';
import { collectPages, type ReceiptRequest } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import { createSapEccConnector, type SapEccConnector } from '../../electron/core/erp/sap-ecc/connector';
import { DEFAULT_WRAPPER_FUNCTION } from '../../electron/core/erp/sap-ecc/options';
import { createRfcClient } from '../../electron/core/erp/sap-ecc/rfc-client';
import { startSapEccSandbox, type SapEccSandbox } from '../../electron/sandboxes/erp/sap-ecc/sandbox';
import { itemTerms, lineItemsToInvoices } from '../../electron/core/erp/sap-ecc/line-items';

// Real HTTP against the SOAP-RFC sandbox on loopback.

const world = buildDemoWorld({ seed: 7, customers: 6, payments: 30, now: new Date('2025-03-20T15:00:00Z') });
const today = new Date().toISOString().slice(0, 10);

async function caught(p: Promise<unknown>): Promise<ErpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ErpError) return e;
    throw e;
  }
  throw new Error('expected an ErpError');
}

describe('SAP ECC connector over SOAP-RFC', () => {
  let sandbox: SapEccSandbox;
  let partlyPaid: OpenInvoice;
  const connect = (options: Record<string, string | number> = {}, timeoutMs = 3_000): SapEccConnector =>
    createSapEccConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, customerPageSize: 4, ...options }, credentials: sandbox.credentials, timeoutMs });
  const openByCustomer = (customerId: string) => world.invoices.filter((i) => i.customerId === customerId);
  const receipt = (reference: string, invoices: readonly OpenInvoice[], extra: Partial<ReceiptRequest> = {}): ReceiptRequest => ({
    reference,
    customerId: invoices[0]!.customerId,
    date: today,
    amountCents: cents(invoices.reduce((s, i) => s + i.openBalanceCents, 0)),
    currency: 'USD',
    paymentMethod: 'card',
    allocations: invoices.map((i) => ({ invoiceNo: i.invoiceNo, amountCents: i.openBalanceCents })),
    ...extra,
  });
  // Each test takes its own invoices so the tests do not depend on order.
  const pool = [...world.invoices];
  const take = (customerId: string, n: number): OpenInvoice[] => {
    const picked = pool.filter((i) => i.customerId === customerId).slice(0, n);
    if (picked.length < n) throw new Error(`not enough invoices left for ${customerId}`);
    for (const p of picked) pool.splice(pool.indexOf(p), 1);
    return picked;
  };

  beforeAll(async () => {
    // One invoice already partly paid, to see credits counted against it.
    partlyPaid = { ...world.invoices[0]!, openBalanceCents: cents(world.invoices[0]!.amountCents - 1000) };
    pool.splice(0, 1);
    sandbox = await startSapEccSandbox({ customers: world.customers, invoices: [partlyPaid, ...world.invoices.slice(1)], foreignCustomer: true });
  });
  afterAll(async () => sandbox.close());

  it('reads every open invoice, customer by customer, with zero-padded KUNNR and due dates', async () => {
    const connector = connect();
    const pages = [];
    for await (const page of connector.listOpenInvoices()) pages.push(page);
    const all = pages.flat();
    expect(pages.length).toBe(world.customers.length);
    expect(all).toHaveLength(world.invoices.length);
    for (const page of pages) expect(new Set(page.map((i) => i.customerId)).size).toBe(1);
    const first = all.find((i) => i.invoiceNo === partlyPaid.invoiceNo)!;
    expect(first).toMatchObject({ customerId: partlyPaid.customerId, openBalanceCents: partlyPaid.openBalanceCents, amountCents: partlyPaid.amountCents, dueDate: partlyPaid.dueDate, invoiceDate: partlyPaid.invoiceDate, currency: 'USD' });
    const sample = world.invoices[5]!;
    expect(all.find((i) => i.invoiceNo === sample.invoiceNo)).toMatchObject({ openBalanceCents: sample.openBalanceCents, dueDate: sample.dueDate });
    // The client-wide customer that is not in company code 1000 is skipped with a note, not an error.
    expect(connector.notes.some((n) => n.includes('99999') && n.includes('not defined in company code'))).toBe(true);
  });

  it('lists customers across pages of the customer-list function and pads configured numbers', async () => {
    const customers = await collectPages(connect().listCustomers());
    expect(customers.map((c) => c.customerId)).toEqual([...world.customers.map((c) => c.customerId), '99999'].sort());
    expect(customers.find((c) => c.customerId === world.customers[0]!.customerId)?.name).toBe(world.customers[0]!.name);

    const one = world.customers[1]!.customerId;
    const invoices = await collectPages(connect({ customerNumbers: ` ${one} ` }).listOpenInvoices());
    expect(invoices.length).toBe(openByCustomer(one).length);
    expect(invoices.every((i) => i.customerId === one)).toBe(true);
  });

  it('names an unpadded or unknown configured customer with SAP\'s own message', async () => {
    const e = await caught(collectPages(connect({ customerNumbers: '4242' }).listOpenInvoices()));
    expect(e.kind).toBe('validation');
    expect(e.erpMessage).toContain('Customer 0000004242 is not defined in company code 1000');
  });

  it('posts a receipt applied to two invoices, clears them, and reads it back by reference', async () => {
    const customerId = world.customers[2]!.customerId;
    const [a, b] = take(customerId, 2);
    const posted = await connect().postReceipt(receipt('400000901', [a!, b!]));
    expect(posted.erpDocumentId).toMatch(/^14\d{8}1000\d{4}$/);
    expect(sandbox.openBalance(a!.invoiceNo)).toBeNull();
    expect(sandbox.openBalance(b!.invoiceNo)).toBeNull();
    expect(sandbox.receiptCount('400000901')).toBe(1);

    // A fresh connector has no hint: the look-up scans customers.
    const found = await connect().findReceipt('400000901');
    expect(found).toMatchObject({ reference: '400000901', erpDocumentId: posted.erpDocumentId, customerId, amountCents: posted.amountCents, date: today });
    expect([...found!.allocations].sort((x, y) => x.invoiceNo.localeCompare(y.invoiceNo))).toEqual(
      [a!, b!].map((i) => ({ invoiceNo: i.invoiceNo, amountCents: i.openBalanceCents })).sort((x, y) => x.invoiceNo.localeCompare(y.invoiceNo)),
    );
    const doc = sandbox.documents().find((d) => d.XBLNR === '400000901')!;
    expect(doc.glLines[0]).toMatchObject({ HKONT: '0000113100', SHKZG: 'S', WRBTR: posted.amountCents });
    expect(await connect().findReceipt('400000999')).toBeNull();
  });

  it("debits a saved payment mapping's G/L account instead of the connection's bank clearing account", async () => {
    const [inv] = take(world.customers[3]!.customerId, 1);
    await connect().postReceipt({ ...receipt('400000911', [inv!]), glAccount: '113101' });
    const doc = sandbox.documents().find((d) => d.XBLNR === '400000911')!;
    expect(doc.glLines[0]).toMatchObject({ HKONT: '0000113101', SHKZG: 'S' });
  });

  it('refuses the same PayTrace id twice through the look-up', async () => {
    const [inv] = take(world.customers[3]!.customerId, 1);
    const first = await connect().postReceipt(receipt('400000902', [inv!]));
    const e = await caught(connect().postReceipt(receipt('400000902', [inv!])));
    expect(e.kind).toBe('duplicate');
    expect(e.existingDocumentId).toBe(first.erpDocumentId);
    expect(sandbox.receiptCount('400000902')).toBe(1);
  });

  it('leaves a residual item for a short payment and keeps the invoice number', async () => {
    const [inv] = take(world.customers[4]!.customerId, 1);
    await connect().postReceipt({ ...receipt('400000903', [inv!]), amountCents: cents(inv!.openBalanceCents - 2500), allocations: [{ invoiceNo: inv!.invoiceNo, amountCents: cents(inv!.openBalanceCents - 2500) }] });
    expect(sandbox.openBalance(inv!.invoiceNo)).toBe(2500);
    const invoices = await collectPages(connect({ customerNumbers: inv!.customerId }).listOpenInvoices());
    expect(invoices.find((i) => i.invoiceNo === inv!.invoiceNo)?.openBalanceCents).toBe(2500);
  });

  it('types RETURN errors (E) with the SAP message and writes nothing', async () => {
    const [inv] = take(world.customers[5]!.customerId, 1);
    const badGl = await caught(connect({ bankGlAccount: '999999' }).postReceipt(receipt('400000904', [inv!])));
    expect(badGl.kind).toBe('validation');
    expect(badGl.erpMessage).toBe('G/L account 0000999999 is not defined in company code 1000 (F5 155)');

    const over = await caught(connect().postReceipt({ ...receipt('400000904', [inv!]), amountCents: cents(inv!.openBalanceCents + 100), allocations: [{ invoiceNo: inv!.invoiceNo, amountCents: cents(inv!.openBalanceCents + 100) }] }));
    expect(over.kind).toBe('validation');
    expect(over.erpMessage).toContain('exceeds the open amount');
    expect(sandbox.receiptCount('400000904')).toBe(0);
    expect(sandbox.openBalance(inv!.invoiceNo)).toBe(inv!.openBalanceCents);
    pool.push(inv!);
  });

  it('types SOAP faults: a missing wrapper is config, an over-long field is validation', async () => {
    const [inv] = take(world.customers[5]!.customerId, 1);
    const missing = await caught(connect({ wrapperFunction: 'Z_NOT_THERE' }).postReceipt(receipt('400000905', [inv!])));
    expect(missing.kind).toBe('config');
    // SOAP-RFC answers HTTP 500 with a generic faultstring and SAP's reason in the fault detail.
    expect(missing.erpMessage).toContain('Function module "Z_NOT_THERE" not found');

    const diagnosis = await connect({ wrapperFunction: 'Z_NOT_THERE' }).testConnection();
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.summary).toContain('Z_NOT_THERE');

    // The connector never sends over-long fields; a raw call shows how SAP's fault for one is typed.
    const raw = createRfcClient({ baseUrl: sandbox.baseUrl, sapClient: '100', credentials: sandbox.credentials, timeoutMs: 3_000 });
    const fault = await caught(raw.call(DEFAULT_WRAPPER_FUNCTION, { COMPANYCODE: '1000', CUSTOMER: inv!.customerId.padStart(10, '0'), PSTNG_DATE: today, REF_DOC_NO: '12345678901234567', ITEMS: [] }, 'write'));
    expect(fault.kind).toBe('validation');
    expect(fault.erpMessage).toBe('Value for REF_DOC_NO is longer than 16 characters');
    expect(sandbox.receiptCount('400000905')).toBe(0);
    pool.push(inv!);
  });

  it('rejects a reference longer than the reference field before sending', async () => {
    const e = await caught(connect().findReceipt('12345678901234567'));
    expect(e.kind).toBe('validation');
    expect(e.message).toContain('at most 16');
  });

  it('diagnoses good and bad credentials; 401 is auth', async () => {
    const good = await connect().testConnection();
    expect(good.ok).toBe(true);
    expect(good.checks.map((c) => c.name)).toEqual(['connection test (STFC_CONNECTION)', 'sign-in and customers', 'open items', `posting function ${DEFAULT_WRAPPER_FUNCTION}`]);
    expect(good.checks[0]!.detail).toMatch(/^SAP system SBX release 700, logon 100\/RFC_TIEOUT\/E; replies named FM\.Response$/);

    const bad = createSapEccConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: { username: 'RFC_TIEOUT', password: 'nope' } });
    const diagnosis = await bad.testConnection();
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.summary).toContain('401');
    expect(JSON.stringify(diagnosis)).not.toContain(sandbox.credentials.password);
    expect((await caught(collectPages(bad.listCustomers()))).kind).toBe('auth');

    const wrongClient = await caught(collectPages(connect({ sapClient: '200' }).listCustomers()));
    expect(wrongClient.kind).toBe('auth');
  });

  it('commit-then-drop on the wrapper is unknown_outcome, resolved by the look-up', async () => {
    const [inv] = take(world.customers[0]!.customerId, 1);
    sandbox.faults.add({ fault: { kind: 'commit-then-drop' }, pathPrefix: sandbox.functionPath(DEFAULT_WRAPPER_FUNCTION), times: 1 });
    const e = await caught(connect().postReceipt(receipt('400000906', [inv!])));
    expect(e.kind).toBe('unknown_outcome');
    expect(sandbox.receiptCount('400000906')).toBe(1);
    const found = await connect().findReceipt('400000906');
    expect(found?.amountCents).toBe(inv!.openBalanceCents);
    expect((await caught(connect().postReceipt(receipt('400000906', [inv!])))).kind).toBe('duplicate');
  });

  it('a truncated reply to the posting call is unknown_outcome; to a read it is malformed', async () => {
    const [inv] = take(world.customers[1]!.customerId, 1);
    sandbox.faults.add({ fault: { kind: 'malformed' }, pathPrefix: sandbox.functionPath(DEFAULT_WRAPPER_FUNCTION), times: 1 });
    expect((await caught(connect().postReceipt(receipt('400000907', [inv!])))).kind).toBe('unknown_outcome');
    // The kit's malformed fault answers without running the call: the look-up proves nothing was written.
    expect(await connect().findReceipt('400000907')).toBeNull();
    pool.push(inv!);

    sandbox.faults.add({ fault: { kind: 'malformed' }, pathPrefix: sandbox.functionPath('BAPI_CUSTOMER_GETLIST'), times: 1 });
    expect((await caught(collectPages(connect().listCustomers()))).kind).toBe('malformed');
  });

  it('500 and timeout are transient on reads; a timeout on the posting call is unknown_outcome', async () => {
    sandbox.faults.add({ fault: { kind: 'status', status: 500 }, pathPrefix: sandbox.functionPath('BAPI_AR_ACC_GETOPENITEMS'), times: 1 });
    expect((await caught(collectPages(connect().listOpenInvoices()))).kind).toBe('transient');
    sandbox.faults.add({ fault: { kind: 'timeout' }, pathPrefix: sandbox.functionPath('BAPI_AR_ACC_GETOPENITEMS'), times: 1 });
    expect((await caught(collectPages(connect({}, 400).listOpenInvoices()))).kind).toBe('transient');

    const [inv] = take(world.customers[2]!.customerId, 1);
    sandbox.faults.add({ fault: { kind: 'timeout' }, pathPrefix: sandbox.functionPath(DEFAULT_WRAPPER_FUNCTION), times: 1 });
    expect((await caught(connect({}, 400).postReceipt(receipt('400000908', [inv!])))).kind).toBe('unknown_outcome');
    expect(sandbox.receiptCount('400000908')).toBe(0);
    pool.push(inv!);
  });

  it('posts and finds a credit memo (DG), escaping XML in texts', async () => {
    const customerId = world.customers[3]!.customerId;
    const memo = await connect().postCreditMemo({ reference: '400000909', originalReference: '400000902', customerId, date: today, amountCents: cents(1999), currency: 'USD', reason: 'R&D <refund>' });
    expect(memo.erpDocumentId).toMatch(/^16\d{8}1000/);
    const line = sandbox.openItems().find((i) => i.XBLNR === '400000909')!;
    expect(line).toMatchObject({ BLART: 'DG', SHKZG: 'H', WRBTR: 1999 });
    expect(line.SGTXT).toBe('CM - / 400000909: R&D <refund>');
    expect(await connect().findCreditMemo('400000909')).toMatchObject({ erpDocumentId: memo.erpDocumentId, amountCents: 1999, customerId });
    expect(await connect().findReceipt('400000909')).toBeNull();
  });
});

describe('SAP ECC connector in BAPI posting mode', () => {
  it('detects that the SOAP-RFC session lost the document between POST and COMMIT', async () => {
    const sandbox = await startSapEccSandbox({ customers: world.customers, invoices: world.invoices });
    try {
      const inv = world.invoices[3]!;
      const connector = createSapEccConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, postingMode: 'bapi' }, credentials: sandbox.credentials });
      const e = await caught(connector.postReceipt({ reference: '500000001', customerId: inv.customerId, date: today, amountCents: inv.openBalanceCents, currency: 'USD', paymentMethod: 'ach', allocations: [{ invoiceNo: inv.invoiceNo, amountCents: inv.openBalanceCents }] }));
      expect(e.kind).toBe('config');
      expect(e.message).toContain('wrapper');
      expect(sandbox.receiptCount('500000001')).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('posts on account with ALLOC_NMBR = invoice when the endpoint commits at request end', async () => {
    const sandbox = await startSapEccSandbox({ customers: world.customers, invoices: world.invoices, implicitCommit: true });
    try {
      const inv = world.invoices[4]!;
      const connector = createSapEccConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, postingMode: 'bapi' }, credentials: sandbox.credentials });
      const posted = await connector.postReceipt({ reference: '500000002', customerId: inv.customerId, date: today, amountCents: cents(inv.openBalanceCents - 100), currency: 'USD', paymentMethod: 'card', allocations: [{ invoiceNo: inv.invoiceNo, amountCents: cents(inv.openBalanceCents - 100) }] });
      expect(posted.erpDocumentId).toMatch(/^14\d{8}1000/);
      const line = sandbox.openItems().find((i) => i.XBLNR === '500000002')!;
      expect(line).toMatchObject({ KUNNR: inv.customerId.padStart(10, '0'), ZUONR: inv.invoiceNo, SHKZG: 'H' });
      // Not cleared (the BAPI cannot clear), but the payment counts against the invoice by its assignment.
      const invoices = await collectPages(createSapEccConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, customerNumbers: inv.customerId }, credentials: sandbox.credentials }).listOpenInvoices());
      expect(invoices.find((i) => i.invoiceNo === inv.invoiceNo)?.openBalanceCents).toBe(100);
      expect((await caught(connector.postReceipt({ reference: '500000002', customerId: inv.customerId, date: today, amountCents: cents(100), currency: 'USD', paymentMethod: 'card', allocations: [{ invoiceNo: inv.invoiceNo, amountCents: cents(100) }] }))).kind).toBe('duplicate');
    } finally {
      await sandbox.close();
    }
  });
});

describe('SAP ECC open credits and cash discount terms', () => {
  it('reads DG credit memos (DB_CR_IND H) as negative open items and DSCT_PCT1/DSCT_DAYS1/NETTERMS as terms, over SOAP-RFC', async () => {
    const world = buildDemoWorld({ seed: 5, now: new Date('2026-03-02T15:00:00Z'), customers: 12, payments: 40 });
    const sandbox = await startSapEccSandbox({ customers: world.customers, invoices: erpOpenItems(world) });
    try {
      const c = createSapEccConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials, timeoutMs: 5_000 });
      const read = new Map((await collectPages(c.listOpenInvoices())).map((i) => [i.invoiceNo, i]));
      expect(world.openCredits.length).toBeGreaterThan(0);
      for (const credit of world.openCredits) {
        expect(read.get(credit.invoiceNo)).toMatchObject({ customerId: credit.customerId, amountCents: credit.amountCents, openBalanceCents: credit.openBalanceCents, currency: 'USD' });
        expect(read.get(credit.invoiceNo)!.terms).toBeUndefined();
      }
      for (const [no, terms] of Object.entries(world.invoiceTerms)) expect(read.get(no)?.terms, no).toEqual(terms);
      expect([...read.values()].filter((i) => i.terms)).toHaveLength(Object.keys(world.invoiceTerms).length);
      expect(read.size).toBe(world.invoices.length + world.openCredits.length);
    } finally {
      await sandbox.close();
    }
  });

  it('keeps a payment on account as an open credit, and a credit naming an open invoice against that invoice', () => {
    const item = (over: Record<string, string>) => ({
      DOC_NO: '0090000001', DOC_DATE: '2026-02-01', PSTNG_DATE: '2026-02-01', BLINE_DATE: '2026-02-01', NETTERMS: '030', CURRENCY: 'USD', ALLOC_NMBR: '', REF_DOC_NO: '', ...over,
    });
    const items = [
      item({ REF_DOC_NO: 'INV1', DB_CR_IND: 'S', AMT_DOCCUR: '100.00', DSCT_PCT1: '2.000', DSCT_DAYS1: '010' }),
      item({ DOC_NO: '1400000001', REF_DOC_NO: 'PAY1', ALLOC_NMBR: 'INV1', DB_CR_IND: 'H', AMT_DOCCUR: '40.00' }),
      item({ DOC_NO: '1400000002', REF_DOC_NO: 'PAY2', ALLOC_NMBR: 'OLD9', DB_CR_IND: 'H', AMT_DOCCUR: '15.00', DOC_TYPE: 'DZ' }),
    ];
    const got = lineItemsToInvoices(items, 'REF_DOC_NO', { customerId: '10001', name: 'Apex' });
    expect(got.find((i) => i.invoiceNo === 'INV1')).toMatchObject({ amountCents: 10000, openBalanceCents: 6000, terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } });
    expect(got.find((i) => i.invoiceNo === 'PAY2')).toMatchObject({ amountCents: -1500, openBalanceCents: -1500 });
    expect(got.find((i) => i.invoiceNo === 'PAY1')).toBeUndefined();
    // No net days: FI's due date is the end of the second discount period.
    expect(itemTerms({ DSCT_PCT1: '3.000', DSCT_DAYS1: '007', DSCT_DAYS2: '020', NETTERMS: '000' })).toEqual({ discountBasisPoints: 300, discountDays: 7, netDays: 20 });
    expect(itemTerms({ DSCT_PCT1: '0.000', DSCT_DAYS1: '000', NETTERMS: '030' })).toBeNull();
  });
});

describe('SAP ECC wrapper: cash discount, write-off and a credit memo cleared with the invoices', () => {
  const customers = [{ customerId: '100042', name: 'Apex Plumbing' }];
  const inv = (invoiceNo: string, amount: number, extra: Partial<OpenInvoice> = {}): OpenInvoice => ({
    invoiceNo, customerId: '100042', customerName: 'Apex Plumbing', invoiceDate: '2026-02-20', dueDate: '2026-03-22',
    amountCents: cents(amount), openBalanceCents: cents(amount), currency: 'USD', poNo: '', ...extra,
  });
  const ledger = [
    inv('90001001', 50_000, { terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } }),
    inv('90001002', 30_000),
    inv('90001003', 12_000),
    inv('60000009', -4_500, { dueDate: '2026-02-20' }),
  ];
  let sandbox: SapEccSandbox;
  beforeAll(async () => {
    sandbox = await startSapEccSandbox({ customers, invoices: ledger });
  });
  afterAll(async () => sandbox.close());
  const connect = (options: Record<string, string> = {}) =>
    createSapEccConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, ...options }, credentials: sandbox.credentials, timeoutMs: 5_000 });
  const base = { customerId: '100042', date: today, currency: 'USD', paymentMethod: 'card' as const };

  it('declares writeOffs and applyCredits in wrapper mode only', () => {
    expect(connect().capabilities).toMatchObject({ writeOffs: true, discounts: true, applyCredits: true });
    expect(connect({ postingMode: 'bapi' }).capabilities).toMatchObject({ writeOffs: false, discounts: false, applyCredits: false });
  });

  it('posts the cash with DISC_AMT on the invoice item, clears the invoice, books the discount to DISC_GL_ACCOUNT, once', async () => {
    const r: ReceiptRequest = {
      ...base,
      reference: '400300001',
      amountCents: cents(49_000),
      allocations: [{ invoiceNo: '90001001', amountCents: cents(49_000) }],
      writeOffs: [{ invoiceNo: '90001001', amountCents: cents(1_000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
      discountGlAccount: '880000',
    };
    const posted = await connect().postReceipt(r);
    expect(sandbox.openBalance('90001001')).toBeNull();
    const doc = sandbox.documents().find((d) => d.XBLNR === '400300001')!;
    expect(doc.glLines).toEqual([
      { HKONT: '0000113100', SHKZG: 'S', WRBTR: 49_000, ZUONR: '400300001' },
      { HKONT: '0000880000', SHKZG: 'S', WRBTR: 1_000, ZUONR: '90001001', SGTXT: 'Cash discount 90001001' },
    ]);
    const cashLine = sandbox.clearedItems().find((i) => i.XBLNR === '400300001' && i.SHKZG === 'H')!;
    expect(cashLine).toMatchObject({ WRBTR: 49_000, WSKTO: 1_000, SGTXT: 'Inv 90001001 / 400300001', AUGBL: posted.erpDocumentId.slice(0, 10) });
    const found = await connect().findReceipt('400300001');
    expect(found).toMatchObject({ erpDocumentId: posted.erpDocumentId, amountCents: 49_000, allocations: [{ invoiceNo: '90001001', amountCents: 49_000 }] });
    expect((await caught(connect().postReceipt(r))).kind).toBe('duplicate');
    expect(sandbox.receiptCount('400300001')).toBe(1);
  });

  it('applies the open credit memo as a debit item cleared with the invoice; a supervisor write-off carries its reason', async () => {
    const r: ReceiptRequest = {
      ...base,
      reference: '400300002',
      amountCents: cents(30_000 - 4_500 - 200),
      allocations: [
        { invoiceNo: '90001002', amountCents: cents(30_000 - 200) },
        { invoiceNo: '60000009', amountCents: cents(-4_500) },
      ],
      writeOffs: [{ invoiceNo: '90001002', amountCents: cents(200), reasonCode: 'SMALL_BALANCE' }],
    };
    const posted = await connect().postReceipt(r);
    expect(sandbox.openBalance('90001002')).toBeNull();
    expect(sandbox.openBalance('60000009')).toBeNull();
    const cm = sandbox.clearedItems().find((i) => i.XBLNR === '400300002' && i.SHKZG === 'S')!;
    expect(cm).toMatchObject({ BSCHL: '01', WRBTR: 4_500, SGTXT: 'Cred 60000009 / 400300002' });
    expect(sandbox.clearedItems().find((i) => i.XBLNR === '400300002' && i.SHKZG === 'H')).toMatchObject({ WRBTR: 29_800, WRITEOFF: 200, RSTGR: 'SMALL_BALANCE' });
    const found = await connect().findReceipt('400300002');
    expect(found?.erpDocumentId).toBe(posted.erpDocumentId);
    expect(found?.amountCents).toBe(25_300);
    expect([...found!.allocations].sort((a, b) => a.invoiceNo.localeCompare(b.invoiceNo))).toEqual([
      { invoiceNo: '60000009', amountCents: -4_500 },
      { invoiceNo: '90001002', amountCents: 29_800 },
    ]);
    expect((await caught(connect().postReceipt(r))).kind).toBe('duplicate');
    expect(sandbox.receiptCount('400300002')).toBe(1);
  });

  it('refuses malformed discounts and credits before sending, and SAP refuses what exceeds the open items; nothing is posted', async () => {
    const docs = sandbox.documents().length;
    const one = (over: Partial<ReceiptRequest>): ReceiptRequest => ({ ...base, reference: '400300009', amountCents: cents(100), allocations: [{ invoiceNo: '90001003', amountCents: cents(100) }], ...over });
    const stray = await caught(connect().postReceipt(one({ writeOffs: [{ invoiceNo: '90001002', amountCents: cents(10), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] })));
    expect(stray.kind).toBe('validation');
    expect(stray.message).toMatch(/Receipt 400300009: the write-off on 90001002 needs a positive allocation/);
    // Cash + discount above the open amount: SAP's own message (F5 264).
    const over = await caught(connect().postReceipt(one({ writeOffs: [{ invoiceNo: '90001003', amountCents: cents(11_950), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] })));
    expect(over.kind).toBe('validation');
    expect(over.erpMessage).toMatch(/exceeds the open amount .*\(F5 264\)/);
    // A negative line naming an invoice, not a credit memo (F5 263).
    const notCredit = await caught(connect().postReceipt(one({ allocations: [{ invoiceNo: '90001003', amountCents: cents(200) }, { invoiceNo: '90001001', amountCents: cents(-100) }] })));
    expect(notCredit.erpMessage).toMatch(/No open credit memo found .*\(F5 263\)/);
    // BAPI mode clears nothing, so it refuses discounts and credits before sending.
    const bapi = await caught(connect({ postingMode: 'bapi' }).postReceipt(one({ writeOffs: [{ invoiceNo: '90001003', amountCents: cents(10), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] })));
    expect(bapi.message).toMatch(/postingMode wrapper/);
    expect(sandbox.documents().length).toBe(docs);
    expect(sandbox.openBalance('90001003')).toBe(12_000);
  });
});
