import type { Migration } from './migration';

export const migration: Migration = {
  version: 2,
  name: 'learned customer mappings',
  up(db) {
    db.exec(`
      CREATE TABLE learned_mappings (
        key TEXT NOT NULL CHECK (key IN ('paytrace_customer_id', 'billing_name')),
        value TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        confirmations INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (key, value, customer_id)
      );
    `);
  },
};
