import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConflictView } from '@shared/api/offline';
import { cents } from '@shared/money';
import { createEngine, type Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo, type SandboxDescriptor } from '../../electron/sandboxes/demo/demo-sandboxes';
import { erpModule } from '../../electron/core/erp/registry';
import { silentLogger } from '../../electron/core/log/logger';
import { PayTraceClient } from '../../electron/core/paytrace/client';
import { gridRows } from '../../electron/core/store/queries/matches';
import { verifyAudit } from '../../electron/core/audit/audit-log';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { relay, type Relay } from '../support/tcp-relay';

// Offline review and catch-up over real HTTP: the engine reaches both sandboxes
// through loopback TCP relays that can be switched off (connection refused),
// decisions are made while they are off, the ERP and PayTrace change behind its
// back, and on reconnect exactly the overtaken decisions become conflicts while
// the rest post once.

const secretStore = keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
const dataDir = mkdtempSync(join(tmpdir(), 'tieout-offline-'));
let demo: RunningDemo;
let ptRelay: Relay;
let erpRelay: Relay;
let engine: Engine;

async function receiptsFor(reference: string): Promise<number> {
  const r = await axios.post(`${demo.descriptor.erp.baseUrl}/__control/count-receipts`, { reference });
  return (r.data as { count: number }).count;
}

function ok<T>(envelope: { ok: boolean; value?: unknown; error?: unknown }): T {
  expect(envelope, JSON.stringify(envelope).slice(0, 400)).toMatchObject({ ok: true });
  return envelope.value as T;
}

async function drainUntilSettled(): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    await engine.worker.drain();
    const due = engine.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state IN ('queued', 'retry_wait', 'sending', 'unknown_outcome')").get() as { n: number };
    if (due.n === 0) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('the outbox did not settle');
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 11 });
  ptRelay = await relay(demo.descriptor.paytrace.url);
  erpRelay = await relay(demo.descriptor.erp.baseUrl);
  const viaRelays: SandboxDescriptor = {
    paytrace: { ...demo.descriptor.paytrace, url: ptRelay.url },
    erp: { ...demo.descriptor.erp, baseUrl: erpRelay.url },
  };
  engine = await createEngine({
    dataDir,
    shell: 'cli',
    background: false,
    undoWindowSeconds: 0,
    secretStore,
    logger: silentLogger,
    sandbox: viaRelays,
    actor: 'offline-clerk',
    posting: { backoffBaseMs: 5, erpTimeoutMs: 5_000 },
  });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await ptRelay?.stop();
  await erpRelay?.stop();
  await demo?.close();
});

