import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cents } from '../../shared/money';
import type { MatchOutcome } from '../../shared/domain';
import { auditFor, appendAudit } from '../../electron/core/audit/audit-log';
import { thenSide } from '../../electron/core/offline/snapshot';
import { openStore, type Db } from '../../electron/core/store/db';
import { StoredDataError } from '../../electron/core/store/json-column';
import { decisionSnapshot } from '../../electron/core/store/queries/decision-snapshots';
import { currentMapping } from '../../electron/core/store/queries/erp-mappings';
import { listCustomers, listOpenInvoices, upsertCustomers, upsertOpenInvoices } from '../../electron/core/store/queries/ledger';
import { getOutcome, gridRows, saveOutcomes } from '../../electron/core/store/queries/matches';
import { openConflicts } from '../../electron/core/store/queries/posting-conflicts';
import { receiptFor } from '../../electron/core/store/queries/posting-state';
import { loadSettings } from '../../electron/core/store/queries/settings';
import { getTransaction, upsertTransactions } from '../../electron/core/store/queries/transactions';
import { storedSale } from '../support/stored-sale';

// A JSON column that was damaged (by hand, a bad restore, an older writer)
// reads back as a StoredDataError naming the table and column, never as an
// object of the wrong shape travelling on into a posting.

const AT = '2026-01-05T15:00:00.000Z';

function seeded(): Db {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-json-')));
  const t = storedSale(1, { createdAt: AT, billingName: 'Apex' });
  const o: MatchOutcome = {
    transactionId: 1,
    status: 'suggested',
    allocations: [{ invoiceNo: 'INV-1', amountCents: cents(10_000) }],
    customerId: 'C1',
    candidates: [],
    score: 0.7,
    reason: 'r',
    reasons: [],
    exception: null,
    unappliedCents: cents(0),
  };
  upsertTransactions(db, [t], AT);
  saveOutcomes(db, [o], AT);
  upsertCustomers(db, [{ customerId: 'C1', name: 'Apex', contacts: ['Ann'] }], AT);
  upsertOpenInvoices(
    db,
    [{ invoiceNo: 'INV-1', customerId: 'C1', invoiceDate: '2026-01-01', dueDate: null, amountCents: cents(10_000), openBalanceCents: cents(10_000), currency: 'USD', poNo: '', terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } }],
    AT,
  );
  return db;
}

function queueReceipt(db: Db, payload: string, state = 'queued'): void {
  db.prepare(
    `INSERT INTO outbox (idempotency_key, transaction_id, kind, payload_json, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES ('1', 1, 'receipt', ?, ?, 0, ?, ?, ?)`,
  ).run(payload, state, AT, AT, AT);
}

function expectStoredDataError(read: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    read();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(StoredDataError);
  expect((error as Error).message).toMatch(message);
}

/** Rewrites payment 1's stored outcome in JS (the same on SQLite and PostgreSQL, which spell JSON edits apart). */
function editOutcome(db: Db, edit: (outcome: Record<string, unknown>) => Record<string, unknown>): void {
  const { outcome_json } = db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = 1').get() as { outcome_json: string };
  db.prepare('UPDATE matches SET outcome_json = ? WHERE transaction_id = 1').run(JSON.stringify(edit(JSON.parse(outcome_json) as Record<string, unknown>)));
}

