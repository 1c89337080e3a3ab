import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '@shared/settings';
import { containsCardNumber } from '@shared/card-numbers';
import type { ErpConnector } from '../../electron/core/erp/connector';
import { createMatcher } from '../../electron/core/matching/engine';
import { PayTraceClient } from '../../electron/core/paytrace/client';
import { PayTraceError } from '../../electron/core/paytrace/errors';
import { openStore, type Db } from '../../electron/core/store/db';
import { SyncService } from '../../electron/core/sync/sync-service';
import { startPayTraceSandbox, type RunningPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';
import { assertTyped, asyncOutcomeOf, fuzzParams, isCents, replySpoiler, RUNS, spoil, type ReplySpoiler } from '../support/fuzz-arbitraries';
import { fuzzProxy, type FuzzProxy } from '../support/fuzz-proxy';
import { CREDENTIALS, INTEGRATOR_ID } from './paytrace-helpers';

// The real PayTrace client over real HTTP, its replies spoiled in flight by a
// loopback proxy in front of the PayTrace sandbox: structural mutations of the
// genuine JSON, byte mutations (truncation, bit flips), other statuses with
// junk bodies, on the token call or the v1 call. Invariant: a sound result or
// a PayTraceError with a message that carries no secret; driven through the
// engine's sync, a failed PayTrace phase changes nothing in the SQLite store.

const SEED = 120_501;

let sandbox: RunningPayTraceSandbox;
let proxy: FuzzProxy;
let saleId: number;
let today: string;
const dirs: string[] = [];

beforeAll(async () => {
  sandbox = await startPayTraceSandbox({ credentials: CREDENTIALS, faultSeed: 5 });
  saleId = sandbox.addTransaction({ amountCents: 12_345 });
  sandbox.addTransaction({ amountCents: 500 });
  today = DateTime.now().setZone(sandbox.zone).toISODate()!;
  proxy = await fuzzProxy(sandbox.url);
});
afterAll(async () => {
  await proxy.close();
  await sandbox.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function client(): PayTraceClient {
  return new PayTraceClient({ baseUrl: proxy.url, integratorId: INTEGRATOR_ID, username: CREDENTIALS.username, password: CREDENTIALS.password, zone: sandbox.zone, timeoutMs: 5_000 });
}

type Target = 'token' | 'v1';

function aim(target: Target, spoiler: ReplySpoiler): void {
  proxy.setRewrite((req, up) => {
    const hit = target === 'token' ? req.path === '/oauth/token' : req.path.startsWith('/v1/');
    if (!hit) return null;
    const s = spoil(up.text, up.status, spoiler);
    return { status: s.status, contentType: up.contentType, text: s.text };
  });
}

function checkError(e: unknown): void {
  const err = e as PayTraceError;
  expect(err.message.length).toBeGreaterThan(0);
  expect(err.message).not.toContain(CREDENTIALS.password);
  expect(containsCardNumber(err.message)).toBe(false);
}

const calls = {
  exportByDateRange: async (c: PayTraceClient) => {
    const r = await c.exportByDateRange({ startDate: today, endDate: today });
    for (const t of r.transactions) {
      expect(isCents(t.amountCents)).toBe(true);
      expect(Number.isSafeInteger(t.transactionId) && t.transactionId > 0).toBe(true);
      expect(containsCardNumber(t.maskedCard)).toBe(false);
    }
  },
  exportById: async (c: PayTraceClient) => {
    const t = await c.exportById(saleId);
    if (t) expect(isCents(t.amountCents) && t.transactionId > 0).toBe(true);
  },
  exportBatches: async (c: PayTraceClient) => {
    for (const b of await c.exportBatches({ startDate: today, endDate: today })) expect(Number.isSafeInteger(b.batchNumber) && b.batchNumber > 0).toBe(true);
  },
  exportBatch: async (c: PayTraceClient) => {
    const b = await c.exportBatch();
    expect(Number.isSafeInteger(b.batchNumber) && b.batchNumber > 0).toBe(true);
    for (const v of [b.netCents, b.salesCents, b.refundCents]) expect(v === null || isCents(v)).toBe(true);
  },
  voidTransaction: async (c: PayTraceClient) => {
    const r = await c.voidTransaction(saleId);
    // The id of what PayTrace did is what a later look-up relies on: never a guess.
    expect(Number.isSafeInteger(r.transactionId) && r.transactionId > 0).toBe(true);
  },
};

describe(`PayTrace client over HTTP with spoiled replies (fuzz seed ${SEED})`, () => {
  it('every call gives a sound result or a PayTraceError without secrets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(calls) as (keyof typeof calls)[])), fc.constantFrom<Target>('token', 'v1', 'v1'), replySpoiler, async (call, target, spoiler) => {
        aim(target, spoiler);
        const o = await asyncOutcomeOf(() => calls[call](client()));
        assertTyped(o, [PayTraceError]);
        if (!o.ok) checkError(o.error);
      }),
      fuzzParams(SEED, RUNS.http),
    );
    proxy.setRewrite(null);
  });

  it('regression: a refund or void reply whose transaction_id is 0, negative, fractional or huge is malformed, not an id', async () => {
    for (const bad of [0, -5, 1.5, '12abc', 1e300, '0x10']) {
      proxy.setRewrite((req, up) => {
        if (req.path !== '/v1/transactions/void') return null;
        return { ...up, status: 200, text: JSON.stringify({ success: true, response_code: 109, status_message: 'ok', transaction_id: bad }) };
      });
      const o = await asyncOutcomeOf(() => client().voidTransaction(saleId));
      expect(o.ok, `transaction_id ${JSON.stringify(bad)}`).toBe(false);
      expect((o as { error: PayTraceError }).error.kind).toBe('malformed');
    }
    proxy.setRewrite(null);
  });
});

