import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlView } from '@shared/api/controls';
import type { HandoffFileResult, HandoffSession, ImportDecisionsResult } from '@shared/api/offline';
import { defaultErpMapping, type ErpMapping } from '@shared/erp-mapping';
import { main } from '../../electron/cli/tieout';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import type { ReceiptRequest } from '../../electron/core/erp/connector';
import { openStore } from '../../electron/core/store/db';
import { gridRows } from '../../electron/core/store/queries/matches';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { manualClock } from '../../electron/core/clock';
import { openTestEngine, signedInCalls, tempDir, testSecretStore, value } from './support/engine';

// Approval was written four times (the grid, a supervisor's write-off, the
// hand-off import, `tieout approve`) and the copies had drifted apart. Each
// test here is one such drift: it failed on the old copies and passes now
// that all four call the one approval (electron/core/approval/approve.ts).

let demo: RunningDemo;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21 });
}, 60_000);

afterAll(async () => {
  await demo?.close();
});

const receiptOf = (db: Engine['db'], transactionId: number): { state: string; receipt: ReceiptRequest } => {
  const row = db.prepare("SELECT state, payload_json FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(transactionId) as { state: string; payload_json: string };
  return { state: row.state, receipt: JSON.parse(row.payload_json) as ReceiptRequest };
};

describe('tieout approve', () => {
  it('saves the decision snapshot with the decision, as the app does (was: never saved)', async () => {
    const dataDir = tempDir('drift-cli');
    // The CLI opens the keychain's default service, as an installed tieout does.
    const setup = await openTestEngine(demo.descriptor, { dataDir, secretStore: keytarSecretStore() });
    await setup.sync.runOnce();
    await setup.close();
    const descriptorFile = join(mkdtempSync(join(tmpdir(), 'tieout-drift-sbx-')), 'sandbox.json');
    writeFileSync(descriptorFile, JSON.stringify(demo.descriptor));

    let out = '';
    const code = await main(['approve', '--status', 'auto', '--limit', '3', '--data-dir', dataDir, '--sandbox-file', descriptorFile], { stdout: (s) => (out += s), stderr: () => {} });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ approved: 3 });

    const db = openStore(dataDir);
    try {
      const approved = db.prepare("SELECT transaction_id AS id, decided_at FROM matches WHERE review_state = 'approved'").all() as Array<{ id: number; decided_at: string }>;
      expect(approved).toHaveLength(3);
      for (const a of approved) {
        const snapshot = db.prepare('SELECT taken_at FROM decision_snapshots WHERE transaction_id = ?').get(a.id) as { taken_at: string } | undefined;
        expect(snapshot, `snapshot of ${a.id}`).toEqual({ taken_at: a.decided_at });
        // Posting is still left to `tieout post`.
        expect(receiptOf(db, a.id).state).toBe('queued');
      }
    } finally {
      db.close();
    }
  }, 60_000);
});

describe('hand-off import', () => {
  let office: Engine;
  let laptop: Engine;
  const passphrase = 'drift-harbour-7';

  beforeAll(async () => {
    const secretStore = testSecretStore();
    office = await openTestEngine(demo.descriptor, { secretStore, actor: 'office-clerk' });
    laptop = await openTestEngine(demo.descriptor, { secretStore, actor: 'home-reviewer' });
    await office.sync.runOnce();
  }, 60_000);

  afterAll(async () => {
    await office?.close();
    await laptop?.close();
  });

  it('queues the receipt with the ERP payment mapping, as the grid does (was: no mapping)', async () => {
    const mapping: ErpMapping = { ...defaultErpMapping(), defaultGlAccount: '1010', glRules: [{ method: 'card', glAccount: '1030' }, { method: 'ach', glAccount: '1020' }], bankCode: 'WF01' };
    value(await office.dispatch('erp:mappingSave', { mapping }));

    const file = value<HandoffFileResult>(await office.dispatch('handoff:export', { passphrase }));
    const session = value<HandoffSession>(await laptop.dispatch('handoff:open', { base64: file.base64, passphrase }));
    const suggested = session.exceptions.find((e) => e.status === 'review' && e.allocations.length > 0 && e.customerId);
    expect(suggested).toBeDefined();
    const id = suggested!.transactionId;
    value(await laptop.dispatch('handoff:decide', { sessionId: session.sessionId, transactionId: id, decision: { approve: true } }));
    const decisions = value<HandoffFileResult>(await laptop.dispatch('handoff:exportDecisions', { sessionId: session.sessionId, passphrase }));

    const result = value<ImportDecisionsResult>(await office.dispatch('handoff:importDecisions', { base64: decisions.base64, passphrase }));
    expect(result.approved).toEqual([id]);
    const { receipt } = receiptOf(office.db, id);
    expect(receipt).toMatchObject({ mappingVersion: 1, bankCode: 'WF01' });
    expect(receipt.glAccount).toMatch(/^10[123]0$/);
    expect(office.db.prepare('SELECT 1 AS ok FROM decision_snapshots WHERE transaction_id = ?').get(id)).toEqual({ ok: 1 });
  });
});