describe('damaged JSON columns', () => {
  it('reads intact columns back as written', () => {
    const db = seeded();
    expect(getOutcome(db, 1)?.allocations).toEqual([{ invoiceNo: 'INV-1', amountCents: 10_000 }]);
    expect(listCustomers(db)[0]?.contacts).toEqual(['Ann']);
    expect(listOpenInvoices(db)[0]?.terms).toEqual({ discountBasisPoints: 200, discountDays: 10, netDays: 30 });
    expect(getTransaction(db, 1)?.raw).toEqual({ transaction_id: 1 });
  });

  it('a match outcome of the wrong shape, or not JSON, is a StoredDataError naming matches.outcome_json', () => {
    const db = seeded();
    // Amount as a decimal string: JSON.parse(...) as MatchOutcome would have let it through.
    editOutcome(db, (o) => ({ ...o, unappliedCents: '0.00' }));
    expectStoredDataError(() => getOutcome(db, 1), /matches\.outcome_json does not have the expected shape \(unappliedCents/);
    db.prepare("UPDATE matches SET outcome_json = '{\"transactionId\": 1,' WHERE transaction_id = 1").run();
    expectStoredDataError(() => getOutcome(db, 1), /matches\.outcome_json holds text that is not JSON/);
  });

  it("the grid's allocations and the outcome's extras are checked too", () => {
    const db = seeded();
    db.prepare('UPDATE matches SET allocations_json = \'[{"invoiceNo":"INV-1","amountCents":100.5}]\' WHERE transaction_id = 1').run();
    expectStoredDataError(() => gridRows(db), /matches\.allocations_json/);
    db.prepare("UPDATE matches SET allocations_json = '[]' WHERE transaction_id = 1").run();
    editOutcome(db, (o) => ({ ...o, markers: ['bogus'] }));
    expectStoredDataError(() => gridRows(db), /matches\.outcome_json/);
  });

  it("a receipt payload without its allocations is refused before it reaches a decision's snapshot", () => {
    const db = seeded();
    queueReceipt(db, JSON.stringify({ reference: '1', customerId: 'C1', date: '2026-01-05', amountCents: 10_000, currency: 'USD', paymentMethod: 'card' }));
    expectStoredDataError(() => receiptFor(db, 1), /outbox\.payload_json does not have the expected shape \(allocations/);
  });

  it('decision snapshots and conflicts name their column', () => {
    const db = seeded();
    db.prepare("INSERT INTO decision_snapshots (transaction_id, taken_at, snapshot_json) VALUES (1, ?, '{\"takenAt\":\"x\"}')").run(AT);
    expectStoredDataError(() => decisionSnapshot(db, 1), /decision_snapshots\.snapshot_json/);
    expectStoredDataError(
      () => thenSide(db, 1, { reference: '1', customerId: 'C1', date: '2026-01-05', amountCents: cents(10_000), currency: 'USD', paymentMethod: 'card', allocations: [] }),
      /decision_snapshots\.snapshot_json/,
    );
    queueReceipt(db, '{}', 'conflict');
    db.prepare("INSERT INTO posting_conflicts (transaction_id, kinds_json, then_json, now_json, detected_at, state) VALUES (1, '{\"kinds\":[\"no_such_kind\"],\"details\":[]}', '{}', '{}', ?, 'open')").run(AT);
    expectStoredDataError(() => openConflicts(db), /posting_conflicts\.kinds_json/);
  });

  it('ledger, raw rows, audit, mappings and settings name their column', () => {
    const db = seeded();
    db.prepare("UPDATE customers SET contacts_json = '\"Ann\"'").run();
    expectStoredDataError(() => listCustomers(db), /customers\.contacts_json/);
    db.prepare("UPDATE invoices SET terms_json = '{\"discountBasisPoints\":\"2%\"}'").run();
    expectStoredDataError(() => listOpenInvoices(db), /invoices\.terms_json/);
    db.prepare("UPDATE paytrace_transactions SET raw_json = 'not json'").run();
    expectStoredDataError(() => getTransaction(db, 1), /paytrace_transactions\.raw_json holds text that is not JSON/);

    appendAudit(db, { actor: 'ann', action: 'a', objectType: 't', objectId: '1', after: { ok: true } });
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET after_json = '{ok'").run();
    expectStoredDataError(() => auditFor(db, 't', '1'), /audit\.after_json/);

    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('erp_mapping:file:000001', '{\"version\":1}', ?)").run(AT);
    expectStoredDataError(() => currentMapping(db, 'file'), /settings\.value \(erp_mapping:file:000001\)/);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('app', '[1]', ?)").run(AT);
    expectStoredDataError(() => loadSettings(db), /settings\.value \(app\)/);
  });
});
