import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../electron/core/clock';
import type { Engine } from '../../electron/core/engine';
import { RefundExecutor } from '../../electron/core/refunds/executor';
import { openStore, type Db } from '../../electron/core/store/db';
import { gridRows } from '../../electron/core/store/queries/matches';
import { getTransaction } from '../../electron/core/store/queries/transactions';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { approveAndPostAllAuto, openTestEngine, tempDir } from './support/engine';
import { bindAuditKey, boundAuditKey } from '../../electron/core/audit/audit-log';

// Refunds are claimed with a lease (owner + expiry) before anything is sent, as
// outbox rows are. Without it a second executor (another app instance on the
// same data folder) took a refund another was still executing, saw no PayTrace
// call recorded yet, and sent it again without a look-up: two refunds.

type PtRow = { transaction_id: number; transaction_type: string };
type LoggedRequest = { path: string };

let demo: RunningDemo;
let engine: Engine;
let second: Db;
const dataDir = tempDir('refund-lease');

const control = async <T>(name: string, body: unknown = {}): Promise<T> => (await axios.post(`${demo.descriptor.paytrace.url}/__control/${name}`, body)).data as T;
const refundCalls = async (): Promise<number> => (await control<{ requests: LoggedRequest[] }>('requests')).requests.filter((r) => r.path.startsWith('/v1/transactions/refund')).length;
const clearRequests = () => axios.delete(`${demo.descriptor.paytrace.url}/__control/requests`);
const ptRefundsAfter = async (id: number): Promise<PtRow[]> =>
  (await control<{ transactions: PtRow[] }>('state')).transactions.filter((t) => t.transaction_type === 'REFUND' && t.transaction_id > id);
const maxPtId = async () => Math.max(...(await control<{ transactions: PtRow[] }>('state')).transactions.map((t) => t.transaction_id));

const used = new Set<number>();
/** A posted, settled sale of at least 2.00: a 1.00 refund of it always goes the refund way (never a void). */
function settledSale(): number {
  const row = gridRows(engine.db).find((r) => {
    if (r.status !== 'posted' || used.has(r.transactionId)) return false;
    const t = getTransaction(engine.db, r.transactionId);
    return t?.type === 'SALE' && t.settledAt !== null && t.amountCents >= 200;
  });
  if (!row) throw new Error('no posted settled sale left');
  used.add(row.transactionId);
  return row.transactionId;
}

/** An approved 1.00 refund of the sale (as the four-eyes approval leaves it). */
function approvedRefund(transactionId: number): number {
  const at = new Date().toISOString();
  return Number(
    engine.db
      .prepare(
        "INSERT INTO refund_requests (transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, updated_at) VALUES (?, 100, 'USD', 'Customer request', 'approved', 'clerk', 'clerk', ?, ?)",
      )
      .run(transactionId, at, at).lastInsertRowid,
  );
}

function executor(db: Db, owner: string, clock = manualClock(Date.now())): RefundExecutor {
  return new RefundExecutor({ db, owner, clock, paytrace: () => engine.payTraceClient(), zone: () => engine.settings().sync.merchantZone });
}

const refundRow = (id: number) =>
  engine.db.prepare('SELECT state, method, paytrace_transaction_id, lease_owner, lease_until FROM refund_requests WHERE id = ?').get(id) as {
    state: string;
    method: string | null;
    paytrace_transaction_id: number | null;
    lease_owner: string | null;
    lease_until: string | null;
  };

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 11 });
  engine = await openTestEngine(demo.descriptor, { dataDir });
  await engine.sync.runOnce();
  await approveAndPostAllAuto(engine);
  // A second connection to the same SQLite file: what a second app instance holds
  // (with the audit key it reads from the same keychain).
  second = openStore(dataDir);
  bindAuditKey(second, boundAuditKey(engine.db)!);
}, 120_000);

afterAll(async () => {
  second?.close();
  await engine?.close();
  await demo?.close();
});

