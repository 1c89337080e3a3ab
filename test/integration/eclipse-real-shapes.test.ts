import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { OpenInvoice } from '@shared/domain';
import { collectPages, type ReceiptRequest } from '../../electron/core/erp/connector';
import { optionDefaults } from '../../electron/core/erp/kind-module';
import { EclipseConnector, eclipseModule } from '../../electron/core/erp/eclipse';
import { amountOf, toOpenInvoices } from '../../electron/core/erp/eclipse/records';
import { erpMessageOf } from '../../electron/core/erp/eclipse/connector';
import { startEclipseSandbox, type EclipseSandbox } from '../../electron/sandboxes/erp/eclipse/sandbox';
import { expectErp } from '../support/erp-fixtures';
import { ErpError } from '../../electron/core/erp/errors';

// Eclipse as public clients see it (docs/erp/eclipse.md cites each fact):
// 419 is a session timeout answered by POST /Sessions/refresh; amounts are
// {value} objects; invoices are sales-order generations under /SalesOrders;
// a refusal is an ASP.NET problem body; `tieout erp check` discovers the rest.

const customers = [
  { customerId: 'C100', name: 'Granite Supply' },
  { customerId: 'C200', name: 'Harbor Tools' },
];
const item = (invoiceNo: string, customerId: string, amount: number, extra: Partial<OpenInvoice> = {}): OpenInvoice => ({
  invoiceNo,
  customerId,
  invoiceDate: '2026-02-25',
  dueDate: '2026-03-27',
  amountCents: cents(amount),
  openBalanceCents: cents(amount),
  currency: 'USD',
  poNo: 'PO-7',
  ...extra,
});
const seed = [item('70001', 'C100', 50000), item('70002', 'C100', 30000), item('70003', 'C200', 12345)];

const receipt = (reference: string, invoiceNo = '70003', amount = 12345): ReceiptRequest => ({
  reference,
  customerId: invoiceNo === '70003' ? 'C200' : 'C100',
  date: '2026-03-02',
  amountCents: cents(amount),
  currency: 'USD',
  paymentMethod: 'card',
  allocations: [{ invoiceNo, amountCents: cents(amount) }],
});

describe('Eclipse amounts', () => {
  it('reads the {value} object form and the plain forms; refuses anything else with the reason', () => {
    expect(amountOf({ value: 12.5 }, 'balanceDue', 'x')).toBe(1250);
    expect(amountOf({ value: '1234.56' }, 'balanceDue', 'x')).toBe(123456);
    expect(amountOf({ value: -40 }, 'balanceDue', 'x')).toBe(-4000);
    expect(amountOf('99.10', 'amount', 'x')).toBe(9910);
    expect(amountOf(7, 'amount', 'x')).toBe(700);
    expect(() => amountOf({ amount: 5 }, 'balanceDue', 'Eclipse invoice 1')).toThrow(/"balanceDue" is an object without a value/);
    expect(() => amountOf({ value: { value: 5 } }, 'balanceDue', 'x')).toThrow(/"balanceDue.value" is not an amount/);
    expect(() => amountOf([5], 'balanceDue', 'x')).toThrow(ErpError);
    expect(() => amountOf({ value: 'ten' }, 'balanceDue', 'x')).toThrow(/not an amount/);
    expect(() => amountOf(null, 'balanceDue', 'x')).toThrow(ErpError);
  });
});

