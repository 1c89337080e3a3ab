import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPayTraceSandbox, type RunningPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';
import { CREDENTIALS } from './paytrace-helpers';

// The sandbox's wire behaviour, checked with plain fetch against reference §10.

let sandbox: RunningPayTraceSandbox;
beforeAll(async () => {
  sandbox = await startPayTraceSandbox({ credentials: CREDENTIALS, zone: 'America/Los_Angeles' });
});
afterAll(() => sandbox.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function token(): Promise<string> {
  const res = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', ...CREDENTIALS }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('token endpoint', () => {
  it('issues a Bearer token for a form body', async () => {
    const res = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: new URLSearchParams({ grant_type: 'password', ...CREDENTIALS }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 7200 });
    expect(String(body.access_token).split(':')).toHaveLength(3);
    expect(typeof body.created_at).toBe('number');
  });

  it('accepts a JSON body too', async () => {
    const { status, body } = await post('/oauth/token', { grant_type: 'password', ...CREDENTIALS });
    expect(status).toBe(200);
    expect(body.access_token).toBeTruthy();
  });

  it('answers invalid_grant with 401 for bad credentials', async () => {
    const { status, body } = await post('/oauth/token', { grant_type: 'password', username: CREDENTIALS.username, password: 'x' });
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_grant');
    expect(String(body.error_description)).toMatch(/^The provided authorization grant is invalid/);
  });
});

describe('v1 endpoints', () => {
  it('accepts "bearer" in any case and rejects unknown or expired tokens with invalid_token/401', async () => {
    const t = await token();
    const range = { start_date: '01/01/2020', end_date: '01/01/2020' };
    expect((await post('/v1/transactions/export/by_date_range', range, { authorization: `bearer ${t}` })).status).toBe(200);
    expect((await post('/v1/transactions/export/by_date_range', range, { authorization: `Bearer ${t}` })).status).toBe(200);
    const unknown = await post('/v1/transactions/export/by_date_range', range, { authorization: 'Bearer a:b:c' });
    expect(unknown).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    const missing = await post('/v1/transactions/export/by_date_range', range);
    expect(missing.status).toBe(401);
    sandbox.expireTokens();
    const expired = await post('/v1/transactions/export/by_date_range', range, { authorization: `Bearer ${t}` });
    expect(expired).toMatchObject({ status: 401, body: { error: 'invalid_token', error_description: 'The access token expired' } });
  });

  it('exports rows shaped like §5.2, filtering whole days with M/D/YYYY dates', async () => {
    const id = sandbox.addTransaction({
      amountCents: 11000,
      taxCents: 810,
      createdAt: '2015-04-10T23:06:30.000Z',
      settledAt: '2015-04-11T03:13:45.000Z',
      invoiceId: 'inv1234',
      billingName: 'Kevin',
      customerReferenceId: 'PO123456',
      cardLast4: '5454',
    });
    sandbox.addTransaction({ amountCents: 100, createdAt: '2015-04-11T08:00:00.000Z' }); // 4/11 local
    const t = await token();
    const { status, body } = await post('/v1/transactions/export/by_date_range', { start_date: '4/10/2015', end_date: '4/10/2015' }, { authorization: `Bearer ${t}` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, response_code: 1, status_message: 'Your request has been successfully completed.' });
    const rows = body.transactions as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      transaction_id: id,
      credit_card: { masked_number: '************5454' },
      transaction_type: 'SALE',
      amount: 110,
      tax_amount: '8.10',
      invoice_id: 'inv1234',
      customer_reference_id: 'PO123456',
      billing_address: { name: 'Kevin' },
      shipping_address: { country: 'US' },
      created: { through: 'API', at: '4/10/2015 4:06:30 PM', by: 'sandbox123' },
      settled: '4/10/2015 8:13:45 PM',
      customer_id: '',
    });
    const two = await post('/v1/transactions/export/by_date_range', { start_date: '04/10/2015', end_date: '04/11/2015' }, { authorization: `Bearer ${t}` });
    expect((two.body.transactions as unknown[]).length).toBe(2);
    const byId = await post('/v1/transactions/export/by_id', { transaction_id: id }, { authorization: `Bearer ${t}` });
    expect(byId.body.transactions).toEqual(rows);
  });

  it('answers a bad date range with an error envelope on HTTP 400', async () => {
    const t = await token();
    const { status, body } = await post('/v1/transactions/export/by_date_range', { start_date: '2015-04-10', end_date: '4/10/2015' }, { authorization: `Bearer ${t}` });
    expect(status).toBe(400);
    expect(body).toMatchObject({ success: false, response_code: 1, status_message: 'One or more errors has occurred.' });
    expect(Object.keys(body.errors as object)).toEqual(['832']);
  });

  it('rejects a body that is not JSON with an envelope', async () => {
    const t = await token();
    const { status, body } = await post('/v1/transactions/void', 'not json', { authorization: `Bearer ${t}` });
    expect(status).toBe(400);
    expect(body.success).toBe(false);
  });
});

describe('control API over HTTP', () => {
  it('adds transactions, settles, expires tokens and dumps state', async () => {
    const before = sandbox.state().openBatchNumber;
    const added = await post('/__control/transactions', { transactions: [{ amountCents: 2500, createdAt: DateTime.now().toISO() }] });
    const [id] = added.body.transactionIds as number[];
    expect(typeof id).toBe('number');
    const settled = await post('/__control/settle', {});
    expect(settled.body).toMatchObject({ ok: true, batchNumber: before });
    const state = (await (await fetch(`${sandbox.url}/__control/state`)).json()) as { openBatchNumber: number; transactions: Array<{ transaction_id: number; settled: string }> };
    expect(state.openBatchNumber).toBe(before + 1);
    expect(state.transactions.find((r) => r.transaction_id === id)?.settled).not.toBe('');
    const expired = await post('/__control/expire-tokens', {});
    expect(expired.body.ok).toBe(true);
    expect(sandbox.state().activeTokens).toBe(0);
    const log = (await (await fetch(`${sandbox.url}/__control/requests`)).json()) as { requests: Array<{ body: unknown }> };
    expect(JSON.stringify(log)).not.toContain(CREDENTIALS.password);
  });
});
