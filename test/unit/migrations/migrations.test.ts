import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { currentVersion, migrate, migrations } from '../../../electron/core/store/migrations';
import { asStoreDb } from '../../../electron/core/store/db';
import { loadControlPolicy, DEFAULT_CONTROL_POLICY } from '../../../electron/core/controls/policy';
import { loadRefundPolicy, DEFAULT_REFUND_POLICY } from '../../../electron/core/refunds/policy';
import { readRefundConflict } from '../../../electron/core/store/queries/refund-conflicts';
import { readProfileId } from '../../../electron/core/store/queries/app-identity';
import { readPolicy } from '../../../electron/core/store/queries/policies';

// Each migration N on a real SQLite file: migrate to N-1, insert representative
// rows, apply N, check the schema change and that the rows survived (or moved).

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A fresh database file at `version` (WAL and foreign keys as openStore sets them). */
function storeAt(version: number): Database.Database {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'tieout-migration-')), 'tieout.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  open.push(db);
  migrate(db, version);
  expect(currentVersion(db)).toBe(version);
  return db;
}

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
const columns = (db: Database.Database, table: string): string[] => (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);

const T = '2026-03-01T10:00:00.000Z';

function insertTransaction(db: Database.Database, id: number, amountCents = 10_000): void {
  db.prepare(
    `INSERT INTO paytrace_transactions (transaction_id, type, amount_cents, currency, created_at, declined, approval_code, approval_message,
       invoice_id, description, customer_reference_id, customer_id, billing_name, email, masked_card, method, raw_json, first_seen_at, updated_at)
     VALUES (?, 'SALE', ?, 'USD', ?, 0, 'A1', 'APPROVED', 'INV1', '', '', 'C1', 'Apex', '', 'xxxx1111', 'card', '{}', ?, ?)`,
  ).run(id, amountCents, T, T, T);
}

function insertMatch(db: Database.Database, id: number): void {
  db.prepare(
    "INSERT INTO matches (transaction_id, match_status, customer_id, score, reason, outcome_json, review_state, matched_at) VALUES (?, 'auto', 'C1', 0.9, 'r', '{}', 'pending', ?)",
  ).run(id, T);
}

function insertRefund(db: Database.Database, transactionId: number, state = 'approved'): number {
  return Number(
    db
      .prepare(
        "INSERT INTO refund_requests (transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, updated_at) VALUES (?, 2500, 'USD', 'Other', ?, 'ann', 'clerk', ?, ?)",
      )
      .run(transactionId, state, T, T).lastInsertRowid,
  );
}

