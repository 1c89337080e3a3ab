import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, migrations } from '../../electron/core/store/migrations';
import { DATABASE_FILE, openStore } from '../../electron/core/store/db';

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

describe('store migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('migration 1 creates the core tables and makes the audit append-only', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    expect(currentVersion(db)).toBe(1);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['settings', 'paytrace_transactions', 'paytrace_rejects', 'customers', 'invoices', 'matches', 'allocations', 'outbox', 'outbox_attempts', 'audit', 'sync_state']),
    );
    expect(tables(db)).not.toContain('learned_mappings');
    db.prepare("INSERT INTO audit (at, actor, action, object_type, object_id, prev_hash, hash) VALUES ('t', 'a', 'x', 'o', '1', 'p', 'h')").run();
    expect(() => db.prepare("UPDATE audit SET actor = 'b'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    // Amounts are integers and allocations must be positive.
    expect(() => db.prepare("INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (1, 'x', 0)").run()).toThrow();
  });

  it('migration 2 adds learned mappings on top of a version-1 store with data', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    db.prepare("INSERT INTO customers (customer_id, name, updated_at) VALUES ('10001', 'Apex', 't')").run();
    migrate(db, 2);
    expect(currentVersion(db)).toBe(2);
    expect(tables(db)).toContain('learned_mappings');
    expect(db.prepare('SELECT name FROM customers').get()).toEqual({ name: 'Apex' });
  });

  it('opens a real file in WAL mode, idempotently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-store-'));
    const a = openStore(dir);
    expect(a.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(currentVersion(a)).toBe(migrations.length);
    a.prepare("INSERT INTO sync_state (key, value) VALUES ('k', 'v')").run();
    a.close();
    const b = openStore(dir);
    expect(b.prepare("SELECT value FROM sync_state WHERE key = 'k'").get()).toEqual({ value: 'v' });
    b.close();
    const raw = new Database(join(dir, DATABASE_FILE));
    expect(currentVersion(raw)).toBe(migrations.length);
    raw.close();
  });
});
