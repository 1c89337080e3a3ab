import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RefundConflict } from '../../shared/api/refunds';
import { cents } from '../../shared/money';
import { manualClock } from '../../electron/core/clock';
import { DEFAULT_CONTROL_POLICY, loadControlPolicy, saveControlPolicy } from '../../electron/core/controls/policy';
import { DEFAULT_REFUND_POLICY, loadRefundPolicy, saveRefundPolicy } from '../../electron/core/refunds/policy';
import { asStoreDb } from '../../electron/core/store/db';
import { StoredDataError } from '../../electron/core/store/json-column';
import { migrate } from '../../electron/core/store/migrations';
import { readProfileId, saveProfileId } from '../../electron/core/store/queries/app-identity';
import { readPolicy } from '../../electron/core/store/queries/policies';
import { clearRefundConflict, readRefundConflict, saveRefundConflict } from '../../electron/core/store/queries/refund-conflicts';
import { readSyncCursor, writeSyncCursor } from '../../electron/core/store/queries/sync-cursors';

function store() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return asStoreDb(db);
}

describe('policies', () => {
  it('round-trip with when and by whom; a damaged row falls back to the defaults as before', () => {
    const db = store();
    const clock = manualClock(Date.parse('2026-06-01T12:00:00Z'));
    expect(loadControlPolicy(db)).toEqual(DEFAULT_CONTROL_POLICY);
    saveControlPolicy(db, { ...DEFAULT_CONTROL_POLICY, approvalAboveCents: cents(1_000) }, 'admin', clock);
    expect(loadControlPolicy(db).approvalAboveCents).toBe(1_000);
    expect(db.prepare("SELECT updated_at, updated_by FROM policies WHERE name = 'controls'").get()).toEqual({ updated_at: '2026-06-01T12:00:00.000Z', updated_by: 'admin' });

    saveRefundPolicy(db, { ...DEFAULT_REFUND_POLICY, reasonCodes: ['Goodwill'] }, 'admin', clock);
    expect(loadRefundPolicy(db).reasonCodes).toEqual(['Goodwill']);
    db.prepare("UPDATE policies SET json = '{\"adminAboveCents\":\"lots\"}' WHERE name = 'refunds'").run();
    expect(loadRefundPolicy(db)).toEqual(DEFAULT_REFUND_POLICY);
    db.prepare("UPDATE policies SET json = 'not json' WHERE name = 'controls'").run();
    expect(loadControlPolicy(db)).toEqual(DEFAULT_CONTROL_POLICY);
    expect(readPolicy(db, 'session')).toBeNull();
  });
});

describe('refund conflicts', () => {
  it('one per refund, replaced, cleared; a damaged row fails loudly', () => {
    const db = store();
    db.prepare(
      `INSERT INTO paytrace_transactions (transaction_id, type, amount_cents, currency, created_at, declined, approval_code, approval_message, invoice_id, description,
         customer_reference_id, customer_id, billing_name, email, masked_card, method, raw_json, first_seen_at, updated_at)
       VALUES (1, 'SALE', 10000, 'USD', 't', 0, '', '', '', '', '', '', '', '', '', 'card', '{}', 't', 't')`,
    ).run();
    db.prepare("INSERT INTO refund_requests (transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, updated_at) VALUES (1, 5000, 'USD', 'Other', 'approved', 'a', 'clerk', 't', 't')").run();
    const conflict: RefundConflict = {
      kind: 'refundable_amount_changed',
      detail: 'd',
      detectedAt: '2026-06-01T12:00:00.000Z',
      then: { amountCents: cents(5_000), refundableCents: cents(10_000), asOf: 't' },
      now: { saleType: 'SALE', saleAmountCents: cents(10_000), refundedCents: cents(8_000), refundableCents: cents(2_000), asOf: 't' },
      choices: ['reduce', 'discard'],
    };
    expect(readRefundConflict(db, 1)).toBeNull();
    saveRefundConflict(db, 1, conflict);
    saveRefundConflict(db, 1, { ...conflict, choices: ['discard'] });
    expect(readRefundConflict(db, 1)).toEqual({ ...conflict, choices: ['discard'] });
    expect(() => saveRefundConflict(db, 2, conflict)).toThrow(/FOREIGN KEY/);
    db.prepare("UPDATE refund_conflicts SET conflict_json = '{\"kind\":\"other\"}'").run();
    expect(() => readRefundConflict(db, 1)).toThrow(StoredDataError);
    clearRefundConflict(db, 1);
    expect(readRefundConflict(db, 1)).toBeNull();
  });
});

describe('app identity and sync cursors', () => {
  it('keeps the first profile id; cursors round-trip', () => {
    const db = store();
    expect(readProfileId(db)).toBeNull();
    saveProfileId(db, 'first');
    saveProfileId(db, 'second');
    expect(readProfileId(db)).toBe('first');
    writeSyncCursor(db, 'paytrace.as_of', 'a');
    writeSyncCursor(db, 'paytrace.as_of', 'b');
    expect(readSyncCursor(db, 'paytrace.as_of')).toBe('b');
    expect(readSyncCursor(db, 'erp.as_of')).toBeNull();
  });
});