describe('the migration list', () => {
  it('has one file per migration, named NNNN-name.ts after its version, listed in order', () => {
    const dir = join(__dirname, '../../../electron/core/store/migrations');
    const files = readdirSync(dir).filter((f) => /^\d{4}-.+\.ts$/.test(f)).sort();
    expect(files.map((f) => Number(f.slice(0, 4)))).toEqual(migrations.map((m) => m.version));
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('has a describe block in this file for every migration (a new one comes with its test)', () => {
    const source = readFileSync(__filename, 'utf8');
    for (const m of migrations) expect(source).toContain(`describe('${String(m.version).padStart(4, '0')} `);
  });

  it('carries on from the user_version an older store recorded, and applies nothing twice', () => {
    const db = storeAt(5);
    insertTransaction(db, 1);
    expect(migrate(db)).toBe(migrations.length);
    expect(migrate(db)).toBe(migrations.length);
    expect(db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get()).toEqual({ n: 1 });
  });
});

describe('0001 initial', () => {
  it('creates the core tables on an empty file', () => {
    const db = storeAt(0);
    migrate(db, 1);
    expect(tables(db)).toEqual(expect.arrayContaining(['settings', 'paytrace_transactions', 'customers', 'invoices', 'matches', 'allocations', 'outbox', 'audit', 'sync_state']));
    insertTransaction(db, 1);
    insertMatch(db, 1);
    expect(() => db.prepare("UPDATE matches SET review_state = 'lost'").run()).toThrow(/CHECK/);
  });
});

describe('0002 learned mappings', () => {
  it('adds learned_mappings; customers survive', () => {
    const db = storeAt(1);
    db.prepare("INSERT INTO customers (customer_id, name, updated_at) VALUES ('C1', 'Apex', ?)").run(T);
    migrate(db, 2);
    expect(tables(db)).toContain('learned_mappings');
    expect(db.prepare('SELECT name FROM customers').all()).toEqual([{ name: 'Apex' }]);
    expect(() => db.prepare("INSERT INTO learned_mappings (key, value, customer_id, updated_at) VALUES ('email', 'x', 'C1', ?)").run(T)).toThrow(/CHECK/);
  });
});

describe('0003 users, sessions and refund requests', () => {
  it('adds users, sessions, throttle and refund tables; transactions survive and refunds reference them', () => {
    const db = storeAt(2);
    insertTransaction(db, 7);
    migrate(db, 3);
    expect(tables(db)).toEqual(expect.arrayContaining(['users', 'sessions', 'sign_in_failures', 'refund_requests', 'refund_approvals']));
    expect(insertRefund(db, 7, 'requested')).toBe(1);
    expect(() => insertRefund(db, 8, 'requested')).toThrow(/FOREIGN KEY/);
  });
});

describe('0004 offline review', () => {
  it('adds owner and clerk_exception to matches (existing rows keep theirs, new columns NULL) and the offline tables', () => {
    const db = storeAt(3);
    insertTransaction(db, 1);
    insertMatch(db, 1);
    migrate(db, 4);
    expect(columns(db, 'matches')).toEqual(expect.arrayContaining(['owner', 'clerk_exception']));
    expect(db.prepare('SELECT transaction_id, review_state, owner, clerk_exception FROM matches').all()).toEqual([
      { transaction_id: 1, review_state: 'pending', owner: null, clerk_exception: null },
    ]);
    expect(tables(db)).toEqual(expect.arrayContaining(['clerk_allocations', 'decision_snapshots', 'posting_conflicts', 'handoff_sessions']));
    // One open conflict per transaction; a resolved one does not count.
    const conflict = db.prepare("INSERT INTO posting_conflicts (transaction_id, kinds_json, then_json, now_json, detected_at, state) VALUES (1, '[]', '{}', '{}', ?, ?)");
    conflict.run(T, 'resolved');
    conflict.run(T, 'open');
    expect(() => conflict.run(T, 'open')).toThrow(/UNIQUE/);
  });
});

describe('0005 supervisor controls', () => {
  it('adds control requests, approvals and receipt reversals; existing refunds and transactions survive', () => {
    const db = storeAt(4);
    insertTransaction(db, 1);
    const refundId = insertRefund(db, 1);
    migrate(db, 5);
    expect(tables(db)).toEqual(expect.arrayContaining(['control_requests', 'control_approvals', 'receipt_reversals']));
    expect(db.prepare('SELECT id, state FROM refund_requests').all()).toEqual([{ id: refundId, state: 'approved' }]);
    const request = db.prepare(
      "INSERT INTO control_requests (kind, transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, updated_at) VALUES ('write_off', 1, 500, 'USD', 'Other', ?, 'ann', 'clerk', ?, ?)",
    );
    const id = Number(request.run('requested', T, T).lastInsertRowid);
    // One open request per transaction.
    expect(() => request.run('requested', T, T)).toThrow(/UNIQUE/);
    db.prepare(
      "INSERT INTO receipt_reversals (control_id, transaction_id, reference, receipt_reference, reason, state, created_at, updated_at) VALUES (?, 1, 'REV-1', 'PT-1', 'r', 'queued', ?, ?)",
    ).run(id, T, T);
    expect(() => db.prepare("UPDATE receipt_reversals SET state = 'conflict'").run()).toThrow(/CHECK/);
  });
});

describe('0006 open credits and discount terms', () => {
  it('adds invoices.terms_json (NULL on existing rows); negative balances are allowed', () => {
    const db = storeAt(5);
    db.prepare("INSERT INTO invoices (invoice_no, customer_id, invoice_date, amount_cents, open_balance_cents, currency, updated_at) VALUES ('I1', 'C1', '2026-01-01', 100, 100, 'USD', ?)").run(T);
    migrate(db, 6);
    expect(db.prepare('SELECT invoice_no, open_balance_cents, terms_json FROM invoices').all()).toEqual([{ invoice_no: 'I1', open_balance_cents: 100, terms_json: null }]);
    db.prepare("INSERT INTO invoices (invoice_no, customer_id, invoice_date, amount_cents, open_balance_cents, currency, updated_at) VALUES ('CM1', 'C1', '2026-01-01', -50, -50, 'USD', ?)").run(T);
  });
});

describe('0007 refund links', () => {
  it('adds refund_links (a NULL sale means "no synced sale"); refunds survive', () => {
    const db = storeAt(6);
    insertTransaction(db, 1);
    insertRefund(db, 1);
    migrate(db, 7);
    db.prepare("INSERT INTO refund_links (refund_id, sale_id, linked_by, linked_at) VALUES (400000102, NULL, 'ann', ?)").run(T);
    expect(db.prepare('SELECT refund_id, sale_id FROM refund_links').all()).toEqual([{ refund_id: 400000102, sale_id: null }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM refund_requests').get()).toEqual({ n: 1 });
  });
});

describe('0008 sync_state split', () => {
  const conflict = {
    kind: 'refundable_amount_changed',
    detail: 'Only $10.00 is still refundable',
    detectedAt: '2026-03-02T09:00:00.000Z',
    then: { amountCents: 2500, refundableCents: 10_000, asOf: T },
    now: { saleType: 'SALE', saleAmountCents: 10_000, refundedCents: 9_000, refundableCents: 1_000, asOf: '2026-03-02T09:00:00.000Z' },
    choices: ['reduce', 'discard'],
  };

  it('moves policies, the idle lock, refund conflicts and the profile id out of sync_state; sync cursors stay', () => {
    const db = storeAt(7);
    insertTransaction(db, 1);
    const refundId = insertRefund(db, 1);
    const put = db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?)');
    put.run('controls.policy', JSON.stringify({ approvalAboveCents: 9_900, reasonCodes: ['Small balance'] }));
    put.run('refunds.policy', JSON.stringify({ secondApproverAboveCents: 100 }));
    put.run('auth.idleMinutes', '30');
    put.run('profile.id', 'a1b2c3d4e5f60718');
    put.run(`refunds.conflict.${refundId}`, JSON.stringify(conflict));
    put.run('refunds.conflict.999', JSON.stringify(conflict)); // its refund does not exist
    put.run('paytrace.as_of', T);
    put.run('erp.as_of', T);
    put.run('paytrace.last_window_end', '2026-03-01');
    put.run('sync.last_success_at', T);

    migrate(db, 8);

    expect(tables(db)).toEqual(expect.arrayContaining(['policies', 'refund_conflicts', 'app_identity', 'sync_state']));
    const store = asStoreDb(db);
    expect(loadControlPolicy(store)).toEqual({ ...DEFAULT_CONTROL_POLICY, approvalAboveCents: 9_900, reasonCodes: ['Small balance'] });
    expect(loadRefundPolicy(store)).toEqual({ ...DEFAULT_REFUND_POLICY, secondApproverAboveCents: 100 });
    expect(readPolicy(store, 'session')).toEqual({ idleMinutes: 30 });
    expect(readProfileId(store)).toBe('a1b2c3d4e5f60718');
    expect(readRefundConflict(store, refundId)).toEqual(conflict);
    expect(db.prepare('SELECT refund_id, detected_at FROM refund_conflicts').all()).toEqual([{ refund_id: refundId, detected_at: conflict.detectedAt }]);
    expect(db.prepare('SELECT key, value FROM sync_state ORDER BY key').all()).toEqual([
      { key: 'erp.as_of', value: T },
      { key: 'paytrace.as_of', value: T },
      { key: 'paytrace.last_window_end', value: '2026-03-01' },
      { key: 'sync.last_success_at', value: T },
    ]);
  });

  it('on a store that never saved any of them: defaults, no profile id, nothing moved', () => {
    const db = storeAt(7);
    db.prepare("INSERT INTO sync_state (key, value) VALUES ('auth.idleMinutes', 'soon')").run();
    migrate(db, 8);
    const store = asStoreDb(db);
    expect(loadControlPolicy(store)).toEqual(DEFAULT_CONTROL_POLICY);
    expect(loadRefundPolicy(store)).toEqual(DEFAULT_REFUND_POLICY);
    // An idle lock that never took effect (not a positive number) is not carried over.
    expect(readPolicy(store, 'session')).toBeNull();
    expect(readProfileId(store)).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM sync_state').get()).toEqual({ n: 0 });
    expect(() => db.prepare("INSERT INTO policies (name, json, updated_at) VALUES ('misc', '{}', ?)").run(T)).toThrow(/CHECK/);
  });
});

describe('0009 non-zero allocations', () => {
  it('rebuilds allocations so an open credit applied (a negative line) fits; rows, key and foreign key survive, zero is still refused', () => {
    const db = storeAt(8);
    insertTransaction(db, 1);
    insertMatch(db, 1);
    db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'INV1', 9500)").run();
    expect(() => db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'CM1', -500)").run()).toThrow(/CHECK/);

    migrate(db, 9);

    expect(db.prepare('SELECT transaction_id, invoice_no, amount_cents FROM allocations').all()).toEqual([{ transaction_id: 1, invoice_no: 'INV1', amount_cents: 9500 }]);
    db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'CM1', -500)").run();
    expect(() => db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'INV2', 0)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'INV1', 1)").run()).toThrow(/UNIQUE|PRIMARY KEY/);
    // Foreign keys are back on after the rebuild, and the new table still references matches.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (2, 'INV1', 100)").run()).toThrow(/FOREIGN KEY/);
    expect(tables(db)).not.toContain('allocations_new');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('refuses to commit a rebuild that would leave a broken reference, and keeps the store as it was', () => {
    const db = storeAt(8);
    insertTransaction(db, 1);
    insertMatch(db, 1);
    db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'INV1', 9500)").run();
    // An orphan written while foreign keys were off (an old build, a manual fix).
    db.pragma('foreign_keys = OFF');
    db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (77, 'INV9', 100)").run();
    db.pragma('foreign_keys = ON');

    expect(() => migrate(db, 9)).toThrow(/broken foreign key/);
    expect(currentVersion(db)).toBe(8);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM allocations').get()).toEqual({ n: 2 });
  });
});

describe('0010 refund leases', () => {
  it('adds lease_owner and lease_until to refund_requests (NULL on existing refunds: free to claim)', () => {
    const db = storeAt(9);
    insertTransaction(db, 1);
    const refundId = insertRefund(db, 1, 'executing');
    migrate(db, 10);
    expect(columns(db, 'refund_requests')).toEqual(expect.arrayContaining(['lease_owner', 'lease_until']));
    expect(db.prepare('SELECT state, lease_owner, lease_until FROM refund_requests WHERE id = ?').get(refundId)).toEqual({ state: 'executing', lease_owner: null, lease_until: null });
  });
});

describe('0011 reversal dates', () => {
  it('adds receipt_reversals.reversal_date (NULL on existing reversals: dated at their first send)', () => {
    const db = storeAt(10);
    insertTransaction(db, 1);
    const control = Number(
      db
        .prepare(
          "INSERT INTO control_requests (kind, transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, updated_at) VALUES ('reversal', 1, 500, 'USD', 'Reversal', 'approved', 'sam', 'supervisor', ?, ?)",
        )
        .run(T, T).lastInsertRowid,
    );
    db.prepare(
      "INSERT INTO receipt_reversals (control_id, transaction_id, reference, receipt_reference, reason, state, created_at, updated_at) VALUES (?, 1, 'R1', '1', 'r', 'retry_wait', ?, ?)",
    ).run(control, T, T);
    migrate(db, 11);
    expect(columns(db, 'receipt_reversals')).toContain('reversal_date');
    expect(db.prepare('SELECT reference, state, reversal_date FROM receipt_reversals').all()).toEqual([{ reference: 'R1', state: 'retry_wait', reversal_date: null }]);
  });
});

describe('0012 pending changes', () => {
  it('adds pending_changes (empty: nothing waits for a second admin after the upgrade) with its kinds and states checked', () => {
    const db = storeAt(11);
    migrate(db, 12);
    expect(columns(db, 'pending_changes')).toEqual(
      expect.arrayContaining(['id', 'kind', 'target', 'summary', 'change_json', 'state', 'requested_by', 'requested_at', 'decided_by', 'decided_at', 'reject_reason']),
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM pending_changes').get()).toEqual({ n: 0 });
    const insert = db.prepare("INSERT INTO pending_changes (kind, target, summary, change_json, requested_by, requested_at) VALUES (?, 'refunds', 's', '{}', 'ada', ?)");
    insert.run('refunds.policy', T);
    expect(db.prepare('SELECT state FROM pending_changes').get()).toEqual({ state: 'pending' });
    expect(() => insert.run('settings', T)).toThrow(/CHECK/);
  });
});

describe('0013 sign-in reservations, TOTP enrolments and sign-in policy', () => {
  it('adds in-flight reservations to sign_in_failures (existing counts kept) a totp_enrolments table without any secret column and a one-row sign_in_policy', () => {
    // From 11: 0012 belongs to another change and may or may not be there; either way 13 applies on top.
    const db = storeAt(11);
    db.prepare("INSERT INTO sign_in_failures (user_name, failures, locked_until, last_failure_at) VALUES ('bob', 3, NULL, ?)").run(T);
    migrate(db, 13);
    expect(db.prepare('SELECT failures, in_flight, reserved_at FROM sign_in_failures').all()).toEqual([{ failures: 3, in_flight: 0, reserved_at: null }]);
    expect(columns(db, 'totp_enrolments')).toEqual(['user_name', 'enrolled_at', 'enrolled_by', 'last_used_step']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sign_in_policy').get()).toEqual({ n: 0 });
    expect(() => db.prepare("INSERT INTO sign_in_policy VALUES (2, 1, 't', 'x')").run()).toThrow(/CHECK/);
  });
});

describe('0014 scrub raw PayTrace rows', () => {
  it('reduces stored export rows to the allow-listed fields (no expiry date), clears a mask that is not one, and redacts reject errors', () => {
    const db = storeAt(13);
    insertTransaction(db, 1);
    insertTransaction(db, 2);
    const row = {
      transaction_id: 1,
      transaction_type: 'SALE',
      amount: 110,
      invoice_id: 'inv1234',
      credit_card: { masked_number: '************5454', expiration_month: 12, expiration_year: 29, number: '5454545454545454' },
      check: { account_number: '000123456789', routing_number: '325070760', status: 'Processed' },
      billing_address: { name: 'Kevin', zip: '85284' },
      created: { through: 'API', at: '4/10/2015 4:06:30 PM', by: 'sandbox123', from_ip: '64.106.246.164' },
      csc: '123',
      track_data: '%B4111111111111111^DOE/JOHN^2912101?',
      discretionary_data: { note: 'anything' },
      original_transaction_id: '77',
    };
    db.prepare('UPDATE paytrace_transactions SET raw_json = ? WHERE transaction_id = 1').run(JSON.stringify(row));
    db.prepare("UPDATE paytrace_transactions SET raw_json = 'not json', masked_card = '4111111111111111' WHERE transaction_id = 2").run();
    db.prepare("INSERT INTO paytrace_rejects (raw_json, error, seen_at) VALUES (?, 'PayTrace transaction 9: credit_card is not an object (\"4111111111111111\")', ?)").run(JSON.stringify({ transaction_id: 9, credit_card: '4111111111111111', expiration_month: 1 }), T);
    migrate(db, 14);
    const stored = db.prepare('SELECT transaction_id, raw_json, masked_card FROM paytrace_transactions ORDER BY transaction_id').all() as Array<{ raw_json: string; masked_card: string }>;
    expect(JSON.parse(stored[0]!.raw_json)).toEqual({
      transaction_id: 1,
      transaction_type: 'SALE',
      amount: 110,
      invoice_id: 'inv1234',
      credit_card: { masked_number: '************5454' },
      check: { status: 'Processed' },
      billing_address: { name: 'Kevin', zip: '85284' },
      created: { through: 'API', at: '4/10/2015 4:06:30 PM', by: 'sandbox123' },
      original_transaction_id: '77',
    });
    expect(stored[0]!.masked_card).toBe('xxxx1111');
    expect(stored[1]).toEqual({ transaction_id: 2, raw_json: '{}', masked_card: '' });
    const reject = db.prepare('SELECT raw_json, error FROM paytrace_rejects').get() as { raw_json: string; error: string };
    expect(JSON.parse(reject.raw_json)).toEqual({ transaction_id: 9 });
    expect(reject.error).toBe('PayTrace transaction 9: credit_card is not an object ("[card number removed]")');
  });
});

describe('0015 pending sign-in policy changes', () => {
  it('lets pending_changes hold a sign-in policy change, keeping the rows (and ids) already there', () => {
    const db = storeAt(14);
    const insert = db.prepare("INSERT INTO pending_changes (kind, target, summary, change_json, requested_by, requested_at) VALUES (?, 'signIn', 's', '{}', 'ada', ?)");
    insert.run('user.role', T);
    expect(() => insert.run('auth.signInPolicy', T)).toThrow(/CHECK/);
    migrate(db, 15);
    insert.run('auth.signInPolicy', T);
    expect(db.prepare('SELECT id, kind, state FROM pending_changes ORDER BY id').all()).toEqual([
      { id: 1, kind: 'user.role', state: 'pending' },
      { id: 2, kind: 'auth.signInPolicy', state: 'pending' },
    ]);
    expect(() => insert.run('settings', T)).toThrow(/CHECK/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'pending_changes_state'").get()).toEqual({ name: 'pending_changes_state' });
  });
});

describe('0016 row presence and sync leader', () => {
  it('adds row_presence (one claim per user and workstation on a payment) and sync_leader (one row), leaving earlier tables as they were', () => {
    const db = storeAt(15);
    const before = tables(db);
    insertTransaction(db, 1);
    migrate(db, 16);
    expect(tables(db)).toEqual([...before, 'row_presence', 'sync_leader'].sort());
    expect(columns(db, 'row_presence')).toEqual(['transaction_id', 'user_name', 'workstation', 'since', 'expires_at']);
    const claim = db.prepare('INSERT INTO row_presence (transaction_id, user_name, workstation, since, expires_at) VALUES (1, ?, ?, ?, ?)');
    claim.run('ann', 'desk-1', T, T);
    claim.run('bob', 'desk-2', T, T);
    expect(() => claim.run('ann', 'desk-1', T, T)).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO sync_leader (id, workstation, since) VALUES (1, 'desk-1', ?)").run(T);
    expect(() => db.prepare("INSERT INTO sync_leader (id, workstation, since) VALUES (2, 'desk-2', ?)").run(T)).toThrow(/CHECK/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get()).toEqual({ n: 1 });
  });
});

describe('0017 refund look-up indexes', () => {
  it('serves the refund-key and take-back look-ups from indexes instead of scanning every payment', () => {
    const db = storeAt(16);
    insertTransaction(db, 1);
    const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const byKey = "SELECT * FROM paytrace_transactions WHERE UPPER(TRIM(invoice_id)) = 'A' AND UPPER(TRIM(customer_id)) = 'B' AND TRIM(masked_card) = 'C' ORDER BY transaction_id";
    const takebacks = "SELECT * FROM paytrace_transactions WHERE UPPER(type) LIKE '%REFUND%' OR UPPER(type) LIKE '%VOID%' ORDER BY transaction_id";
    expect(plan(byKey)).not.toMatch(/paytrace_transactions_refund_key/);
    migrate(db, 17);
    expect(plan(byKey)).toMatch(/USING INDEX paytrace_transactions_refund_key/);
    expect(plan(takebacks)).toMatch(/paytrace_transactions_takebacks/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get()).toEqual({ n: 1 });
  });
});

describe('0018 saved views', () => {
  it('adds saved_views: one name per owner, shared and default flags that are 0 or 1, earlier tables untouched', () => {
    const db = storeAt(17);
    const before = tables(db);
    insertTransaction(db, 1);
    migrate(db, 18);
    expect(tables(db)).toEqual([...before, 'saved_views'].sort());
    expect(columns(db, 'saved_views')).toEqual(['id', 'owner', 'name', 'view_json', 'columns_json', 'shared', 'is_default', 'created_at', 'updated_at']);
    const add = db.prepare("INSERT INTO saved_views (owner, name, view_json, created_at, updated_at) VALUES (?, ?, '{}', ?, ?)");
    add.run('ann', 'Big ones', T, T);
    add.run('bob', 'Big ones', T, T);
    expect(() => add.run('ann', 'Big ones', T, T)).toThrow(/UNIQUE/);
    expect(db.prepare("SELECT columns_json, shared, is_default FROM saved_views WHERE owner = 'ann'").get()).toEqual({ columns_json: '{}', shared: 0, is_default: 0 });
    expect(() => db.prepare("UPDATE saved_views SET shared = 2 WHERE owner = 'ann'").run()).toThrow(/CHECK/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get()).toEqual({ n: 1 });
  });
});

describe('0019 grid view indexes', () => {
  it('serves a window sorted by amount or payer from an index instead of sorting every payment', () => {
    const db = storeAt(18);
    insertTransaction(db, 1);
    const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const byAmount = 'SELECT t.transaction_id FROM paytrace_transactions t ORDER BY t.amount_cents DESC, t.created_at DESC, t.transaction_id DESC LIMIT 150';
    const byPayer = 'SELECT t.transaction_id FROM paytrace_transactions t ORDER BY LOWER(t.billing_name) ASC, t.created_at DESC, t.transaction_id DESC LIMIT 150';
    expect(plan(byAmount)).toMatch(/TEMP B-TREE FOR ORDER BY/);
    migrate(db, 19);
    expect(plan(byAmount)).toMatch(/paytrace_transactions_grid_amount/);
    expect(plan(byAmount)).not.toMatch(/TEMP B-TREE/);
    expect(plan(byPayer)).toMatch(/paytrace_transactions_grid_payer/);
    expect(plan(byPayer)).not.toMatch(/TEMP B-TREE/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get()).toEqual({ n: 1 });
  });

  it('bumps the grid data version when a row a view reads changes, and only then', () => {
    const db = storeAt(19);
    const version = () => db.prepare('SELECT n FROM grid_data_version').pluck().get() as number;
    const v0 = version();
    insertTransaction(db, 1);
    const v1 = version();
    expect(v1).toBeGreaterThan(v0);
    db.prepare("UPDATE paytrace_transactions SET billing_name = 'Other' WHERE transaction_id = 1").run();
    expect(version()).toBe(v1 + 1);
    // A write elsewhere (each API call touches its session) keeps the kept counts.
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('grid-test', '1', 'now')").run();
    expect(version()).toBe(v1 + 1);
    db.prepare('DELETE FROM paytrace_transactions WHERE transaction_id = 1').run();
    expect(version()).toBe(v1 + 2);
  });
});