describe('PayTrace reply size', () => {
  it('regression: a reply larger than maxReplyBytes is a malformed PayTraceError, not buffered whole', async () => {
    proxy.setRewrite((req, up) => (req.path.startsWith('/v1/') ? { ...up, text: JSON.stringify({ success: true, response_code: 1, pad: 'x'.repeat(200_000) }) } : null));
    try {
      const c = new PayTraceClient({ baseUrl: proxy.url, integratorId: INTEGRATOR_ID, username: CREDENTIALS.username, password: CREDENTIALS.password, zone: sandbox.zone, timeoutMs: 5_000, maxReplyBytes: 100_000 });
      const o = await asyncOutcomeOf(() => c.exportById(saleId));
      expect(o.ok).toBe(false);
      const e = (o as { error: PayTraceError }).error;
      expect(e).toBeInstanceOf(PayTraceError);
      expect(e.kind).toBe('malformed');
      expect(e.networkCode).toBe('REPLY_TOO_LARGE');
    } finally {
      proxy.setRewrite(null);
    }
  });
});

/** Everything the PayTrace phase of a sync writes, as one digest. */
function storeDigest(db: Db): string {
  // erp.as_of: the (empty, healthy) ERP phase stamps when it was last reached, on every run.
  // In key order (PostgreSQL has no rowid).
  const dump = ['paytrace_transactions ORDER BY transaction_id', 'paytrace_rejects ORDER BY id', "sync_state WHERE key <> 'erp.as_of' ORDER BY key"].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all()));
  return createHash('sha256').update(dump.join('\n')).digest('hex');
}

describe(`engine sync with spoiled PayTrace replies (fuzz seed ${SEED + 1})`, () => {
  it('a failed PayTrace phase leaves the store exactly as it was; a passed one stores only sound rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-fuzz-sync-'));
    dirs.push(dir);
    const db = openStore(dir);
    const settings = defaultSettings();
    const emptyErp = {
      async *listCustomers() {},
      async *listOpenInvoices() {},
    } as unknown as ErpConnector;
    const sync = new SyncService({ db, settings: () => settings, paytrace: async () => client(), erp: async () => emptyErp, matcher: () => createMatcher() });
    try {
      // A first clean sync fills the store, so "unchanged" means something.
      proxy.setRewrite(null);
      expect((await sync.runOnce()).lastError).toBeNull();
      let failedRuns = 0;
      await fc.assert(
        fc.asyncProperty(replySpoiler, fc.constantFrom<Target>('token', 'v1'), async (spoiler, target) => {
          const before = storeDigest(db);
          aim(target, spoiler);
          const status = await sync.runOnce();
          const failed = status.lastError !== null && /PayTrace/.test(status.lastError) && !/kept aside/.test(status.lastError);
          if (failed) {
            failedRuns++;
            expect(storeDigest(db), status.lastError ?? '').toBe(before);
          }
          for (const row of db.prepare('SELECT amount_cents, transaction_id FROM paytrace_transactions').all() as Array<{ amount_cents: number; transaction_id: number }>) {
            expect(isCents(row.amount_cents) && row.transaction_id > 0).toBe(true);
          }
        }),
        fuzzParams(SEED + 1, RUNS.http / 3),
      );
      // The property is only worth something if spoiled replies did make syncs fail.
      expect(failedRuns).toBeGreaterThan(10);
    } finally {
      proxy.setRewrite(null);
      db.close();
    }
  });
});
