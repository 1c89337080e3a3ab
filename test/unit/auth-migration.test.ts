import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate } from '../../electron/core/store/migrations';

describe('migration 3 (users, sessions, refunds)', () => {
  it('applies on top of a version-2 store with data and enforces its constraints', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 2);
    db.prepare("INSERT INTO customers (customer_id, name, updated_at) VALUES ('10001', 'Apex', 't')").run();
    migrate(db, 3);
    expect(currentVersion(db)).toBeGreaterThanOrEqual(3);
    expect(db.prepare('SELECT name FROM customers').get()).toEqual({ name: 'Apex' });
    db.prepare("INSERT INTO users (user_name, role, password_hash, created_at, created_by, updated_at) VALUES ('Ann', 'clerk', 'scrypt$x', 't', 'setup', 't')").run();
    // User names are unique regardless of case; roles are a closed list.
    expect(() => db.prepare("INSERT INTO users (user_name, role, password_hash, created_at, created_by, updated_at) VALUES ('ann', 'clerk', 'h', 't', 's', 't')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO users (user_name, role, password_hash, created_at, created_by, updated_at) VALUES ('bo', 'owner', 'h', 't', 's', 't')").run()).toThrow(/CHECK/);
    // A refund request needs a known transaction and a positive amount.
    expect(() =>
      db
        .prepare(
          "INSERT INTO refund_requests (transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, updated_at) VALUES (1, 100, 'USD', 'Other', 'requested', 'Ann', 'clerk', 't', 't')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});