describe('offline review and catch-up (Prophet 21 + PayTrace sandboxes)', () => {
  const chosen = { paidElsewhere: 0, partlyPaid: 0, voided: 0, clean: [] as number[] };

  it('works from the local store with both systems unreachable and says they are offline', async () => {
    const online = await engine.sync.runOnce();
    expect(online.paytrace.reachability).toBe('online');
    expect(online.erp.reachability).toBe('online');
    const rows = gridRows(engine.db);
    const unsettledAuto = demo.world.payments.filter((p) => p.scenario === 'clean' && !p.settledAt && rows.find((r) => r.transactionId === p.transactionId)?.status === 'auto');
    const settledAuto = demo.world.payments.filter((p) => p.scenario === 'clean' && p.settledAt && rows.find((r) => r.transactionId === p.transactionId)?.status === 'auto');
    expect(unsettledAuto.length).toBeGreaterThan(0);
    expect(settledAuto.length).toBeGreaterThan(3);
    chosen.voided = unsettledAuto[0]!.transactionId;
    chosen.paidElsewhere = settledAuto[0]!.transactionId;
    chosen.partlyPaid = settledAuto[1]!.transactionId;
    chosen.clean = [settledAuto[2]!.transactionId, settledAuto[3]!.transactionId];

    await ptRelay.stop();
    await erpRelay.stop();
    const offline = await engine.sync.runOnce();
    expect(offline.paytrace.reachability).toBe('offline');
    expect(offline.erp.reachability).toBe('offline');
    expect(offline.paytrace.asOf).toBe(online.paytrace.asOf);
    expect(offline.erp.asOf).toBe(online.erp.asOf);
    // Every screen's data still comes from the store.
    expect(ok<unknown[]>(await engine.dispatch('grid:rows', {}))).toHaveLength(rows.length);
    ok(await engine.dispatch('grid:detail', { transactionId: chosen.voided }));
  });

  it('records offline actions at once, audited, and queues the approvals', async () => {
    const all = [chosen.paidElsewhere, chosen.partlyPaid, chosen.voided, ...chosen.clean];
    ok(await engine.dispatch('matches:note', { transactionId: chosen.voided, note: 'Called the customer from the plane' }));
    ok(await engine.dispatch('matches:assign', { transactionId: chosen.voided, owner: 'ana' }));
    const exceptionRow = gridRows(engine.db).find((r) => r.status === 'exception')!;
    ok(await engine.dispatch('matches:setException', { transactionId: exceptionRow.transactionId, reason: 'manual', note: 'Needs a credit memo' }));
    const approved = ok<{ approved: number[] }>(await engine.dispatch('matches:approve', { transactionIds: all }));
    expect([...approved.approved].sort()).toEqual([...all].sort());

    const byId = new Map(gridRows(engine.db).map((r) => [r.transactionId, r]));
    expect(byId.get(chosen.voided)).toMatchObject({ note: 'Called the customer from the plane', owner: 'ana', status: 'approved' });
    expect(byId.get(exceptionRow.transactionId)).toMatchObject({ exception: 'manual', note: 'Needs a credit memo' });
    const actions = (engine.db.prepare("SELECT action FROM audit WHERE object_id = ? AND object_type = 'transaction' ORDER BY id").all(String(chosen.voided)) as Array<{ action: string }>).map(
      (a) => a.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['match.note', 'match.assign', 'match.approve']));
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM decision_snapshots').get()).toEqual({ n: all.length });

    // The worker tries, cannot reach the ERP, and keeps everything queued: nothing is lost or sent.
    const drained = await engine.worker.drain();
    expect(drained.posted).toBe(0);
    const states = engine.db.prepare(`SELECT state, attempts FROM outbox WHERE transaction_id IN (${all.join(',')})`).all() as Array<{ state: string; attempts: number }>;
    expect(states.every((s) => (s.state === 'queued' || s.state === 'retry_wait') && s.attempts === 0)).toBe(true);
  });

  it('on reconnect posts what still holds exactly once and turns the rest into conflicts', async () => {
    // The world moves on while Tieout is offline.
    const invoiceOf = (id: number) => gridRows(engine.db, [id])[0]!;
    const direct = erpModule('p21').createConnector({
      baseUrl: demo.descriptor.erp.baseUrl,
      options: demo.descriptor.erp.options,
      credentials: { username: demo.descriptor.erp.username, password: demo.descriptor.erp.password },
      timeoutMs: 10_000,
    });
    const full = invoiceOf(chosen.paidElsewhere);
    const part = invoiceOf(chosen.partlyPaid);
    const inv = (no: string) => engine.db.prepare('SELECT customer_id, open_balance_cents FROM invoices WHERE invoice_no = ?').get(no) as { customer_id: string; open_balance_cents: number };
    const paidInFull = inv(full.matchedInvoices[0]!);
    const partly = inv(part.matchedInvoices[0]!);
    const receipt = (reference: string, customerId: string, invoiceNo: string, amount: number) =>
      direct.postReceipt({
        reference,
        customerId,
        date: new Date().toISOString().slice(0, 10),
        amountCents: cents(amount),
        currency: 'USD',
        paymentMethod: 'ach',
        allocations: [{ invoiceNo, amountCents: cents(amount) }],
      });
    await receipt('CHECK-9001', paidInFull.customer_id, full.matchedInvoices[0]!, paidInFull.open_balance_cents);
    await receipt('CHECK-9002', partly.customer_id, part.matchedInvoices[0]!, 500);
    await direct.close();
    const pt = new PayTraceClient({ baseUrl: demo.descriptor.paytrace.url, integratorId: '', username: demo.descriptor.paytrace.username, password: demo.descriptor.paytrace.password, zone: engine.settings().sync.merchantZone });
    await pt.voidTransaction(chosen.voided);

    await ptRelay.start();
    await erpRelay.start();
    const back = await engine.sync.runOnce();
    expect(back.paytrace.reachability).toBe('online');
    expect(back.erp.reachability).toBe('online');
    await drainUntilSettled();

    for (const id of chosen.clean) expect(await receiptsFor(String(id)), `receipt ${id}`).toBe(1);
    for (const id of [chosen.paidElsewhere, chosen.partlyPaid, chosen.voided]) expect(await receiptsFor(String(id)), `receipt ${id}`).toBe(0);

    const conflicts = ok<ConflictView[]>(await engine.dispatch('conflicts:list', {}));
    const kinds = Object.fromEntries(conflicts.map((c) => [c.transactionId, c.kinds]));
    expect(kinds).toEqual({
      [chosen.paidElsewhere]: ['invoice_paid_elsewhere'],
      [chosen.partlyPaid]: ['invoice_partially_paid'],
      [chosen.voided]: ['payment_voided'],
    });
    const partial = conflicts.find((c) => c.transactionId === chosen.partlyPaid)!;
    // Then and now side by side: the balance the clerk saw, and what the ERP holds now.
    expect(partial.then.invoices[0]!.openBalanceCents).toBe(partly.open_balance_cents);
    expect(partial.now.invoices[0]!.openBalanceCents).toBe(partly.open_balance_cents - 500);
    expect(conflicts.find((c) => c.transactionId === chosen.voided)!.now.payment.type).toBe('VOID');
    const statuses = new Map(gridRows(engine.db).map((r) => [r.transactionId, r.status]));
    expect([chosen.paidElsewhere, chosen.partlyPaid, chosen.voided].map((id) => statuses.get(id))).toEqual(['conflict', 'conflict', 'conflict']);
    for (const id of chosen.clean) expect(statuses.get(id)).toBe('posted');
  });

  it('resolves conflicts: re-allocate posts once after re-validation, discard and re-match return to review', async () => {
    const partlyInvoice = gridRows(engine.db, [chosen.partlyPaid])[0]!.matchedInvoices[0]!;
    const left = (engine.db.prepare('SELECT open_balance_cents FROM invoices WHERE invoice_no = ?').get(partlyInvoice) as { open_balance_cents: number }).open_balance_cents;
    const tooMuch = await engine.dispatch('conflicts:resolve', { transactionId: chosen.partlyPaid, action: 'reallocate', allocations: [{ invoiceNo: partlyInvoice, amountCents: left + 1 }] });
    expect(tooMuch).toMatchObject({ ok: false, error: { code: 'conflict' } });
    ok(await engine.dispatch('conflicts:resolve', { transactionId: chosen.partlyPaid, action: 'reallocate', allocations: [{ invoiceNo: partlyInvoice, amountCents: left }] }));
    ok(await engine.dispatch('conflicts:resolve', { transactionId: chosen.voided, action: 'discard' }));
    ok(await engine.dispatch('conflicts:resolve', { transactionId: chosen.paidElsewhere, action: 'rematch' }));
    await drainUntilSettled();

    expect(await receiptsFor(String(chosen.partlyPaid))).toBe(1);
    expect(await receiptsFor(String(chosen.voided))).toBe(0);
    expect(await receiptsFor(String(chosen.paidElsewhere))).toBe(0);
    for (const id of chosen.clean) expect(await receiptsFor(String(id))).toBe(1);
    expect(ok<ConflictView[]>(await engine.dispatch('conflicts:list', {}))).toEqual([]);
    const byId = new Map(gridRows(engine.db).map((r) => [r.transactionId, r]));
    expect(byId.get(chosen.partlyPaid)!.status).toBe('posted');
    expect(byId.get(chosen.voided)!.status).not.toMatch(/approved|posted|conflict/);
    // Re-matched against the fresh ledger: the invoice paid elsewhere is no longer proposed.
    expect(byId.get(chosen.paidElsewhere)!.status).not.toMatch(/approved|posted|conflict|auto/);
    expect(verifyAudit(engine.db)).toMatchObject({ ok: true });
  });
});
