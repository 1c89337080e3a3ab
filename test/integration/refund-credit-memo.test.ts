import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundView } from '@shared/api/refunds';
import type { RefundTask, TransactionDetail } from '@shared/domain';
import { cents } from '@shared/money';
import { auditFor, verifyAudit } from '../../electron/core/audit/audit-log';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import { recordCreditMemo } from '../../electron/core/refunds/credit-memo';
import { getOutcome, gridRows } from '../../electron/core/store/queries/matches';
import { getTransaction } from '../../electron/core/store/queries/transactions';
import { approveAndPostAllAuto, openTestEngine, p21CreditMemoCount, signedInCalls, tempDir, testSecretStore } from './support/engine';

// A PayTrace refund made outside Tieout (the virtual terminal) after its sale
// was posted: on the next sync the refund row's task is "credit memo due", and
// recording it puts exactly one credit memo in the P21 sandbox, over real HTTP,
// a real SQLite file and the real keychain. A refund made through Tieout's own
// flow already queued its memo and is not doubled; a refund of a sale that was
// never posted nets against it.

const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { call, ok, signIn } = signedInCalls(() => engine);

const erpCreditMemoCount = (reference: string): Promise<number> => p21CreditMemoCount(demo.descriptor.erp, reference);

const used = new Set<number>();
/** A posted, settled sale nothing has taken back yet. */
function postedSale(): { id: number; amountCents: number } {
  const row = gridRows(engine.db).find((r) => {
    if (r.status !== 'posted' || used.has(r.transactionId)) return false;
    const t = getTransaction(engine.db, r.transactionId);
    return t?.type === 'SALE' && t.settledAt !== null && t.amountCents >= 200 && !getOutcome(engine.db, r.transactionId)?.refundedBy?.length;
  });
  if (!row) throw new Error('no posted settled sale left');
  used.add(row.transactionId);
  return { id: row.transactionId, amountCents: row.amountCents };
}

const detail = (transactionId: number) => ok<TransactionDetail>('clerk', 'grid:detail', { transactionId });
const memoRows = (key: string) => (engine.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE idempotency_key = ?').get(key) as { n: number }).n;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 13 });
  engine = await openTestEngine(demo.descriptor, { dataDir: tempDir('refund-memo'), secretStore: testSecretStore(), actor: 'os-user' });
  await engine.sync.runOnce();
  await approveAndPostAllAuto(engine);
  await signIn(['clerk', 'supervisor'], PASSWORD);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('a refund that arrives after its sale was posted', () => {
  it('becomes a credit-memo task; recording it posts exactly one P21 credit memo', async () => {
    const sale = postedSale();
    const refundAmount = cents(Math.floor(sale.amountCents / 2));
    // Refunded in PayTrace directly, not through Tieout.
    const refund = await (await engine.payTraceClient()).refundTransaction(sale.id, refundAmount);
    await engine.sync.runOnce();

    const row = gridRows(engine.db, [refund.transactionId])[0]!;
    expect(row).toMatchObject({ status: 'exception', exception: 'refund', refundOf: sale.id });
    const before = (await detail(refund.transactionId)).refundTask;
    expect(before).toMatchObject({ state: 'credit_memo_due', saleTransactionId: sale.id, saleStatus: 'posted', amountCents: refundAmount, creditMemo: null });
    // The sale stays posted; nothing about it is re-decided.
    expect(gridRows(engine.db, [sale.id])[0]?.status).toBe('posted');

    // An ERP that takes no credit memos: refused, nothing queued.
    await expect(recordCreditMemo({ db: engine.db, zone: 'America/Los_Angeles', capabilities: async () => ({ ...(await engine.erpConnector()).capabilities, creditMemos: 'none' }) }, refund.transactionId, 'clerk')).rejects.toThrow(
      /takes no credit memos/,
    );
    const key = `credit_memo:${refund.transactionId}`;
    expect(memoRows(key)).toBe(0);

    const queued = await ok<RefundTask>('clerk', 'refunds:recordCreditMemo', { transactionId: refund.transactionId });
    expect(queued).toMatchObject({ state: 'queued', creditMemo: { key, source: 'recorded' } });
    await engine.worker.drain();
    expect(await erpCreditMemoCount(String(refund.transactionId))).toBe(1);
    const memo = await (await engine.erpConnector()).findCreditMemo(String(refund.transactionId));
    expect(memo?.amountCents).toBe(refundAmount);
    const posted = (await detail(refund.transactionId)).refundTask;
    expect(posted).toMatchObject({ state: 'posted', creditMemo: { erpDocumentId: memo?.erpDocumentId } });

    // Again: refused, and still one memo in the outbox and in P21.
    expect(await call('clerk', 'refunds:recordCreditMemo', { transactionId: refund.transactionId })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/already posted/) },
    });
    await engine.sync.runOnce();
    await engine.worker.drain();
    expect(memoRows(key)).toBe(1);
    expect(await erpCreditMemoCount(String(refund.transactionId))).toBe(1);

    // Audited with the clerk as actor; the chain holds.
    const trail = auditFor(engine.db, 'transaction', String(refund.transactionId)).map((e) => [e.action, e.actor]);
    expect(trail).toContainEqual(['credit_memo.recorded', 'clerk']);
    expect(trail).toContainEqual(['credit_memo.posted', 'system']);
    expect(verifyAudit(engine.db).ok).toBe(true);
  });

  it("a refund made through Tieout's own flow already has its memo: the task shows it and refuses a second", async () => {
    const sale = postedSale();
    const req = await ok<RefundView>('clerk', 'refunds:request', { transactionId: sale.id, amountCents: 150, reasonCode: 'Other' });
    const done = await ok<RefundView>('supervisor', 'refunds:approve', { refundId: req.id, password: PASSWORD });
    expect(done).toMatchObject({ state: 'done', method: 'refund' });
    await engine.worker.drain();
    await engine.sync.runOnce();
    const refundId = done.paytraceTransactionId!;
    const task = (await detail(refundId)).refundTask;
    expect(task).toMatchObject({ saleTransactionId: sale.id, state: 'posted', creditMemo: { key: `credit_memo:${refundId}`, source: 'refund_flow' } });
    expect(await call('clerk', 'refunds:recordCreditMemo', { transactionId: refundId })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/refund flow/) } });
    expect(await erpCreditMemoCount(String(refundId))).toBe(1);
  });

  it('a refund of a sale that was never posted nets against it: nothing to record', async () => {
    const netted = gridRows(engine.db).find((r) => r.exception === 'refund' && typeof r.refundOf === 'number' && gridRows(engine.db, [r.refundOf])[0]?.status !== 'posted');
    expect(netted, 'the demo week has a refund of a sale that is not posted').toBeDefined();
    if (!netted) return;
    const task = (await detail(netted.transactionId)).refundTask;
    expect(task?.state).toBe('netted');
    expect(await call('clerk', 'refunds:recordCreditMemo', { transactionId: netted.transactionId })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/is not posted or approved/) },
    });
    // A sale row is not a refund: refused too.
    expect(await call('clerk', 'refunds:recordCreditMemo', { transactionId: netted.refundOf! })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