describe('two executors on one data folder', () => {
  it('race on the same approved refund: exactly one PayTrace refund call (was: two)', async () => {
    const sale = settledSale();
    const id = approvedRefund(sale);
    const before = await maxPtId();
    await clearRequests();
    // The first one's PayTrace calls take a while: the second arrives while it is executing.
    await control('faults', { append: true, rules: [{ fault: { kind: 'latency', ms: 400 }, pathPrefix: '/v1/transactions/refund', times: 1 }] });

    const a = executor(engine.db, 'host-a:1:refunds');
    const b = executor(second, 'host-b:2:refunds');
    await Promise.all([a.execute(id, 'clerk-a'), b.execute(id, 'clerk-b')]);
    // Either may have won the claim; the other must not send, and no one is left holding the lease.
    await Promise.all([a.resumeAll('clerk-a'), b.resumeAll('clerk-b')]);

    expect(await refundCalls()).toBe(1);
    const refunds = await ptRefundsAfter(before);
    expect(refunds).toHaveLength(1);
    expect(refundRow(id)).toEqual({ state: 'done', method: 'refund', paytrace_transaction_id: refunds[0]!.transaction_id, lease_owner: null, lease_until: null });
  }, 30_000);
});

describe('a lease left behind by an executor that stopped mid-send', () => {
  it('holds the refund until it expires, then the refund is looked up before anything is sent again: no second refund', async () => {
    const sale = settledSale();
    const id = approvedRefund(sale);
    const before = await maxPtId();
    const clock = manualClock(Date.now());
    const leaseUntil = new Date(clock.now() + 5 * 60_000).toISOString();
    // Another instance claimed it and its refund reached PayTrace, then it stopped (no intent visible here, no reply recorded).
    engine.db
      .prepare("UPDATE refund_requests SET state = 'executing', attempt_marker = 'gone', executing_since = ?, executed_by = 'clerk', lease_owner = 'host-c:3:refunds', lease_until = ? WHERE id = ?")
      .run(clock.iso(), leaseUntil, id);
    await (await engine.payTraceClient()).refundTransaction(sale, 100);
    expect(await ptRefundsAfter(before)).toHaveLength(1);
    await clearRequests();

    const b = executor(second, 'host-b:2:refunds', clock);
    // Within the lease: left alone, nothing asked of PayTrace.
    clock.advance(60_000);
    await b.execute(id, 'clerk-b');
    expect(refundRow(id)).toMatchObject({ state: 'executing', lease_owner: 'host-c:3:refunds' });
    expect((await control<{ requests: LoggedRequest[] }>('requests')).requests).toEqual([]);

    // Expired: "may have been sent", so looked up first, and found.
    clock.advance(5 * 60_000);
    await b.execute(id, 'clerk-b');
    const refunds = await ptRefundsAfter(before);
    expect(refunds).toHaveLength(1);
    expect(await refundCalls()).toBe(0);
    expect(refundRow(id)).toEqual({ state: 'done', method: 'refund', paytrace_transaction_id: refunds[0]!.transaction_id, lease_owner: null, lease_until: null });
  }, 30_000);

  it('one whose look-up finds nothing is sent once, after the look-up', async () => {
    const sale = settledSale();
    const id = approvedRefund(sale);
    const before = await maxPtId();
    const clock = manualClock(Date.now());
    engine.db
      .prepare("UPDATE refund_requests SET state = 'executing', attempt_marker = 'gone', executing_since = ?, executed_by = 'clerk', lease_owner = 'host-c:3:refunds', lease_until = ? WHERE id = ?")
      .run(clock.iso(), new Date(clock.now() + 60_000).toISOString(), id);
    await clearRequests();
    clock.advance(2 * 60_000);
    await executor(second, 'host-b:2:refunds', clock).execute(id, 'clerk-b');
    const refunds = await ptRefundsAfter(before);
    expect(refunds).toHaveLength(1);
    expect(await refundCalls()).toBe(1);
    expect(refundRow(id)).toMatchObject({ state: 'done', paytrace_transaction_id: refunds[0]!.transaction_id, lease_owner: null });
  }, 30_000);
});
