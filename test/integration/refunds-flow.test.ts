import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundView, Refundable } from '@shared/api/refunds';
import { auditFor, verifyAudit } from '../../electron/core/audit/audit-log';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { createEngine, type Engine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { gridRows } from '../../electron/core/store/queries/matches';
import { getTransaction } from '../../electron/core/store/queries/transactions';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { p21CreditMemoCount, signedInCalls } from './support/engine';

// The refund flow over real HTTP against the PayTrace and P21 sandboxes, a
// real SQLite file and the real keychain: four-eyes approval, void before
// settlement, refund after (partial too), 817/818 path switching, a crash in
// 'executing' resolved by look-up, and exactly one ERP credit memo each.

const secretStore = keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
const dataDir = mkdtempSync(join(tmpdir(), 'tieout-refunds-'));
const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { call, ok, signIn } = signedInCalls(() => engine);

type PtRow = { transaction_id: number; transaction_type: string; amount: string; invoice_id: string; settled: string };

const open = () => createEngine({ dataDir, shell: 'web', background: false, undoWindowSeconds: 0, secretStore, logger: silentLogger, sandbox: demo.descriptor, actor: 'os-user' });

async function signInAll(): Promise<void> {
  await signIn(['clerk', 'supervisor', 'supervisor2', 'admin'], PASSWORD);
}
const control = async <T>(base: string, name: string, body: unknown = {}): Promise<T> => (await axios.post(`${base}/__control/${name}`, body)).data as T;
const ptState = () => control<{ transactions: PtRow[] }>(demo.descriptor.paytrace.url, 'state');
async function refundRowsAfter(id: number): Promise<PtRow[]> {
  return (await ptState()).transactions.filter((t) => t.transaction_type === 'REFUND' && t.transaction_id > id);
}
const maxPtId = async () => Math.max(...(await ptState()).transactions.map((t) => t.transaction_id));

/** Posted sales (their receipt is in P21), split by settlement, unused by earlier tests. */
const used = new Set<number>();
function postedSale(settled: boolean): { id: number; amountCents: number } {
  const row = gridRows(engine.db).find((r) => {
    if (r.status !== 'posted' || used.has(r.transactionId)) return false;
    const t = getTransaction(engine.db, r.transactionId);
    return t?.type === 'SALE' && (t.settledAt !== null) === settled && t.amountCents >= 200;
  });
  if (!row) throw new Error(`no posted ${settled ? 'settled' : 'unsettled'} sale left`);
  used.add(row.transactionId);
  return { id: row.transactionId, amountCents: row.amountCents };
}

async function requestAndApprove(transactionId: number, amountCents: number, approver = 'supervisor'): Promise<RefundView> {
  const req = await ok<RefundView>('clerk', 'refunds:request', { transactionId, amountCents, reasonCode: 'Customer request', note: 'test' });
  expect(req.state).toBe('requested');
  return ok<RefundView>(approver, 'refunds:approve', { refundId: req.id, password: PASSWORD });
}

const erpCreditMemoCount = (reference: string): Promise<number> => p21CreditMemoCount(demo.descriptor.erp, reference);

async function creditMemo(reference: string) {
  return (await engine.erpConnector()).findCreditMemo(reference);
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 11 });
  engine = await open();
  await engine.sync.runOnce();
  await engine.refundExecutor.idle();
  const auto = gridRows(engine.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);
  expect((await engine.dispatch('matches:approve', { transactionIds: auto })).ok).toBe(true);
  await engine.worker.drain();
  await signInAll();
  // These tests are about execution: one supervisor approves many refunds in one day here, more than the
  // default $5,000.00 admin limit, which the per-approver daily total would otherwise send to an admin
  // (four-eyes-cumulative.test.ts tests that). Raising a limit waits for a second admin: the local CLI (os-user) approves.
  await ok('admin', 'refunds:setPolicy', { adminAboveCents: 10_000_000 });
  await approvePendingByCli();
}, 120_000);