describe('a write-off approved within the clerk limit', () => {
  let engine: Engine;
  const { ok, signIn } = signedInCalls(() => engine);

  beforeAll(async () => {
    engine = await openTestEngine(demo.descriptor, { shell: 'web', actor: 'os-user' });
    await engine.sync.runOnce();
    await signIn(['clerk', 'admin'], 'tieout-demo-pass');
    await ok('admin', 'controls:setPolicy', { approvalAboveCents: 2_500, toleranceCents: 100 });
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('is checked against what the ERP connection posts: an open credit this P21 connection does not apply is refused as such (was: "cannot be checked now")', async () => {
    // This P21 connection does not apply open credits from Tieout (Settings → ERP, creditApplication off).
    await ok('admin', 'settings:save', { erp: { options: { ...engine.settings().erp.options, creditApplication: 'off' } } });
    // A payment short-paying an open invoice by 10.00 to 25.00 (a write-off within the clerk's limit).
    const invoices = engine.db.prepare("SELECT invoice_no, customer_id, open_balance_cents AS bal FROM invoices WHERE is_open = 1 AND currency = 'USD'").all() as Array<{ invoice_no: string; customer_id: string; bal: number }>;
    let found: { transactionId: number; amountCents: number; invoiceNo: string; customerId: string } | null = null;
    for (const row of gridRows(engine.db)) {
      if (row.status !== 'review' && row.status !== 'exception' && row.status !== 'auto') continue;
      const inv = invoices.find((i) => i.bal - row.amountCents >= 1_000 && i.bal - row.amountCents <= 2_500);
      if (inv) {
        found = { transactionId: row.transactionId, amountCents: row.amountCents, invoiceNo: inv.invoice_no, customerId: inv.customer_id };
        break;
      }
    }
    expect(found).not.toBeNull();
    const c = found!;
    await ok('clerk', 'matches:allocate', { transactionId: c.transactionId, customerId: c.customerId, allocations: [{ invoiceNo: c.invoiceNo, amountCents: c.amountCents }] });
    // The customer's open credit of 5.00 applied inside the receipt: 5.00 more on the invoice, -5.00 on the credit.
    engine.db
      .prepare("INSERT INTO invoices (invoice_no, customer_id, invoice_date, amount_cents, open_balance_cents, currency, updated_at) VALUES ('CM-DRIFT-1', ?, '2026-11-01', -500, -500, 'USD', '2026-11-01T00:00:00Z')")
      .run(c.customerId);
    const m = engine.db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(c.transactionId) as { outcome_json: string };
    const allocations = [
      { invoiceNo: c.invoiceNo, amountCents: c.amountCents + 500 },
      { invoiceNo: 'CM-DRIFT-1', amountCents: -500 },
    ];
    engine.db.prepare('UPDATE matches SET outcome_json = ? WHERE transaction_id = ?').run(JSON.stringify({ ...(JSON.parse(m.outcome_json) as object), allocations }), c.transactionId);

    const v = await ok<ControlView>('clerk', 'controls:requestWriteOff', { transactionId: c.transactionId, reasonCode: 'Small balance' });
    expect(v.state).toBe('failed');
    expect(v.lastError).toContain('which this ERP connection does not post from Tieout');
    expect(engine.db.prepare('SELECT 1 FROM outbox WHERE transaction_id = ?').get(c.transactionId)).toBeUndefined();
  });
});

describe('the engine as the only composition root', () => {
  it('a one-shot engine (background off) leaves an unfinished reversal alone (was: resumed each time handlers were created)', async () => {
    const dataDir = tempDir('drift-root');
    const secretStore = testSecretStore();
    const first = await openTestEngine(demo.descriptor, { dataDir, secretStore });
    await first.sync.runOnce();
    const [row] = gridRows(first.db);
    const at = '2026-12-01T10:00:00.000Z';
    const control = first.db
      .prepare(
        `INSERT INTO control_requests (kind, transaction_id, amount_cents, currency, reason_code, detail_json, state, requested_by, requester_role, requested_at, updated_at)
         VALUES ('reversal', ?, 0, 'USD', 'Posted twice', '{}', 'approved', 'supervisor', 'supervisor', ?, ?)`,
      )
      .run(row!.transactionId, at, at);
    first.db
      .prepare("INSERT INTO receipt_reversals (control_id, transaction_id, reference, receipt_reference, reason, state, created_at, updated_at) VALUES (?, ?, 'R-DRIFT', ?, 'Posted twice', 'queued', ?, ?)")
      .run(Number(control.lastInsertRowid), row!.transactionId, String(row!.transactionId), at, at);
    await first.close();

    // What `tieout status` does: open the engine without background work, and close it.
    const oneShot = await openTestEngine(demo.descriptor, { dataDir, secretStore });
    const reversal = oneShot.db.prepare("SELECT state, attempts, lease_owner, updated_at FROM receipt_reversals WHERE reference = 'R-DRIFT'").get();
    await oneShot.close();
    expect(reversal).toEqual({ state: 'queued', attempts: 0, lease_owner: null, updated_at: at });
  }, 60_000);
});

describe('the grid\'s approval', () => {
  it('records the decision, its snapshot and its audit entry at one instant of the engine\'s clock (was: the snapshot read the clock again)', async () => {
    const clock = manualClock(Date.parse('2026-12-02T09:00:00.000Z'));
    const engine = await openTestEngine(demo.descriptor, { clock });
    try {
      await engine.sync.runOnce();
      const id = gridRows(engine.db).find((r) => r.status === 'auto')!.transactionId;
      expect(value<{ approved: number[] }>(await engine.dispatch('matches:approve', { transactionIds: [id] })).approved).toEqual([id]);
      const at = '2026-12-02T09:00:00.000Z';
      expect(engine.db.prepare('SELECT decided_at FROM matches WHERE transaction_id = ?').get(id)).toEqual({ decided_at: at });
      expect(engine.db.prepare('SELECT taken_at FROM decision_snapshots WHERE transaction_id = ?').get(id)).toEqual({ taken_at: at });
      expect(engine.db.prepare("SELECT at FROM audit WHERE action = 'match.approve' AND object_id = ?").get(String(id))).toEqual({ at });
    } finally {
      await engine.close();
    }
  }, 60_000);
});
