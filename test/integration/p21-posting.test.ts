import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { collectPages } from '../../electron/core/erp/connector';
import type { ErpOptionValue } from '../../electron/core/erp/kind-module';
import { createP21Connector } from '../../electron/core/erp/p21/connector';
import { erpErrorOf } from '../support/erp-fixtures';
import { p21Receipt, p21TestWorld } from '../support/p21-fixtures';

// Posting through Transaction API v2 against the sandbox: Summary checks,
// pooled-session contamination retries (each after a look-up), async mode,
// validation messages and credit memos.

const world = p21TestWorld();
const connector = (options?: Record<string, ErpOptionValue>) => world.connector(options);
const receipt = p21Receipt;
const kindOf = erpErrorOf;

beforeEach(() => world.start());
afterEach(() => world.stop());

describe('P21 receipts', () => {
  it('writes ar_receipts, ar_receipts_detail and ar_payment_details with check_number = reference', async () => {
    const rec = await connector().postReceipt(receipt('400000123', { paymentMethod: 'ach' }));
    const [stored] = world.sandbox.receipts();
    expect(stored).toMatchObject({ checkNumber: '400000123', customerId: '10001', amountCents: 12500 });
    expect(stored?.lines).toEqual([
      { invoiceNo: '1000001', amountCents: 10000 },
      { invoiceNo: '1000002', amountCents: 2500 },
    ]);
    expect(rec.erpDocumentId).toBe(String(stored?.receiptNumber));
    expect(world.sandbox.openBalance('1000001')).toBeNull();
    expect(world.sandbox.openBalance('1000002')).toBe(2500);
    const stillOpen = await collectPages(connector().listOpenInvoices());
    expect(stillOpen.map((i) => [i.invoiceNo, i.openBalanceCents])).toEqual([
      ['1000002', 2500],
      ['1000003', 7000],
    ]);
  });

  it('retries pooled-session contamination and succeeds once the session is clean', async () => {
    world.sandbox.contaminate(2);
    const rec = await connector().postReceipt(receipt('400000124'));
    expect(rec.reference).toBe('400000124');
    expect(world.sandbox.countReceipts('400000124')).toBe(1);
    expect(world.sandbox.stats().transactionPosts).toBe(3);
  });

  it('contamination answered with HTTP 500 and a Summary is still recognised', async () => {
    world.sandbox.contaminate(1, { message: 'Object reference not set to an instance of an object.', status: 500 });
    await connector().postReceipt(receipt('400000125'));
    expect(world.sandbox.countReceipts('400000125')).toBe(1);
  });

  it('looks up before each retry: a dirty session that committed is not posted twice', async () => {
    world.sandbox.contaminate(1, { afterCommit: true });
    const rec = await connector().postReceipt(receipt('400000126'));
    expect(rec.allocations).toHaveLength(2);
    expect(world.sandbox.countReceipts('400000126')).toBe(1);
    expect(world.sandbox.stats().transactionPosts).toBe(1);
  });

  it('gives up after sessionRetryCount with a transient error and nothing written', async () => {
    world.sandbox.contaminate(10);
    const e = await kindOf(connector({ sessionRetryCount: 1 }).postReceipt(receipt('400000127')));
    expect(e.kind).toBe('transient');
    expect(e.message).toMatch(/Unexpected response window|Object reference/);
    expect(world.sandbox.stats().transactionPosts).toBe(2);
    expect(world.sandbox.countReceipts('400000127')).toBe(0);
  });

  it("business failures come back as 'validation' with the ERP's own message", async () => {
    const other = await kindOf(connector().postReceipt(receipt('400000128', { allocations: [{ invoiceNo: '1000003', amountCents: cents(100) }] })));
    expect(other.kind).toBe('validation');
    expect(other.message).toContain('Invoice 1000003 does not belong to customer 10001');
    expect(other.erpMessage).toContain('Transaction 1::');
    const unknown = await kindOf(connector().postReceipt(receipt('400000129', { customerId: '55555', allocations: [] })));
    expect(unknown.message).toContain('Customer ID 55555 does not exist');
    const tooMuch = await kindOf(connector().postReceipt(receipt('400000130', { amountCents: cents(20000), allocations: [{ invoiceNo: '1000002', amountCents: cents(6000) }] })));
    expect(tooMuch.message).toMatch(/exceeds its open balance/);
    expect(world.sandbox.receipts()).toHaveLength(0);
  });

  it('refuses bad requests before sending anything', async () => {
    const c = connector();
    expect((await kindOf(c.postReceipt(receipt('400000131', { amountCents: cents(100) })))).message).toMatch(/applies 125.00 but the payment is 1.00/);
    expect((await kindOf(c.postReceipt(receipt('400000132', { currency: 'CAD' })))).kind).toBe('validation');
    expect((await kindOf(c.postReceipt(receipt('  ')))).kind).toBe('validation');
    expect(world.sandbox.stats().transactionPosts).toBe(0);
  });

  // Real P21 answers the definition of a service it does not know with an empty HTTP 500 [P3 latest];
  // the definition is read before the first write, so a wrong name is a setting to fix, nothing sent.
  it('a wrong service name is a config error before anything is sent, never a silent success', async () => {
    const before = world.sandbox.stats().transactionPosts;
    const e = await kindOf(connector({ receiptServiceName: 'NoSuchService' }).postReceipt(receipt('400000133')));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/empty HTTP 500 for the NoSuchService service definition/);
    expect(world.sandbox.stats().transactionPosts).toBe(before);
  });

  it('async mode posts and polls until Complete; contamination there is retried too', async () => {
    const c = connector({ transactionMode: 'async', asyncPollMs: 10 });
    await c.postReceipt(receipt('400000134'));
    world.sandbox.contaminate(1);
    await c.postReceipt(receipt('400000135', { amountCents: cents(7000), customerId: '10002', allocations: [{ invoiceNo: '1000003', amountCents: cents(7000) }] }));
    expect(world.sandbox.countReceipts('400000134')).toBe(1);
    expect(world.sandbox.countReceipts('400000135')).toBe(1);
    const failed = await kindOf(c.postReceipt(receipt('400000136', { customerId: '' })));
    expect(failed.kind).toBe('validation');
  });

  it('posts to the base URL directly when router discovery is off', async () => {
    await connector({ uiServerDiscovery: 'baseUrl' }).postReceipt(receipt('400000137'));
    expect(world.sandbox.countReceipts('400000137')).toBe(1);
  });

  it('a timeout after the POST was sent is unknown_outcome, and the look-up settles it', async () => {
    const c = createP21Connector({ baseUrl: world.sandbox.baseUrl, options: world.sandbox.options, credentials: world.sandbox.credentials, timeoutMs: 300 });
    world.track(c);
    await c.findReceipt('warm');
    world.sandbox.faults.add({ fault: { kind: 'timeout' }, method: 'POST', pathPrefix: '/uiserver0/api/v2/transaction', times: 1 });
    expect((await kindOf(c.postReceipt(receipt('400000138')))).kind).toBe('unknown_outcome');
    expect(await c.findReceipt('400000138')).toBeNull();
  });
});

describe('P21 credit memos', () => {
  it('posts once per reference and reads back by reference', async () => {
    const c = connector();
    const memo = { reference: '500000001', originalReference: '400000001', customerId: '10002', date: '2026-03-03', amountCents: cents(1500), currency: 'USD', invoiceNo: '1000003', reason: 'PayTrace refund' };
    const rec = await c.postCreditMemo(memo);
    expect(rec).toMatchObject({ reference: '500000001', customerId: '10002', amountCents: 1500, date: '2026-03-03' });
    expect(await c.findCreditMemo('500000001')).toEqual(rec);
    const dup = await kindOf(c.postCreditMemo(memo));
    expect(dup.kind).toBe('duplicate');
    expect(dup.existingDocumentId).toBe(rec.erpDocumentId);
    const openItems = await collectPages(c.listOpenInvoices());
    expect(openItems.find((i) => i.invoiceNo === rec.erpDocumentId)?.openBalanceCents).toBe(-1500);
  });
});