/** A second admin (the local CLI, acting as the OS user) approves every change waiting for one. */
async function approvePendingByCli(): Promise<void> {
  const pending = (await engine.dispatch('admin:pendingChanges', {})) as { ok: true; value: Array<{ id: number; state: string }> };
  for (const c of pending.value.filter((p) => p.state === 'pending')) expect((await engine.dispatch('admin:approveChange', { changeId: c.id, password: 'not-asked-on-the-cli' })).ok).toBe(true);
}

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('permissions and four-eyes', () => {
  it('refuses calls without a session and supervisor actions from a clerk', async () => {
    expect(await call(null, 'grid:rows', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect((await call('clerk', 'grid:rows', {})).ok).toBe(true);
    expect(await call('clerk', 'settings:save', { sync: { intervalMinutes: 9 } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const sale = postedSale(true);
    const req = await ok<RefundView>('clerk', 'refunds:request', { transactionId: sale.id, amountCents: 100, reasonCode: 'Overpayment' });
    const byClerk = await call('clerk', 'refunds:approve', { refundId: req.id, password: PASSWORD });
    expect(byClerk).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/needs the supervisor role/) } });
    // A wrong password at approval is refused and nothing changes.
    expect(await call('supervisor', 'refunds:approve', { refundId: req.id, password: 'nope' })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect((await ok<RefundView[]>('clerk', 'refunds:list', { transactionId: sale.id }))[0]?.state).toBe('requested');
    // Rejected with a reason; its amount is refundable again.
    const rejected = await ok<RefundView>('supervisor', 'refunds:reject', { refundId: req.id, reason: 'Customer withdrew' });
    expect(rejected).toMatchObject({ state: 'rejected', rejectedBy: 'supervisor', rejectReason: 'Customer withdrew' });
    expect((await ok<Refundable>('clerk', 'refunds:refundable', { transactionId: sale.id })).refundableCents).toBe(sale.amountCents);
    // Unknown reason codes and refunds of refunds or declined sales are refused with a clear message.
    expect(await call('clerk', 'refunds:request', { transactionId: sale.id, amountCents: 100, reasonCode: 'Because' })).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    const other = demo.world.payments.find((p) => p.scenario === 'refund');
    if (other) expect(await call('clerk', 'refunds:request', { transactionId: other.transactionId, amountCents: 1, reasonCode: 'Other' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/itself a refund/) } });
    const declined = demo.world.payments.find((p) => p.scenario === 'declined');
    if (declined) expect(await call('clerk', 'refunds:request', { transactionId: declined.transactionId, amountCents: 1, reasonCode: 'Other' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/declined/) } });
  });

  it('a supervisor cannot approve their own request above the limit; a second supervisor can', async () => {
    await ok('admin', 'refunds:setPolicy', { secondApproverAboveCents: 100 });
    const sale = postedSale(true);
    const req = await ok<RefundView>('supervisor', 'refunds:request', { transactionId: sale.id, amountCents: 150, reasonCode: 'Other' });
    expect(await call('supervisor', 'refunds:approve', { refundId: req.id, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/four-eyes/) } });
    const done = await ok<RefundView>('supervisor2', 'refunds:approve', { refundId: req.id, password: PASSWORD });
    expect(done).toMatchObject({ state: 'done', method: 'refund', approvals: [{ by: 'supervisor2' }] });
    // Raising it back loosens four-eyes: it waits for a second admin.
    await ok('admin', 'refunds:setPolicy', { secondApproverAboveCents: 50_000 });
    expect((await ok<{ secondApproverAboveCents: number }>('clerk', 'refunds:policy', {})).secondApproverAboveCents).toBe(100);
    await approvePendingByCli();
    expect((await ok<{ secondApproverAboveCents: number }>('clerk', 'refunds:policy', {})).secondApproverAboveCents).toBe(50_000);
  });
});

