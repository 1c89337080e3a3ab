import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../electron/core/clock';
import { buildDemoWorld, type DemoWorld } from '../../electron/sandboxes/demo/world';
import { isPayTraceError, PayTraceError } from '../../electron/core/paytrace/errors';
import { startPayTraceSandbox, type RunningPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';
import { caught, clientFor, countPaths, CREDENTIALS, INTEGRATOR_ID } from './paytrace-helpers';

const TOKEN = '/oauth/token';
const BY_DATE = '/v1/transactions/export/by_date_range';

let world: DemoWorld;
let sandbox: RunningPayTraceSandbox;
let today: DateTime;

beforeAll(async () => {
  world = buildDemoWorld({ seed: 7, payments: 120 });
  sandbox = await startPayTraceSandbox({ world, credentials: CREDENTIALS });
  today = DateTime.now().setZone(world.zone).startOf('day');
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  sandbox.faults.reset();
});

const isoDaysAgo = (n: number) => today.minus({ days: n }).toISODate()!;

describe('authentication', () => {
  it('signs in once and reuses the token across calls', async () => {
    const client = clientFor(sandbox);
    const id = world.payments[0]!.transactionId;
    await client.exportById(id);
    await client.exportById(id);
    await client.exportBatch();
    expect(countPaths(sandbox, TOKEN)).toBe(1);
    const tokenRequest = sandbox.requests().find((r) => r.path === TOKEN)!;
    expect(tokenRequest.body).toMatchObject({ grant_type: 'password', username: CREDENTIALS.username, password: '***' });
    // integrator_id and a bearer token on every v1 body
    for (const r of sandbox.requests().filter((x) => x.path.startsWith('/v1/'))) {
      expect(r.hadBearer).toBe(true);
      expect(r.body).toMatchObject({ integrator_id: INTEGRATOR_ID });
    }
  });

  it('re-authenticates exactly once when the token expires mid-run and finishes the export', async () => {
    const client = clientFor(sandbox);
    const result = await client.exportByDateRange(
      { startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) },
      { onProgress: (p) => (p.done === 3 ? sandbox.expireTokens() : undefined) },
    );
    expect(result.transactions).toHaveLength(world.payments.length);
    expect(countPaths(sandbox, TOKEN)).toBe(2);
    // 7 days + the one request that met the expired token
    expect(countPaths(sandbox, BY_DATE)).toBe(8);
  });

  it('renews a short-lived token before it expires', async () => {
    const shortLived = await startPayTraceSandbox({ credentials: CREDENTIALS, tokenTtlSeconds: 1 });
    try {
      const clock = manualClock();
      const client = clientFor(shortLived, { clock });
      await client.exportBatches({ startDate: isoDaysAgo(1), endDate: isoDaysAgo(0) });
      clock.advance(600); // past half the ttl: the client renews (the sandbox's token is still valid)
      await client.exportBatches({ startDate: isoDaysAgo(1), endDate: isoDaysAgo(0) });
      expect(countPaths(shortLived, TOKEN)).toBe(2);
      // No request ever met an expired token.
      expect(countPaths(shortLived, '/v1/batches/export')).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it('gives a typed auth error for bad credentials, without the password', async () => {
    const wrong = 'Wrong-Password-123';
    const client = clientFor(sandbox, { password: wrong });
    const e = await caught(client.exportById(world.payments[0]!.transactionId));
    expect(isPayTraceError(e)).toBe(true);
    const err = e as PayTraceError;
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/invalid_grant/);
    const everything = `${err.message} ${err.stack} ${JSON.stringify(err)} ${String(err.cause)}`;
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(CREDENTIALS.password);
    expect(countPaths(sandbox, BY_DATE) + countPaths(sandbox, '/v1/transactions/export/by_id')).toBe(0);
  });

  it('reports a connection test without revealing the password', async () => {
    const good = await clientFor(sandbox).testConnection();
    expect(good.ok).toBe(true);
    expect(good.checks.map((c) => c.name)).toEqual(['Integrator id', 'Sign in', 'Read transactions']);
    const bad = await clientFor(sandbox, { password: 'nope-nope-nope' }).testConnection();
    expect(bad.ok).toBe(false);
    expect(bad.summary).toMatch(/rejected the API credentials/);
    expect(JSON.stringify(bad)).not.toContain('nope-nope-nope');
    const noIntegrator = await clientFor(sandbox, { integratorId: '' }).testConnection();
    expect(noIntegrator.ok).toBe(false);
  });
});

describe('exports', () => {
  it('splits a 7-day range into one request per day and returns every row', async () => {
    const client = clientFor(sandbox);
    const progress: string[] = [];
    const result = await client.exportByDateRange({ startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) }, { onProgress: (p) => progress.push(p.date) });
    const dateRequests = sandbox.requests().filter((r) => r.path === BY_DATE);
    expect(dateRequests).toHaveLength(7);
    const expectedDays = [6, 5, 4, 3, 2, 1, 0].map((n) => today.minus({ days: n }).toFormat('MM/dd/yyyy'));
    expect(dateRequests.map((r) => (r.body as { start_date: string }).start_date)).toEqual(expectedDays);
    expect(dateRequests.map((r) => (r.body as { end_date: string }).end_date)).toEqual(expectedDays);
    expect(progress).toHaveLength(7);
    expect(result.malformed).toEqual([]);
    expect(result.transactions).toHaveLength(world.payments.length);
    expect(new Set(result.transactions.map((t) => t.transactionId))).toEqual(new Set(world.payments.map((p) => p.transactionId)));
  });

  it('honours a larger chunk size', async () => {
    const result = await clientFor(sandbox, { chunkDays: 3 }).exportByDateRange({ startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) });
    expect(countPaths(sandbox, BY_DATE)).toBe(3);
    expect(result.transactions).toHaveLength(world.payments.length);
  });

  it('in exclusive-end mode asks for the next day and keeps rows to the chunk', async () => {
    const result = await clientFor(sandbox, { endDateInclusive: false }).exportByDateRange({ startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) });
    expect(countPaths(sandbox, BY_DATE)).toBe(7);
    expect(result.transactions).toHaveLength(world.payments.length);
  });

  it('maps the demo scenarios onto the export conventions', async () => {
    const { transactions } = await clientFor(sandbox).exportByDateRange({ startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) });
    const byId = new Map(transactions.map((t) => [t.transactionId, t]));
    for (const p of world.payments) {
      const t = byId.get(p.transactionId)!;
      expect(t.amountCents).toBe(p.amountCents);
      expect(t.createdAt).toBe(DateTime.fromISO(p.createdAt).toUTC().set({ millisecond: 0 }).toISO());
      expect(t.declined).toBe(p.declined);
      expect(t.method).toBe(p.method);
      expect(t.invoiceId).toBe(p.invoiceId.trim());
      expect(t.billingName).toBe(p.billingName);
      if (p.declined) expect(t.approvalCode).toBe('');
      if (p.voided) expect(t.type).toBe('VOID');
      if (p.refundOf !== null) expect(t.type).toBe('REFUND');
      if (!p.voided && p.refundOf === null) expect(t.type).toBe('SALE');
      expect(t.settledAt === null).toBe(p.settledAt === null);
      if (p.method === 'card') expect(t.maskedCard).toBe(`************${p.cardLast4}`);
    }
  });

  it('passes filters through', async () => {
    const declined = world.payments.filter((p) => p.declined);
    const result = await clientFor(sandbox).exportByDateRange({ startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) }, { transactionType: 'DECLINED' });
    expect(result.transactions.map((t) => t.transactionId).sort()).toEqual(declined.map((p) => p.transactionId).sort());
    const withCustomer = world.payments.find((p) => p.customerId !== '')!;
    const forCustomer = await clientFor(sandbox).exportByDateRange(
      { startDate: isoDaysAgo(6), endDate: isoDaysAgo(0) },
      { customerId: withCustomer.customerId },
    );
    expect(forCustomer.transactions.length).toBe(world.payments.filter((p) => p.customerId === withCustomer.customerId).length);
  });

  it('rejects bad ranges before any request', async () => {
    const client = clientFor(sandbox);
    expect(((await caught(client.exportByDateRange({ startDate: '2024-13-01', endDate: '2024-12-01' }))) as PayTraceError).kind).toBe('config');
    expect(((await caught(client.exportByDateRange({ startDate: '2024-12-05', endDate: '2024-12-01' }))) as PayTraceError).kind).toBe('config');
    expect(sandbox.requests()).toHaveLength(0);
  });

  it('exports one transaction by id and reports an unknown id as business error 811', async () => {
    const client = clientFor(sandbox);
    const p = world.payments[5]!;
    const t = await client.exportById(p.transactionId);
    expect(t?.transactionId).toBe(p.transactionId);
    const e = (await caught(client.exportById(999999999))) as PayTraceError;
    expect(e.kind).toBe('business');
    expect(e.hasCode(811)).toBe(true);
    expect(e.httpStatus).toBe(400);
    expect(e.message).toContain('The Transaction ID that you provided was not found.');
  });
});

describe('batches', () => {
  it('lists batches by date, reads one, and lists its settled transactions', async () => {
    const client = clientFor(sandbox);
    const batches = await client.exportBatches({ startDate: isoDaysAgo(7), endDate: isoDaysAgo(0) });
    const settledDays = new Set(world.payments.filter((p) => p.settledAt).map((p) => DateTime.fromISO(p.settledAt!).setZone(world.zone).toISODate()));
    expect(batches).toHaveLength(settledDays.size);
    const first = batches[0]!;
    const one = await client.exportBatch(first.batchNumber);
    expect(one.batchNumber).toBe(first.batchNumber);
    expect(one.settledAt).not.toBeNull();
    const list = await client.batchTransactions(first.batchNumber);
    expect(list.transactions.length).toBe(first.transactionCount);
    expect(list.transactions.every((t) => t.settledAt !== null)).toBe(true);
    const total = batches.reduce((s, b) => s + (b.transactionCount ?? 0), 0);
    expect(total).toBe(world.payments.filter((p) => p.settledAt).length);
    const latest = await client.exportBatch();
    expect(latest.batchNumber).toBe(Math.max(...batches.map((b) => b.batchNumber)));
  });
});
