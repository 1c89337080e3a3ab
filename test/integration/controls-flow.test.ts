import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPreview, ControlView } from '@shared/api/controls';
import { auditFor, verifyAudit } from '../../electron/core/audit/audit-log';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { manualClock } from '../../electron/core/clock';
import { createEngine, type Engine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { gridRows } from '../../electron/core/store/queries/matches';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { openTestEngine, signedInCalls, testSecretStore } from './support/engine';

// Write-offs and receipt reversals over real HTTP against the P21 sandbox, a
// real SQLite file and the real keychain: the clerk's limit, four-eyes above
// it, the write-off posted once on the receipt, a reversal posted once even
// when its reply is lost, and a clerk refused by the engine.

const secretStore = keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
const dataDir = mkdtempSync(join(tmpdir(), 'tieout-controls-'));
const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { call, ok, signIn } = signedInCalls(() => engine);

const control = async <T>(name: string, body: unknown = {}): Promise<T> => (await axios.post(`${demo.descriptor.erp.baseUrl}/__control/${name}`, body)).data as T;
type SbxReceipt = { checkNumber: string; amountCents: number; lines: Array<{ invoiceNo: string; amountCents: number; allowedCents: number }> };
const receiptsFor = async (ref: string) => (await control<{ receipts: SbxReceipt[] }>('receipts')).receipts.filter((r) => r.checkNumber === ref);
const openBalance = async (invoiceNo: string) => (await control<{ openBalanceCents: number | null }>('open-balance', { invoiceNo })).openBalanceCents;

/** A pending payment short-paying an open invoice of its customer by `short` cents or more. */
const used = new Set<string>();
function shortPayCase(minShort: number, maxShort: number): { transactionId: number; customerId: string; invoiceNo: string; amountCents: number; balance: number } {
  const claimed = new Set((engine.db.prepare('SELECT invoice_no FROM allocations').all() as Array<{ invoice_no: string }>).map((r) => r.invoice_no));
  const invoices = engine.db.prepare("SELECT invoice_no, customer_id, open_balance_cents AS bal FROM invoices WHERE is_open = 1 AND currency = 'USD'").all() as Array<{ invoice_no: string; customer_id: string; bal: number }>;
  for (const row of gridRows(engine.db)) {
    if (!['review', 'exception', 'auto'].includes(row.status) || row.type !== 'SALE' || used.has(String(row.transactionId))) continue;
    const inv = invoices.find((i) => !claimed.has(i.invoice_no) && !used.has(i.invoice_no) && i.bal - row.amountCents >= minShort && i.bal - row.amountCents <= maxShort);
    if (!inv) continue;
    used.add(String(row.transactionId));
    used.add(inv.invoice_no);
    return { transactionId: row.transactionId, customerId: inv.customer_id, invoiceNo: inv.invoice_no, amountCents: row.amountCents, balance: inv.bal };
  }
  throw new Error(`no short-pay case between ${minShort} and ${maxShort} cents`);
}
async function allocateShort(c: ReturnType<typeof shortPayCase>): Promise<void> {
  await ok('clerk', 'matches:allocate', { transactionId: c.transactionId, customerId: c.customerId, allocations: [{ invoiceNo: c.invoiceNo, amountCents: c.amountCents }] });
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 13 });
  engine = await createEngine({ dataDir, shell: 'web', background: false, undoWindowSeconds: 0, secretStore, logger: silentLogger, sandbox: demo.descriptor, actor: 'os-user' });
  await engine.sync.runOnce();
  await signIn(['clerk', 'supervisor', 'supervisor2', 'admin'], PASSWORD);
  // Limit $25.00 for the clerk; four-eyes above it.
  await ok('admin', 'controls:setPolicy', { approvalAboveCents: 2_500, toleranceCents: 100 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('write-offs', () => {
  it('within the clerk limit: approved at once, posted once with the write-off as the allowed amount', async () => {
    const c = shortPayCase(1, 2_500);
    await allocateShort(c);
    const pv = await ok<ControlPreview>('clerk', 'controls:preview', { transactionId: c.transactionId });
    expect(pv).toMatchObject({ writeOffCents: c.balance - c.amountCents, needsApproval: false, erpTakesWriteOffs: true });
    const v = await ok<ControlView>('clerk', 'controls:requestWriteOff', { transactionId: c.transactionId, reasonCode: 'Small balance' });
    expect(v).toMatchObject({ state: 'done', approvals: [] });
    await engine.worker.drain();
    await engine.worker.drain();
    const posted = await receiptsFor(String(c.transactionId));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.lines).toEqual([{ invoiceNo: c.invoiceNo, amountCents: c.amountCents, allowedCents: c.balance - c.amountCents }]);
    expect(await openBalance(c.invoiceNo)).toBeNull();
  });

  it('above the limit: waits for a supervisor; the clerk cannot approve; a supervisor approves with password; posted once', async () => {
    const c = shortPayCase(2_501, 40_000);
    await allocateShort(c);
    const v = await ok<ControlView>('clerk', 'controls:requestWriteOff', { transactionId: c.transactionId, reasonCode: 'Customer dispute', note: 'agreed by phone' });
    expect(v.state).toBe('requested');
    expect(gridRows(engine.db, [c.transactionId])[0]?.control).toBe('approval_pending');
    // A second request for the same payment is refused while one waits.
    expect(await call('clerk', 'controls:requestWriteOff', { transactionId: c.transactionId, reasonCode: 'Other' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await call('clerk', 'controls:approve', { controlId: v.id, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/needs the supervisor role/) } });
    expect(await call('supervisor', 'controls:approve', { controlId: v.id, password: 'wrong' })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await receiptsFor(String(c.transactionId))).toHaveLength(0);
    const approved = await ok<ControlView>('supervisor', 'controls:approve', { controlId: v.id, password: PASSWORD });
    expect(approved).toMatchObject({ state: 'done', requestedBy: 'clerk', approvals: [{ by: 'supervisor', role: 'supervisor' }] });
    expect(await call('supervisor2', 'controls:approve', { controlId: v.id, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await engine.worker.drain();
    await engine.worker.drain();
    const posted = await receiptsFor(String(c.transactionId));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.lines[0]?.allowedCents).toBe(c.balance - c.amountCents);
    const actions = auditFor(engine.db, 'transaction', String(c.transactionId)).map((a) => `${a.action}:${a.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['control.write_off.requested:clerk', 'control.write_off.approved:supervisor', 'match.approve:clerk']));
  });

  it('a supervisor may confirm their own small request, but a second supervisor is needed above the second-approver limit', async () => {
    await ok('admin', 'controls:setPolicy', { secondApproverAboveCents: 3_000, adminAboveCents: 1_000_000 });
    const c = shortPayCase(3_001, 40_000);
    await allocateShort(c);
    const v = await ok<ControlView>('supervisor', 'controls:requestWriteOff', { transactionId: c.transactionId, reasonCode: 'Pricing error' });
    expect(await call('supervisor', 'controls:approve', { controlId: v.id, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/second supervisor/) } });
    expect((await ok<ControlView>('supervisor2', 'controls:reject', { controlId: v.id, reason: 'Collect it' })).state).toBe('rejected');
  });
});

describe('receipt reversal', () => {
  it('a clerk cannot reverse; a supervisor reverses once even when the reply is lost; the invoice re-opens', async () => {
    const auto = gridRows(engine.db).filter((r) => r.status === 'auto').map((r) => r.transactionId).slice(0, 3);
    await ok('clerk', 'matches:approve', { transactionIds: auto });
    await engine.worker.drain();
    const row = gridRows(engine.db, auto).find((r) => r.status === 'posted')!;
    const invoiceNo = row.matchedInvoices[0]!;
    expect(await openBalance(invoiceNo)).toBeNull();

    expect(await call('clerk', 'controls:reverse', { transactionId: row.transactionId, reason: 'Wrong customer', password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // The reversal commits in P21 but its reply is lost.
    await control('faults', { append: true, rules: [{ fault: { kind: 'commit-then-drop' }, method: 'POST', pathPrefix: '/uiserver0/api/v2/transaction', times: 1 }] });
    // Above the second-supervisor limit ($30.00 here), the reversing supervisor cannot reverse alone (four-eyes).
    expect(row.amountCents).toBeGreaterThan(3_000);
    const asked = await ok<ControlView>('supervisor', 'controls:reverse', { transactionId: row.transactionId, reason: 'Wrong customer', password: PASSWORD });
    expect(asked).toMatchObject({ state: 'requested', reversal: null, approvalRule: expect.stringMatching(/A second supervisor/) });
    expect((await control<{ count: number }>('count-reversals', { reference: `R${row.transactionId}` })).count).toBe(0);
    expect(await call('supervisor', 'controls:approve', { controlId: asked.id, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/second supervisor must approve/) } });
    // Nor can anyone ask for a second reversal meanwhile.
    expect(await call('supervisor2', 'controls:reverse', { transactionId: row.transactionId, reason: 'again', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const v = await ok<ControlView>('supervisor2', 'controls:approve', { controlId: asked.id, password: PASSWORD });
    expect(v.reversal?.state).toBe('unknown_outcome');
    expect((await control<{ count: number }>('count-reversals', { reference: `R${row.transactionId}` })).count).toBe(1);
    // Run again: the look-up finds it; nothing is sent twice.
    const done = await ok<ControlView>('supervisor', 'controls:runReversal', { controlId: v.id });
    expect(done).toMatchObject({ state: 'done', reversal: { state: 'posted', reference: `R${row.transactionId}`, executedBy: 'supervisor' }, approvals: [{ by: 'supervisor2' }] });
    expect((await control<{ count: number }>('count-reversals', { reference: `R${row.transactionId}` })).count).toBe(1);
    expect(await openBalance(invoiceNo)).toBeGreaterThan(0);
    expect(gridRows(engine.db, [row.transactionId])[0]?.control).toBe('reversed');
    // A second reversal of the same receipt is refused.
    expect(await call('supervisor2', 'controls:reverse', { transactionId: row.transactionId, reason: 'again', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const reversed = auditFor(engine.db, 'transaction', String(row.transactionId)).find((a) => a.action === 'receipt.reversed');
    expect(reversed?.after).toMatchObject({ requestedBy: 'supervisor', approvedBy: ['supervisor2'], executedBy: 'supervisor', reason: 'Wrong customer' });
    expect(verifyAudit(engine.db).ok).toBe(true);
  });

  it("is dated on the merchant's day by the engine's clock, not the UTC day (8:30 pm in Los Angeles is 04:30 UTC the next day)", async () => {
    const sbx = await runDemoSandboxes({ erpKind: 'p21', seed: 13 });
    // The demo's payments are dated around today: synced and posted now, reversed at 8:30 pm in Los Angeles.
    const clock = manualClock(Date.now());
    const local = await openTestEngine(sbx.descriptor, { clock, secretStore: testSecretStore() });
    try {
      expect(local.settings().sync.merchantZone).toBe('America/Los_Angeles');
      await local.sync.runOnce();
      const as = signedInCalls(() => local);
      await as.signIn(['clerk', 'supervisor'], PASSWORD);
      // Within the default $500.00 second-supervisor limit: the supervisor reverses alone.
      const auto = gridRows(local.db).filter((r) => r.status === 'auto' && r.amountCents <= 50_000).map((r) => r.transactionId).slice(0, 1);
      await as.ok('clerk', 'matches:approve', { transactionIds: auto });
      await local.worker.drain();
      const row = gridRows(local.db, auto).find((r) => r.status === 'posted')!;
      clock.set(Date.parse('2026-03-10T04:30:00Z'));
      const v = await as.ok<ControlView>('supervisor', 'controls:reverse', { transactionId: row.transactionId, reason: 'Wrong customer', password: PASSWORD });
      expect(v).toMatchObject({ state: 'done', reversal: { state: 'posted' } });
      const connector = await local.erpConnector();
      expect((await connector.findReversal!(String(row.transactionId)))?.date).toBe('2026-03-09');
      // Stored with the reversal when it was queued: a retry on a later day posts the same date.
      expect(local.db.prepare('SELECT reversal_date FROM receipt_reversals WHERE transaction_id = ?').get(row.transactionId)).toEqual({ reversal_date: '2026-03-09' });
    } finally {
      await local.close();
      await sbx.close();
    }
  }, 120_000);
});