describe('Eclipse invoices are sales-order generations', () => {
  it('one open item per generation; the invoice number is invoiceId, else order + zero-padded generation', () => {
    const order = {
      id: 'S1000123',
      billTo: { id: 'C100', name: 'Granite Supply' },
      generations: [
        { generationId: 1, invoiceDate: '2026-01-05', salesTotal: { value: 100 }, balanceDue: { value: 0 } },
        { generationId: 2, invoiceDate: '2026-01-20', dueDate: '2026-02-19', salesTotal: { value: 250.5 }, balanceDue: { value: 200.25 } },
        { generationId: 3, invoiceId: 'S1000123.003', invoiceDate: '2026-01-25', salesTotal: { value: -40 }, balanceDue: { value: -40 } },
      ],
    };
    const items = toOpenInvoices(order);
    expect(items.map((i) => [i.invoiceNo, i.customerId, i.amountCents, i.openBalanceCents])).toEqual([
      ['S1000123.001', 'C100', 10000, 0],
      ['S1000123.002', 'C100', 25050, 20025],
      ['S1000123.003', 'C100', -4000, -4000],
    ]);
    // The flat form: one row per generation carrying orderId/generationId/invoiceId.
    expect(toOpenInvoices({ orderId: 'S77', generationId: 4, customerId: 'C9', invoiceDate: '2026-01-01', salesTotal: { value: 1 }, balanceDue: { value: 1 } })[0]!.invoiceNo).toBe('S77.004');
  });

  it('the public client shape: fullInvoiceID, shipDate, poNumber; a bare invoiceNumber "001" is not an invoice number', () => {
    const gen = { generationId: 1, shipDate: '2025-11-03', poNumber: 'PO 55', billToId: 'C7', shipToId: 'C7-2', salesTotal: { value: 10 }, balanceDue: { value: 10 } };
    expect(toOpenInvoices({ id: 'S105418530', generations: [{ ...gen, fullInvoiceID: 'S105418530.001' }] })[0]).toMatchObject({ invoiceNo: 'S105418530.001', invoiceDate: '2025-11-03', poNo: 'PO 55', customerId: 'C7' });
    expect(toOpenInvoices({ id: 'S105418530', generations: [{ ...gen, invoiceNumber: '001' }] })[0]!.invoiceNo).toBe('S105418530.001');
    // The bill-to is the A/R customer; with none, a configuration error names the setting (never the ship-to).
    const noBillTo = { id: 'S1', generations: [{ ...gen, billToId: undefined }] };
    expect(() => toOpenInvoices(noBillTo)).toThrow(/invoiceCustomerField/);
    expect(toOpenInvoices(noBillTo, '', 'shipToId')[0]!.customerId).toBe('C7-2');
  });

  it('a generation without balanceDue is a configuration error naming the field, never a guessed balance', () => {
    const e = (() => {
      try {
        toOpenInvoices({ id: 'S1', billTo: { id: 'C' }, generations: [{ generationId: 1, invoiceDate: '2026-01-01', salesTotal: { value: 1 }, openBalance: { value: 1 } }] });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(ErpError);
    expect((e as ErpError).kind).toBe('config');
    expect((e as ErpError).message).toContain('"balanceDue"');
  });
});

describe('Eclipse customers', () => {
  it('reads the e-mail from emails[0].address, as a public client does, or a plain email', async () => {
    const { toCustomer } = await import('../../electron/core/erp/eclipse/records');
    expect(toCustomer({ id: '20001', name: 'Granite Supply', emails: [{ address: 'ap@granite.example' }], phones: [] })).toEqual({ customerId: '20001', name: 'Granite Supply', email: 'ap@granite.example' });
    expect(toCustomer({ id: '20002', name: 'Harbor', emails: [] })).toEqual({ customerId: '20002', name: 'Harbor' });
    expect(toCustomer({ id: '20003', name: 'Old', email: 'x@y.example' }).email).toBe('x@y.example');
  });
});

describe('Eclipse error bodies', () => {
  it("reads {message} and an ASP.NET problem body's title and field errors", () => {
    expect(erpMessageOf({ message: 'Customer is on credit hold' })).toBe('Customer is on credit hold');
    expect(erpMessageOf({ title: 'One or more validation errors occurred.', status: 400, errors: { receiptDate: ['The A/R period is closed'] } })).toBe(
      'One or more validation errors occurred. — receiptDate: The A/R period is closed',
    );
  });
});

describe('Eclipse connector against the sandbox in the real shapes', () => {
  let sandbox: EclipseSandbox;
  const make = (extra: Record<string, string | number> = {}) =>
    new EclipseConnector({ baseUrl: sandbox.baseUrl, options: { ...optionDefaults(eclipseModule.optionFields), ...sandbox.options, ...extra }, credentials: sandbox.credentials, timeoutMs: 2_000 });

  beforeAll(async () => {
    sandbox = await startEclipseSandbox({ customers, invoices: seed }, { importIntervalMs: 0 });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.faults.reset();
    sandbox.clearRealFailures();
  });

  it('reads open invoices from GET /SalesOrders generations with amounts as {value}', async () => {
    const login = await fetch(`${sandbox.url}/Sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sandbox.credentials) });
    const { sessionToken } = (await login.json()) as { sessionToken: string };
    // The header form public clients send: Authorization: SessionToken <token>.
    const raw = (await (await fetch(`${sandbox.url}/SalesOrders?pageSize=1`, { headers: { authorization: `SessionToken ${sessionToken}` } })).json()) as { results: Array<{ generations: Array<Record<string, unknown>> }> };
    expect(raw.results[0]!.generations[0]).toMatchObject({ generationId: 1, fullInvoiceID: '70001', shipDate: '2026-02-25', shipToId: 'C100', poNumber: 'PO-7', balanceDue: { value: 500 }, salesTotal: { value: 500 } });
    // Counted only when asked, as public clients always ask.
    expect((raw as unknown as { metadata: Record<string, unknown> }).metadata.totalItems).toBeUndefined();
    const read = await collectPages(make().listOpenInvoices());
    expect(read.map((i) => [i.invoiceNo, i.customerId, i.openBalanceCents, i.poNo])).toEqual([
      ['70001', 'C100', 50000, 'PO-7'],
      ['70002', 'C100', 30000, 'PO-7'],
      ['70003', 'C200', 12345, 'PO-7'],
    ]);
  });

  it('a 419 (session timeout) refreshes the session and retries the call, without signing in again', async () => {
    const c = make();
    expect(await collectPages(c.listCustomers())).toHaveLength(2);
    const signIns = sandbox.signInCount();
    sandbox.realFailure('session-timeout');
    expect(await collectPages(c.listCustomers())).toHaveLength(2);
    expect(sandbox.signInCount()).toBe(signIns);
    expect(sandbox.refreshCount()).toBeGreaterThan(0);
  });

  it('a receipt POST answered 419 is looked up before it is sent again, and posts once', async () => {
    const c = make();
    expect(await c.findReceipt('WARM')).toBeNull();
    sandbox.faults.add({ fault: { kind: 'status', status: 419 }, method: 'POST', pathPrefix: '/CashReceipts', times: 1 });
    const rec = await c.postReceipt(receipt('419-1', '70001', 50000));
    expect(rec.allocations).toEqual([{ invoiceNo: '70001', amountCents: 50000 }]);
    expect(sandbox.receiptCount('419-1')).toBe(1);
    // 419 twice on the write: never a third send, the outcome stays unknown for the look-up.
    sandbox.faults.add({ fault: { kind: 'status', status: 419 }, method: 'POST', pathPrefix: '/CashReceipts', times: 2 });
    await expectErp(c.postReceipt(receipt('419-2', '70002', 100)), 'unknown_outcome');
    expect(sandbox.receiptCount('419-2')).toBe(0);
  });

  it('a credit memo POST answered 419 is looked up, then sent once; answered 419 twice it is unknown_outcome, never sent a third time', async () => {
    const c = make();
    const memo = { reference: 'CM419-1', originalReference: '419-1', customerId: 'C100', date: '2026-03-02', amountCents: cents(1500), currency: 'USD', reason: 'refund' };
    expect(await c.findCreditMemo('WARM')).toBeNull();
    sandbox.faults.add({ fault: { kind: 'status', status: 419 }, method: 'POST', pathPrefix: '/CreditMemos', times: 1 });
    expect((await c.postCreditMemo(memo)).reference).toBe('CM419-1');
    expect(await c.findCreditMemo('CM419-1')).not.toBeNull();
    await expectErp(c.postCreditMemo(memo), 'duplicate');
    // 419 twice on the write: never a third send.
    sandbox.faults.add({ fault: { kind: 'status', status: 419 }, method: 'POST', pathPrefix: '/CreditMemos', times: 2 });
    await expectErp(c.postCreditMemo({ ...memo, reference: 'CM419-2' }), 'unknown_outcome');
    expect(await c.findCreditMemo('CM419-2')).toBeNull();
  });

  it('a receipt acknowledged by the POST but absent from the read-back is unknown_outcome, never posted', async () => {
    const c = make();
    sandbox.realFailure('accepted-not-booked');
    const e = await expectErp(c.postReceipt(receipt('ANB-1', '70003', 100)), 'unknown_outcome');
    expect(e.message).toContain('read-back does not show it');
    expect(sandbox.receiptCount('ANB-1')).toBe(0);
  });

  it("Eclipse's refusal body reaches the clerk as a validation error", async () => {
    const { erpText } = sandbox.realFailure('business-refusal');
    const e = await expectErp(make().postReceipt(receipt('BR-1', '70003', 100)), 'validation');
    expect(e.message).toContain(erpText!);
  });

  it('a missing cash-receipt resource (404) is a configuration error naming the setting', async () => {
    sandbox.realFailure('receipt-service-unavailable');
    const e = await expectErp(make().postReceipt(receipt('RSU-1', '70003', 100)), 'config');
    expect(e.message).toContain('cashReceiptsPath');
  });

  it('discover() reports the session behaviour, the API version and paths, and the invoice shape (names only)', async () => {
    const facts = await make().discover();
    const by = new Map(facts.map((f) => [f.name, f]));
    expect(by.get('sign-in')?.value).toContain('with a refreshToken');
    expect(by.get('session lifetime')?.value).toContain('not advertised');
    expect(by.get('session refresh')).toMatchObject({ ok: true, setting: 'sessionRefreshPath' });
    expect(by.get('session refresh')?.value).toContain('POST /Sessions/refresh');
    expect(by.get('API version')?.value).toContain('sandbox');
    expect(by.get('path customers')).toMatchObject({ ok: true });
    expect(by.get('path customers')?.value).toContain('listed in Swagger');
    expect(by.get('path cash receipts')?.value).toContain('not listed in Swagger');
    const shape = by.get('invoice shape')!.value;
    expect(shape).toContain('generations[]{generationId,fullInvoiceID,shipDate');
    expect(shape).toContain('balanceDue{value}');
    expect(shape).not.toMatch(/Granite|70001|500/);
    // A refresh setting that does not answer is a CHECK naming the public spelling that does.
    const other = new Map((await make({ sessionRefreshPath: '/Nope/refresh' }).discover()).map((f) => [f.name, f]));
    expect(other.get('session refresh')).toMatchObject({ ok: false });
    expect(other.get('session refresh')?.value).toContain('POST /Sessions/refresh');
  });
});

describe('Eclipse refresh reply forms', () => {
  it('refreshes with {sessionId, refreshToken} and reads a reply spelled SessionToken', async () => {
    const { startSandboxServer } = await import('../../electron/sandboxes/kit/server');
    const seen: Array<Record<string, unknown>> = [];
    let timedOut = true;
    const server = await startSandboxServer({
      name: 'eclipse-refresh-form',
      port: 0,
      handler: (req) => {
        if (req.method === 'POST' && req.path === '/Sessions') return { status: 200, body: { id: '42', sessionToken: 'old', sessionUser: { userName: 'u' } } };
        if (req.method === 'POST' && req.path === '/Sessions/refresh') {
          seen.push(JSON.parse(req.bodyText) as Record<string, unknown>);
          timedOut = false;
          return { status: 200, body: { SessionToken: 'new' } };
        }
        if (timedOut || req.headers['sessiontoken'] !== 'new') return { status: 419, body: { message: 'Session timed out' } };
        return { status: 200, body: { metadata: { startIndex: 0, pageSize: 10 }, results: [{ id: 'C1', name: 'One' }] } };
      },
    });
    try {
      const c = new EclipseConnector({ baseUrl: server.url, options: {}, credentials: { username: 'u', password: 'p' }, timeoutMs: 2_000 });
      // No refreshToken in the sign-in reply, no totalItems in the page: the session id refreshes it, a short page ends the list.
      expect(await collectPages(c.listCustomers())).toEqual([{ customerId: 'C1', name: 'One' }]);
      expect(seen).toEqual([{ sessionId: '42', refreshToken: '' }]);
    } finally {
      await server.close();
    }
  });
});
