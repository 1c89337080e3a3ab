import { getRefundLink, listRefundLinks, removeRefundLink, saveRefundLink } from '../../electron/core/store/queries/refund-links';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate, migrations } from '../../electron/core/store/migrations';
import { DATABASE_FILE, openStore } from '../../electron/core/store/db';
import { applyPaymentLocally, listOpenInvoices, replaceOpenInvoices } from '../../electron/core/store/queries/ledger';
import { cents } from '../../shared/money';
import type { OpenInvoice } from '../../shared/domain';
import { onWorkspace } from '../support/store-dialect';

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

  it('opens a real store (on SQLite a file in WAL mode), idempotently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-store-'));
    const a = openStore(dir);
    if (!onWorkspace) expect(a.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(currentVersion(a)).toBe(migrations.length);
    a.prepare("INSERT INTO sync_state (key, value) VALUES ('k', 'v')").run();
    a.close();
    const b = openStore(dir);
    expect(b.prepare("SELECT value FROM sync_state WHERE key = 'k'").get()).toEqual({ value: 'v' });
    b.close();
    if (onWorkspace) return;
    const raw = new Database(join(dir, DATABASE_FILE));
    expect(currentVersion(raw)).toBe(migrations.length);
    raw.close();
  });

  it('migration 6 keeps discount terms on open items; open credits round-trip with negative balances', () => {
    const db = new Database(':memory:');
    migrate(db, 5);
    db.prepare(
      "INSERT INTO invoices (invoice_no, customer_id, invoice_date, amount_cents, open_balance_cents, currency, updated_at) VALUES ('OLD1', 'c', '2026-01-01', 100, 100, 'USD', 't')",
    ).run();
    migrate(db, 6);
    expect(db.prepare("SELECT terms_json FROM invoices WHERE invoice_no = 'OLD1'").get()).toEqual({ terms_json: null });

    const base = { customerId: '10001', invoiceDate: '2026-03-01', dueDate: '2026-03-31', currency: 'USD', poNo: '' };
    const invoice: OpenInvoice = { ...base, invoiceNo: 'INV1', amountCents: cents(10_000), openBalanceCents: cents(10_000), terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } };
    const credit: OpenInvoice = { ...base, invoiceNo: 'CM1', amountCents: cents(-2_500), openBalanceCents: cents(-2_500) };
    replaceOpenInvoices(db as never, [invoice, credit], 'read-1');
    expect(db.prepare("SELECT is_open FROM invoices WHERE invoice_no = 'OLD1'").get()).toEqual({ is_open: 0 });
    const read = listOpenInvoices(db as never);
    expect(read.find((i) => i.invoiceNo === 'INV1')?.terms).toEqual({ discountBasisPoints: 200, discountDays: 10, netDays: 30 });
    expect(read.find((i) => i.invoiceNo === 'CM1')).toMatchObject({ amountCents: -2_500, openBalanceCents: -2_500 });
    expect(read.find((i) => i.invoiceNo === 'CM1')).not.toHaveProperty('terms');

    // A credit partly used (either sign) moves toward 0 from below and never crosses it.
    applyPaymentLocally(db as never, [{ invoiceNo: 'CM1', amountCents: -1_000 }, { invoiceNo: 'INV1', amountCents: 4_000 }]);
    expect(listOpenInvoices(db as never).find((i) => i.invoiceNo === 'CM1')?.openBalanceCents).toBe(-1_500);
    applyPaymentLocally(db as never, [{ invoiceNo: 'CM1', amountCents: 9_999 }, { invoiceNo: 'INV1', amountCents: 9_999 }]);
    expect(listOpenInvoices(db as never)).toEqual([]);
    expect(db.prepare("SELECT open_balance_cents, is_open FROM invoices WHERE invoice_no IN ('CM1', 'INV1')").all()).toEqual([
      { open_balance_cents: 0, is_open: 0 },
      { open_balance_cents: 0, is_open: 0 },
    ]);

    // A later read without the credit closes it like any invoice paid elsewhere; terms follow the latest read.
    replaceOpenInvoices(db as never, [{ ...invoice, terms: null }], 'read-2');
    expect(listOpenInvoices(db as never)).toEqual([{ ...invoice, customerName: '', terms: undefined }]);
  });

  it("migration 7 keeps a clerk's refund links, including \"belongs to no synced sale\"", () => {
    const db = new Database(':memory:');
    migrate(db, 6);
    migrate(db, 7);
    saveRefundLink(db as never, 400000102, 400000100, 'clerk', '2026-12-07T10:00:00Z');
    saveRefundLink(db as never, 400000205, null, 'clerk', '2026-12-07T10:01:00Z');
    saveRefundLink(db as never, 400000102, 400000101, 'supervisor', '2026-12-07T10:02:00Z');
    expect(listRefundLinks(db as never)).toEqual(new Map<number, number | null>([[400000102, 400000101], [400000205, null]]));
    expect(getRefundLink(db as never, 400000102)).toEqual({ saleId: 400000101, linkedBy: 'supervisor', linkedAt: '2026-12-07T10:02:00Z' });
    removeRefundLink(db as never, 400000205);
    expect(getRefundLink(db as never, 400000205)).toBeNull();
  });
});