describe('execution through PayTrace and the ERP', () => {
  it('voids an unsettled sale, records it, and posts one credit memo', async () => {
    const sale = postedSale(false);
    const done = await requestAndApprove(sale.id, sale.amountCents);
    expect(done).toMatchObject({ state: 'done', method: 'void', paytraceTransactionId: sale.id, executedBy: 'supervisor' });
    expect((await ptState()).transactions.find((t) => t.transaction_id === sale.id)?.transaction_type).toBe('VOID');
    await engine.worker.drain();
    const memo = await creditMemo(`V${sale.id}`);
    expect(memo?.amountCents).toBe(sale.amountCents);
    const after = (await ok<RefundView[]>('clerk', 'refunds:list', { transactionId: sale.id }))[0]!;
    expect(after.creditMemo).toMatchObject({ state: 'posted', erpDocumentId: memo?.erpDocumentId });
    // The audit names requester, approver and executor.
    const trail = auditFor(engine.db, 'refund', String(done.id));
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['refund.requested', 'clerk'],
      ['refund.approved', 'supervisor'],
      ['refund.executed', 'supervisor'],
    ]);
    expect(trail[2]?.after).toMatchObject({ requestedBy: 'clerk', approvedBy: ['supervisor'], executedBy: 'supervisor' });
  });

  it('refunds a settled sale in two partial refunds, never above what remains', async () => {
    const sale = postedSale(true);
    const before = await maxPtId();
    const half = Math.floor(sale.amountCents / 2);
    const first = await requestAndApprove(sale.id, half);
    expect(first).toMatchObject({ state: 'done', method: 'refund' });
    expect(first.paytraceTransactionId).toBeGreaterThan(before);
    const left = await ok<Refundable>('clerk', 'refunds:refundable', { transactionId: sale.id });
    expect(left.refundableCents).toBe(sale.amountCents - half);
    expect(await call('clerk', 'refunds:request', { transactionId: sale.id, amountCents: left.refundableCents + 1, reasonCode: 'Other' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/more than the/) },
    });
    const second = await requestAndApprove(sale.id, left.refundableCents);
    expect(second.state).toBe('done');
    expect((await ok<Refundable>('clerk', 'refunds:refundable', { transactionId: sale.id })).refundableCents).toBe(0);
    const refunds = await refundRowsAfter(before);
    expect(refunds.map((r) => r.transaction_id).sort()).toEqual([first.paytraceTransactionId, second.paytraceTransactionId].sort());
    await engine.worker.drain();
    expect((await creditMemo(String(first.paytraceTransactionId)))?.amountCents).toBe(half);
    expect((await creditMemo(String(second.paytraceTransactionId)))?.amountCents).toBe(sale.amountCents - half);
    // Draining again posts nothing more.
    expect(await engine.worker.drain()).toEqual({ posted: 0, retrying: 0, dead: 0, unknown: 0 });
  });

  it('818: a sale settled since the last sync is refunded instead of voided', async () => {
    const sale = postedSale(false);
    await control(demo.descriptor.paytrace.url, 'settle');
    await axios.delete(`${demo.descriptor.paytrace.url}/__control/requests`);
    const done = await requestAndApprove(sale.id, sale.amountCents);
    expect(done).toMatchObject({ state: 'done', method: 'refund' });
    const paths = (await control<{ requests: Array<{ path: string }> }>(demo.descriptor.paytrace.url, 'requests')).requests.map((r) => r.path).filter((p) => !p.includes('export') && p !== '/oauth/token');
    expect(paths).toEqual(['/v1/transactions/void', '/v1/transactions/refund/for_transaction']);
  });

  it('817: a full refund of a sale PayTrace has not settled is voided instead; a partial one waits for settlement', async () => {
    const before = await maxPtId();
    const ids = (
      await control<{ transactionIds: number[] }>(demo.descriptor.paytrace.url, 'transactions', {
        transactions: [
          { amountCents: 12_345, invoiceId: 'RF-817-A', customerId: 'C817', billingName: 'Stale Settlement Co' },
          { amountCents: 20_000, invoiceId: 'RF-817-B', customerId: 'C817', billingName: 'Stale Settlement Co' },
        ],
      })
    ).transactionIds;
    await engine.sync.runOnce();
    // The after-sync refund run finishes before the store is doctored (it would otherwise race the approvals below).
    await engine.refundExecutor.idle();
    // The local store is made to believe they settled (stale data); PayTrace knows better.
    engine.db.prepare('UPDATE paytrace_transactions SET settled_at = ? WHERE transaction_id IN (?, ?)').run(new Date().toISOString(), ids[0], ids[1]);
    const full = await requestAndApprove(ids[0]!, 12_345);
    expect(full).toMatchObject({ state: 'done', method: 'void', paytraceTransactionId: ids[0], creditMemo: null });
    const partial = await requestAndApprove(ids[1]!, 5_000);
    expect(partial).toMatchObject({ state: 'approved', lastError: expect.stringMatching(/once the sale has settled/) });
    await control(demo.descriptor.paytrace.url, 'settle');
    const ran = await ok<RefundView>('supervisor', 'refunds:execute', { refundId: partial.id });
    expect(ran).toMatchObject({ state: 'done', method: 'refund' });
    expect((await refundRowsAfter(before)).map((r) => r.transaction_id)).toEqual([ran.paytraceTransactionId]);
  });

  it('a partial refund approved on an unsettled sale runs by itself after the sync that finds the sale settled, and only once', async () => {
    const before = await maxPtId();
    const [saleId] = (
      await control<{ transactionIds: number[] }>(demo.descriptor.paytrace.url, 'transactions', {
        transactions: [{ amountCents: 30_000, invoiceId: 'RF-SETTLE-A', customerId: 'C-SETTLE', billingName: 'Settles Later Co' }],
      })
    ).transactionIds;
    await engine.sync.runOnce();
    await engine.refundExecutor.idle();
    expect(getTransaction(engine.db, saleId!)?.settledAt).toBeNull();
    const approved = await requestAndApprove(saleId!, 7_500);
    expect(approved).toMatchObject({ state: 'approved', method: null, waitingForSettlement: true, lastError: expect.stringMatching(/by itself once the sale has settled/) });

    // A sync while the sale is still unsettled leaves the refund waiting: nothing is sent.
    await engine.sync.runOnce();
    await engine.refundExecutor.idle();
    expect((await ok<RefundView[]>('supervisor', 'refunds:list', { transactionId: saleId! }))[0]).toMatchObject({ state: 'approved' });

    await control(demo.descriptor.paytrace.url, 'settle');
    await engine.sync.runOnce();
    const deadline = Date.now() + 15_000;
    let refund = (await ok<RefundView[]>('supervisor', 'refunds:list', { transactionId: saleId! }))[0]!;
    while (refund.state !== 'done' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      refund = (await ok<RefundView[]>('supervisor', 'refunds:list', { transactionId: saleId! }))[0]!;
    }
    expect(refund).toMatchObject({ state: 'done', method: 'refund', executedBy: 'system', lastError: null, waitingForSettlement: false });
    const refundRows = async () => (await refundRowsAfter(before)).filter((r) => Number(r.amount) === 75);
    expect((await refundRows()).map((r) => r.transaction_id)).toEqual([refund.paytraceTransactionId]);

    // The next sync finds nothing left to run: PayTrace still holds one refund of this sale.
    await engine.sync.runOnce();
    await new Promise((r) => setTimeout(r, 200));
    await engine.refundExecutor.idle();
    expect((await refundRows()).map((r) => r.transaction_id)).toEqual([refund.paytraceTransactionId]);
    expect(auditFor(engine.db, 'refund', String(refund.id)).filter((e) => e.action === 'refund.executed')).toHaveLength(1);
  });

  it('a refund whose reply was lost stays executing and, after a restart, is resolved by look-up without a second refund', async () => {
    const sale = postedSale(true);
    const before = await maxPtId();
    await control(demo.descriptor.paytrace.url, 'faults', { append: true, rules: [{ fault: { kind: 'commit-then-drop' }, pathPrefix: '/v1/transactions/refund', times: 1 }] });
    const pending = await requestAndApprove(sale.id, sale.amountCents);
    expect(pending).toMatchObject({ state: 'executing', method: 'refund', paytraceTransactionId: null });
    expect(pending.lastError).toMatch(/Outcome unknown/);
    expect(await refundRowsAfter(before)).toHaveLength(1); // PayTrace did refund

    const claimedBefore = engine.db.prepare('SELECT attempt_marker FROM refund_requests WHERE id = ?').get(pending.id) as { attempt_marker: string };
    // "Crash": a new engine on the same data folder resumes.
    await engine.close();
    engine = await open();
    // Nobody resolved it behind the test's back (was: closing the engine repeated the last sync status, which started a
    // resume on the closing engine that raced this one's, so resumeAll() sometimes found nothing left to do).
    expect(engine.db.prepare('SELECT state, attempt_marker, lease_owner FROM refund_requests WHERE id = ?').get(pending.id)).toEqual({
      state: 'executing',
      attempt_marker: claimedBefore.attempt_marker,
      lease_owner: null,
    });
    await signInAll();
    expect(await engine.refundExecutor.resumeAll()).toBe(1);
    const resolved = (await ok<RefundView[]>('clerk', 'refunds:list', { transactionId: sale.id }))[0]!;
    const ptRefunds = await refundRowsAfter(before);
    expect(ptRefunds).toHaveLength(1);
    expect(resolved).toMatchObject({ state: 'done', method: 'refund', paytraceTransactionId: ptRefunds[0]!.transaction_id });
    await engine.worker.drain();
    expect((await creditMemo(String(resolved.paytraceTransactionId)))?.amountCents).toBe(sale.amountCents);
    // Resuming again finds nothing to do.
    expect(await engine.refundExecutor.resumeAll()).toBe(0);
  });

  it('the ERP credit memo is posted exactly once even when P21 commits and drops the reply', async () => {
    const sale = postedSale(true);
    await control(demo.descriptor.erp.baseUrl, 'faults', { append: true, rules: [{ fault: { kind: 'commit-then-drop' }, method: 'POST', pathPrefix: '/api/v2/transaction', times: 1 }] });
    const done = await requestAndApprove(sale.id, 100);
    expect(done.state).toBe('done');
    // Either the connector's own look-up or the worker's look-up-before-retry must find the committed memo.
    for (let i = 0; i < 4; i++) {
      await engine.worker.drain();
      // Make any retry due now instead of after the back-off.
      engine.db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE kind = 'credit_memo' AND state IN ('retry_wait', 'unknown_outcome')").run(new Date(0).toISOString());
    }
    const view = (await ok<RefundView[]>('clerk', 'refunds:list', { transactionId: sale.id }))[0]!;
    expect(view.creditMemo?.state).toBe('posted');
    expect(await erpCreditMemoCount(String(done.paytraceTransactionId))).toBe(1);
  });

  it('every action is audited with the signed-in user', async () => {
    await ok('admin', 'settings:save', { sync: { intervalMinutes: 7 } });
    const last = engine.db.prepare("SELECT actor FROM audit WHERE action = 'settings.save' ORDER BY id DESC LIMIT 1").get() as { actor: string };
    expect(last.actor).toBe('admin');
  });

  it('a refund dropped before PayTrace acted is sent once after the look-up finds nothing', async () => {
    const sale = postedSale(true);
    const before = await maxPtId();
    await control(demo.descriptor.paytrace.url, 'faults', { append: true, rules: [{ fault: { kind: 'reset' }, pathPrefix: '/v1/transactions/refund', times: 1 }] });
    const pending = await requestAndApprove(sale.id, 100);
    expect(pending.state).toBe('executing');
    expect(await refundRowsAfter(before)).toHaveLength(0);
    await engine.refundExecutor.resumeAll();
    const ptRefunds = await refundRowsAfter(before);
    expect(ptRefunds).toHaveLength(1);
    expect((await ok<RefundView[]>('clerk', 'refunds:list', { transactionId: sale.id }))[0]).toMatchObject({ state: 'done', paytraceTransactionId: ptRefunds[0]!.transaction_id });
    expect(verifyAudit(engine.db).ok).toBe(true);
  });
});
