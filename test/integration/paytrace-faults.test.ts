import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PayTraceClient } from '../../electron/core/paytrace/client';
import { PayTraceError } from '../../electron/core/paytrace/errors';
import { startPayTraceSandbox, type RunningPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';
import { startSandboxServer, type RunningSandbox, type SandboxResponse } from '../../electron/sandboxes/kit/server';
import { caught, clientFor, countPaths, CREDENTIALS } from './paytrace-helpers';

let sandbox: RunningPayTraceSandbox;
let saleId: number;
beforeAll(async () => {
  sandbox = await startPayTraceSandbox({ credentials: CREDENTIALS, faultSeed: 3 });
  saleId = sandbox.addTransaction({ amountCents: 1000 });
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.faults.reset();
  sandbox.clearRequests();
});

async function typed(p: Promise<unknown>): Promise<PayTraceError> {
  const e = await caught(p);
  expect(e).toBeInstanceOf(PayTraceError);
  return e as PayTraceError;
}

describe('transport faults become typed transient errors', () => {
  it('HTTP 500', async () => {
    sandbox.faults.add({ fault: { kind: 'status', status: 500 }, pathPrefix: '/v1/', times: 1 });
    const client = clientFor(sandbox);
    const e = await typed(client.exportById(saleId));
    expect(e.kind).toBe('transient');
    expect(e.retryable).toBe(true);
    expect(e.httpStatus).toBe(500);
    // the next call goes through (the fault was used up), on the same token
    expect((await client.exportById(saleId))?.transactionId).toBe(saleId);
    expect(countPaths(sandbox, '/oauth/token')).toBe(1);
  });

  it('HTTP 429 with Retry-After', async () => {
    sandbox.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 17 }, pathPrefix: '/v1/', times: 1 });
    const e = await typed(clientFor(sandbox).exportById(saleId));
    expect(e.kind).toBe('transient');
    expect(e.httpStatus).toBe(429);
    expect(e.retryAfterSeconds).toBe(17);
    expect(e.message).toMatch(/17 s/);
  });

  it('5xx on the token endpoint', async () => {
    sandbox.faults.add({ fault: { kind: 'status', status: 503 }, pathPrefix: '/oauth/token', times: 1 });
    const e = await typed(clientFor(sandbox).exportById(saleId));
    expect(e.kind).toBe('transient');
    expect(e.path).toBe('/oauth/token');
  });

  it('timeout', async () => {
    sandbox.faults.add({ fault: { kind: 'timeout' }, pathPrefix: '/v1/', times: 1 });
    const started = Date.now();
    const e = await typed(clientFor(sandbox, { timeoutMs: 300 }).exportById(saleId));
    expect(e.kind).toBe('transient');
    expect(e.networkCode).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('connection reset', async () => {
    sandbox.faults.add({ fault: { kind: 'reset' }, pathPrefix: '/v1/', times: 1 });
    const e = await typed(clientFor(sandbox).exportById(saleId));
    expect(e.kind).toBe('transient');
    expect(e.networkCode).toBeTruthy();
    expect(e.message).not.toContain(CREDENTIALS.password);
  });

  it('a refund whose reply is lost is flagged outcome-unknown (and did happen)', async () => {
    const settledSale = sandbox.addTransaction({ amountCents: 4000, settledAt: new Date().toISOString() });
    sandbox.faults.add({ fault: { kind: 'commit-then-drop' }, pathPrefix: '/v1/transactions/refund', times: 1 });
    const client = clientFor(sandbox);
    const e = await typed(client.refundTransaction(settledSale, 1000));
    expect(e.kind).toBe('transient');
    expect(e.outcomeUnknown).toBe(true);
    // The refund exists: a blind retry would have refunded twice.
    const refunds = sandbox.state().transactions.filter((r) => (r as { transaction_type: string }).transaction_type === 'REFUND');
    expect(refunds).toHaveLength(1);
    sandbox.faults.add({ fault: { kind: 'reset' }, pathPrefix: '/v1/transactions/export', times: 1 });
    expect((await typed(client.exportById(saleId))).outcomeUnknown).toBe(false);
  });

  it('nothing listening', async () => {
    const client = new PayTraceClient({ baseUrl: 'http://127.0.0.1:1', integratorId: 'x', username: 'u', password: CREDENTIALS.password, timeoutMs: 1000 });
    const e = await typed(client.exportById(1));
    expect(e.kind).toBe('transient');
    expect(e.message).not.toContain(CREDENTIALS.password);
  });

  it('a truncated body is typed malformed', async () => {
    sandbox.faults.add({ fault: { kind: 'malformed' }, pathPrefix: '/v1/', times: 1 });
    const e = await typed(clientFor(sandbox).exportById(saleId));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/not JSON/);
  });

  it('latency below the timeout is fine', async () => {
    sandbox.faults.add({ fault: { kind: 'latency', ms: 100 }, pathPrefix: '/v1/', times: 1 });
    expect((await clientFor(sandbox, { timeoutMs: 2000 }).exportById(saleId))?.transactionId).toBe(saleId);
  });
});

