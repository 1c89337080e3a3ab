import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundView } from '@shared/api/refunds';
import { cents } from '@shared/money';
import { auditFor, verifyAudit } from '../../electron/core/audit/audit-log';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { createEngine, type Engine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { gridRows } from '../../electron/core/store/queries/matches';
import { getTransaction } from '../../electron/core/store/queries/transactions';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { approveAndPostAllAuto, signedInCalls } from './support/engine';

// Issue 7, refunds: a refund approved while PayTrace cannot be reached is
// re-validated on reconnect against what PayTrace still lets us refund. A
// partial refund made meanwhile in PayTrace itself turns it into a
// `refundable_amount_changed` conflict — nothing is sent — and "reduce"
// refunds exactly the remaining amount, once. Real HTTP, real SQLite, real keychain.

const secretStore = keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
const dataDir = mkdtempSync(join(tmpdir(), 'tieout-refund-conflict-'));
const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { call, ok, signIn } = signedInCalls(() => engine);

type PtRow = { transaction_id: number; transaction_type: string; amount: string };

const control = async <T>(name: string, body: unknown = {}): Promise<T> => (await axios.post(`${demo.descriptor.paytrace.url}/__control/${name}`, body)).data as T;
const ptRows = async () => (await control<{ transactions: PtRow[] }>('state')).transactions;
const refundRowsAfter = async (id: number) => (await ptRows()).filter((t) => t.transaction_type === 'REFUND' && t.transaction_id > id);
const maxPtId = async () => Math.max(...(await ptRows()).map((t) => t.transaction_id));
/** PayTrace unreachable: every request has its connection reset. */
const goOffline = () => control('faults', { rules: [{ fault: { kind: 'reset' } }] });
const goOnline = () => control('faults', { rules: [] });

const used = new Set<number>();
function settledPostedSale(): { id: number; amountCents: number } {
  const row = gridRows(engine.db).find((r) => {
    if (r.status !== 'posted' || used.has(r.transactionId)) return false;
    const t = getTransaction(engine.db, r.transactionId);
    return t?.type === 'SALE' && t.settledAt !== null && t.amountCents >= 1_000;
  });
  if (!row) throw new Error('no posted settled sale left');
  used.add(row.transactionId);
  return { id: row.transactionId, amountCents: row.amountCents };
}

/** The clerk asks, the supervisor approves while PayTrace is unreachable: the refund is queued, nothing moved. */
async function approveOffline(transactionId: number, amountCents: number): Promise<RefundView> {
  const req = await ok<RefundView>('clerk', 'refunds:request', { transactionId, amountCents, reasonCode: 'Customer request', note: 'offline' });
  await goOffline();
  const queued = await ok<RefundView>('supervisor', 'refunds:approve', { refundId: req.id, password: PASSWORD });
  await goOnline();
  expect(queued.state).toBe('executing');
  expect(queued.paytraceTransactionId).toBeNull();
  return queued;
}

const viewOf = async (refundId: number) => (await ok<RefundView[]>('clerk', 'refunds:list', {})).find((r) => r.id === refundId)!;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 23 });
  engine = await createEngine({ dataDir, shell: 'web', background: false, undoWindowSeconds: 0, secretStore, logger: silentLogger, sandbox: demo.descriptor, actor: 'os-user' });
  await engine.sync.runOnce();
  await approveAndPostAllAuto(engine);
  await signIn(['clerk', 'supervisor'], PASSWORD);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('refundable_amount_changed', () => {
  it('holds back a queued refund that PayTrace no longer covers, and "reduce" refunds exactly what remains, once', async () => {
    const sale = settledPostedSale();
    const before = await maxPtId();
    const approved = Math.floor((sale.amountCents * 8) / 10);
    const queued = await approveOffline(sale.id, approved);
    expect(await refundRowsAfter(before)).toHaveLength(0);

    // Meanwhile someone refunds half of the sale in PayTrace itself.
    const elsewhere = Math.floor(sale.amountCents / 2);
    const direct = await (await engine.payTraceClient()).refundTransaction(sale.id, cents(elsewhere));
    const remaining = sale.amountCents - elsewhere;
    expect(remaining).toBeLessThan(approved);

    // Reconnect: the queued refund is re-validated before anything is sent.
    expect(await engine.refundExecutor.resumeAll()).toBe(1);
    const held = await viewOf(queued.id);
    expect(held).toMatchObject({ state: 'approved', amountCents: approved, paytraceTransactionId: null, method: null });
    expect(held.conflict).toMatchObject({
      kind: 'refundable_amount_changed',
      then: { amountCents: approved, refundableCents: sale.amountCents },
      now: { saleType: 'SALE', saleAmountCents: sale.amountCents, refundedCents: elsewhere, refundableCents: remaining },
      choices: ['reduce', 'discard'],
    });
    expect(held.lastError).toMatch(/still refundable in PayTrace/);
    expect((await refundRowsAfter(before)).map((r) => r.transaction_id)).toEqual([direct.transactionId]);

    // "Run now" and another resume do not send it either: it waits for a decision.
    expect(await ok<RefundView>('supervisor', 'refunds:execute', { refundId: queued.id })).toMatchObject({ state: 'approved' });
    expect(await engine.refundExecutor.resumeAll()).toBe(0);
    expect(await refundRowsAfter(before)).toHaveLength(1);

    // Settling it is a supervisor's decision, enforced by the engine.
    expect(await call('clerk', 'refunds:resolveConflict', { refundId: queued.id, action: 'reduce' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const reduced = await ok<RefundView>('supervisor', 'refunds:resolveConflict', { refundId: queued.id, action: 'reduce' });
    expect(reduced).toMatchObject({ state: 'done', method: 'refund', amountCents: remaining, conflict: null, executedBy: 'supervisor' });
    const refunds = await refundRowsAfter(before);
    expect(refunds).toHaveLength(2);
    const ours = refunds.find((r) => r.transaction_id === reduced.paytraceTransactionId);
    expect(Math.round(Number(ours?.amount) * 100)).toBe(remaining);

    // Resolving again, or running again, does nothing more.
    expect(await call('supervisor', 'refunds:resolveConflict', { refundId: queued.id, action: 'reduce' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await call('supervisor', 'refunds:execute', { refundId: queued.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await refundRowsAfter(before)).toHaveLength(2);

    const trail = auditFor(engine.db, 'refund', String(queued.id)).map((e) => [e.action, e.actor]);
    expect(trail).toEqual([
      ['refund.requested', 'clerk'],
      ['refund.approved', 'supervisor'],
      ['refund.conflict', 'system'],
      ['refund.conflict.reduce', 'supervisor'],
      ['refund.executed', 'supervisor'],
    ]);
    expect(verifyAudit(engine.db).ok).toBe(true);
  });

  it('a sale fully refunded elsewhere leaves only "discard"; discarding ends the refund without sending it', async () => {
    const sale = settledPostedSale();
    const before = await maxPtId();
    const queued = await approveOffline(sale.id, 500);
    await (await engine.payTraceClient()).refundTransaction(sale.id, cents(sale.amountCents));

    await engine.refundExecutor.resumeAll();
    const held = await viewOf(queued.id);
    expect(held.conflict).toMatchObject({ kind: 'refundable_amount_changed', now: { refundableCents: 0 }, choices: ['discard'] });
    expect(await call('supervisor', 'refunds:resolveConflict', { refundId: queued.id, action: 'reduce' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/only be discarded/) },
    });
    const discarded = await ok<RefundView>('supervisor', 'refunds:resolveConflict', { refundId: queued.id, action: 'discard' });
    expect(discarded).toMatchObject({ state: 'rejected', rejectedBy: 'supervisor', conflict: null, paytraceTransactionId: null });
    expect(discarded.rejectReason).toMatch(/Discarded after re-validation/);
    expect(await refundRowsAfter(before)).toHaveLength(1); // only the refund made in PayTrace itself
  });

  it('a queued refund that still fits is executed once on reconnect', async () => {
    const sale = settledPostedSale();
    const before = await maxPtId();
    const queued = await approveOffline(sale.id, 300);
    expect(await engine.refundExecutor.resumeAll()).toBe(1);
    const done = await viewOf(queued.id);
    expect(done).toMatchObject({ state: 'done', method: 'refund', amountCents: 300, conflict: null });
    expect((await refundRowsAfter(before)).map((r) => r.transaction_id)).toEqual([done.paytraceTransactionId]);
  });
});
