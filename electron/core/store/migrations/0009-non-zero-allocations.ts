import type { Migration } from './migration';

// An open credit applied inside a receipt (applyCredits: P21 'negative-line'
// and the others that declare it) is an allocation with a negative amount,
// but allocations said CHECK (amount_cents > 0), so approving one failed with
// a CHECK error. A zero line still means nothing: the check becomes <> 0.
// SQLite cannot alter a CHECK, so the table is rebuilt (rows kept; it has no
// index beyond its primary key, no trigger, and nothing references it).
export const migration: Migration = {
  version: 9,
  name: 'allocations: non-zero amounts (open credits applied are negative)',
  rebuildsTables: ['allocations'],
  up(db) {
    db.exec(`
      CREATE TABLE allocations_new (
        transaction_id INTEGER NOT NULL REFERENCES matches (transaction_id),
        invoice_no TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
        PRIMARY KEY (transaction_id, invoice_no)
      );
      INSERT INTO allocations_new (transaction_id, invoice_no, amount_cents)
        SELECT transaction_id, invoice_no, amount_cents FROM allocations;
      DROP TABLE allocations;
      ALTER TABLE allocations_new RENAME TO allocations;
    `);
  },
};