describe('odd replies from a hand-rolled PayTrace', () => {
  let fake: RunningSandbox;
  let v1Reply: SandboxResponse = { status: 200, body: {} };
  let tokenCalls = 0;
  let v1Calls = 0;
  beforeAll(async () => {
    fake = await startSandboxServer({
      name: 'odd-paytrace',
      handler: (req) => {
        if (req.path === '/oauth/token') {
          tokenCalls += 1;
          return { status: 200, body: { access_token: `t:${tokenCalls}:x`, token_type: 'bearer', expires_in: 7200 } };
        }
        v1Calls += 1;
        return v1Reply;
      },
    });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    tokenCalls = 0;
    v1Calls = 0;
  });
  const client = () => new PayTraceClient({ baseUrl: fake.url, integratorId: 'i', username: 'u', password: 'p', timeoutMs: 2000 });

  it('missing envelope fields → malformed, naming them', async () => {
    v1Reply = { status: 200, body: { transactions: [] } };
    const e = await typed(client().exportById(1));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/success and response_code/);
  });

  it('a JSON array → malformed', async () => {
    v1Reply = { status: 200, body: [1, 2] };
    expect((await typed(client().exportById(1))).kind).toBe('malformed');
  });

  it('"transactions" that is not a list → malformed', async () => {
    v1Reply = { status: 200, body: { success: true, response_code: 1, status_message: 'ok', transactions: 'none' } };
    expect((await typed(client().exportById(1))).kind).toBe('malformed');
  });

  it('keeps unreadable rows aside in exports and returns the good ones', async () => {
    const good = { transaction_id: 5, transaction_type: 'SALE', amount: 10, created: { at: '1/2/2025 3:04:05 PM' }, settled: '' };
    const bad = { ...good, transaction_id: 6, amount: 'ten dollars' };
    v1Reply = { status: 200, body: { success: true, response_code: 1, status_message: 'ok', transactions: [good, bad] } };
    const result = await client().exportByDateRange({ startDate: '2025-01-02', endDate: '2025-01-02' });
    expect(result.transactions.map((t) => t.transactionId)).toEqual([5]);
    expect(result.malformed).toHaveLength(1);
    expect(result.malformed[0]!.raw).toEqual(bad);
    expect(result.malformed[0]!.error).toMatch(/6.*amount/);
  });

  it('a business error with several codes on HTTP 400 keeps all codes', async () => {
    v1Reply = {
      status: 400,
      body: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '35': ['Please provide a valid Credit Card Number.'], '43': ['Please provide a valid Expiration Month.'] } },
    };
    const e = await typed(client().exportById(1));
    expect(e.kind).toBe('business');
    expect(e.codes).toEqual([35, 43]);
    expect(e.message).toContain('[35] Please provide a valid Credit Card Number.');
  });

  it('a failed refund code without an errors map still becomes a business error', async () => {
    v1Reply = { status: 400, body: { success: false, response_code: 107, status_message: 'Your transaction was not successfully refunded.' } };
    const e = await typed(client().refundTransaction(1));
    expect(e.kind).toBe('business');
    expect(e.responseCode).toBe(107);
    expect(e.message).toMatch(/not successfully refunded/);
  });

  it('persistent invalid_token → exactly one re-auth, then a typed invalid_token error', async () => {
    v1Reply = { status: 401, body: { error: 'invalid_token', error_description: 'The access token is invalid' } };
    const e = await typed(client().exportById(1));
    expect(e.kind).toBe('invalid_token');
    expect(tokenCalls).toBe(2);
    expect(v1Calls).toBe(2);
  });

  it('success with response_code 1 (exports) is a success', async () => {
    v1Reply = { status: 200, body: { success: true, response_code: 1, status_message: 'Your request has been successfully completed.', transactions: [] } };
    expect(await client().exportById(1)).toBeNull();
  });
});
