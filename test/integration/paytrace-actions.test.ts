import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PayTraceError } from '../../electron/core/paytrace/errors';
import { startPayTraceSandbox, type RunningPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';
import { caught, clientFor, CREDENTIALS } from './paytrace-helpers';

// Void/refund state rules (reference §4, §8.10) through the real client over HTTP.

let sandbox: RunningPayTraceSandbox;
beforeEach(async () => {
  sandbox = await startPayTraceSandbox({ credentials: CREDENTIALS, zone: 'America/Los_Angeles' });
});
afterEach(() => sandbox.close());

const sale = (amountCents: number, extra: Record<string, unknown> = {}) =>
  sandbox.addTransaction({ amountCents, invoiceId: '1004521', billingName: 'Maria Garcia', ...extra });

async function businessError(p: Promise<unknown>): Promise<PayTraceError> {
  const e = (await caught(p)) as PayTraceError;
  expect(e).toBeInstanceOf(PayTraceError);
  expect(e.kind).toBe('business');
  expect(e.httpStatus).toBe(400);
  expect(e.responseCode).toBe(1);
  return e;
}

describe('void', () => {
  it('voids an unsettled sale, which then exports as VOID', async () => {
    const client = clientFor(sandbox);
    const id = sale(12345);
    const result = await client.voidTransaction(id);
    expect(result).toEqual({ transactionId: id, responseCode: 109, statusMessage: 'Your transaction was successfully voided.' });
    const row = await client.exportById(id);
    expect(row?.type).toBe('VOID');
    expect(row?.settledAt).toBeNull();
    // settle leaves it out of the batch
    expect(sandbox.settle().transactionCount).toBe(0);
  });

  it('refuses to void a settled sale with 818', async () => {
    const client = clientFor(sandbox);
    const id = sale(5000);
    await client.settle();
    const e = await businessError(client.voidTransaction(id));
    expect(e.codes).toEqual([818]);
    expect(e.errors['818']).toEqual(['The Transaction ID that you provided could not be voided. Only transactions that are pending settlement can be voided.']);
  });

  it('reports unknown (811) and blank (58) ids', async () => {
    const client = clientFor(sandbox);
    expect((await businessError(client.voidTransaction(123))).codes).toEqual([811]);
    expect((await businessError(client.post('/v1/transactions/void', { transaction_id: '' }))).codes).toEqual([58]);
  });
});

describe('refund', () => {
  it('refuses to refund an unsettled sale with 817 (exact text, double space)', async () => {
    const client = clientFor(sandbox);
    const id = sale(5000);
    const e = await businessError(client.refundTransaction(id));
    expect(e.codes).toEqual([817]);
    expect(e.errors['817']![0]).toBe(
      'The Transaction ID that you provided could not be refunded. Only settled transactions can be refunded.  Please try to void the transaction instead.',
    );
    expect(e.message).toContain('[817]');
  });

  it('refunds a settled sale in full, creating a new REFUND row', async () => {
    const client = clientFor(sandbox);
    const id = sale(5000);
    const { batchNumber } = await client.settle();
    expect(batchNumber).not.toBeNull();
    const refund = await client.refundTransaction(id);
    expect(refund.responseCode).toBe(106);
    expect(refund.transactionId).not.toBe(id);
    const row = await client.exportById(refund.transactionId);
    expect(row).toMatchObject({ type: 'REFUND', amountCents: 5000, settledAt: null, invoiceId: '1004521' });
    // the refund settles in the next batch
    const next = await client.settle();
    expect(next.batchNumber).toBe(batchNumber! + 1);
    const list = await client.batchTransactions(next.batchNumber!);
    expect(list.transactions.map((t) => t.transactionId)).toEqual([refund.transactionId]);
  });

  it('allows partial refunds up to the original amount, then refuses more', async () => {
    const client = clientFor(sandbox);
    const id = sale(40000);
    await client.settle();
    const first = await client.refundTransaction(id, 30000);
    expect((await client.exportById(first.transactionId))?.amountCents).toBe(30000);
    const over = await businessError(client.refundTransaction(id, 10001));
    expect(over.codes).toEqual([820]);
    const rest = await client.refundTransaction(id, 10000);
    expect(rest.transactionId).not.toBe(first.transactionId);
    expect((await businessError(client.refundTransaction(id, 1))).codes).toEqual([820]);
    expect((await businessError(client.refundTransaction(id))).codes).toEqual([820]);
  });

  it('refuses a refund of a refund, of a declined sale and of a voided sale', async () => {
    const client = clientFor(sandbox);
    const id = sale(5000);
    await client.settle();
    const refund = await client.refundTransaction(id, 100);
    await client.settle();
    expect((await businessError(client.refundTransaction(refund.transactionId))).codes).toEqual([821]);
    const declined = sale(2900, { declined: true });
    expect((await businessError(client.refundTransaction(declined))).codes).toEqual([822]);
    const voided = sale(700);
    await client.voidTransaction(voided);
    expect((await businessError(client.refundTransaction(voided))).codes).toEqual([823]);
  });

  it('rejects a non-positive refund amount before sending', async () => {
    const client = clientFor(sandbox);
    expect(((await caught(client.refundTransaction(1, 0))) as PayTraceError).kind).toBe('config');
    expect(sandbox.requests()).toHaveLength(0);
  });
});

describe('keyed sale (sandbox-only, for tests)', () => {
  it('approves with 101 and declines $0.29 with a typed declined error carrying the id', async () => {
    const client = clientFor(sandbox);
    const card = { number: '4111111111111111', expiration_month: 12, expiration_year: 2030 };
    const approved = await client.post('/v1/transactions/sale/keyed', { amount: '19.99', credit_card: card, invoice_id: 'INV-1', billing_address: { name: 'Kevin' } });
    expect(approved.response_code).toBe(101);
    expect(approved.masked_card_number).toBe('xxxxxxxxxxxx1111');
    const e = (await caught(client.post('/v1/transactions/sale/keyed', { amount: 0.29, credit_card: card }))) as PayTraceError;
    expect(e.kind).toBe('declined');
    expect(e.responseCode).toBe(102);
    expect(e.approvalMessage).toBe('EXPIRED CARD - Expired card');
    expect(typeof e.transactionId).toBe('number');
    const row = await client.exportById(e.transactionId!);
    expect(row?.declined).toBe(true);
    expect(row?.approvalCode).toBe('');
    expect(row?.approvalMessage).toMatch(/DECLINE/);
  });

  it('returns several validation errors at once', async () => {
    const client = clientFor(sandbox);
    const e = await businessError(client.post('/v1/transactions/sale/keyed', { amount: 'ten', credit_card: { number: '12', expiration_month: 13, expiration_year: 2030 } }));
    expect(e.codes.sort()).toEqual([35, 43, 51]);
    expect(e.errors['35']).toEqual(['Please provide a valid Credit Card Number.']);
  });
});
