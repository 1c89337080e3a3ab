import type { Migration } from './migration';

// The work queue in windows (issue 15) reads "the first 150 rows of this view
// in this order". Newest first already has an index (created_at); sorting by
// amount or payer sorted all 100,000 rows for each window (45–60 ms on a quiet
// machine). These indexes give SQL those orders directly, with the grid's
// tie-breakers (newest first, then id) so a window never needs a sort at all.
//
// Counting a view per tab reads every row (~100 ms at 100k), so the engine
// keeps the counts until the rows change. "Changed" must be positive evidence
// from the store itself, not from callers remembering to say so, and not
// SQLite's total_changes() (every API call touches the session row): triggers
// on the tables a view reads bump grid_data_version. On a PostgreSQL workspace
// other workstations write and the counts are not kept, so the table is there
// (one schema) but the triggers are not (pg/schema.ts leaves them out).
const VIEW_TABLES = ['paytrace_transactions', 'matches', 'outbox', 'allocations', 'control_requests', 'customers'] as const;

export const migration: Migration = {
  version: 19,
  name: 'grid view indexes',
  up(db) {
    const onWorkspace = (db as unknown as { dialect?: string }).dialect === 'postgres';
    db.exec(`
      CREATE INDEX paytrace_transactions_grid_amount ON paytrace_transactions (amount_cents, created_at, transaction_id);
      CREATE INDEX paytrace_transactions_grid_payer ON paytrace_transactions (LOWER(billing_name), created_at DESC, transaction_id DESC);
      CREATE TABLE grid_data_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
      INSERT INTO grid_data_version (id, n) VALUES (1, 0);
    `);
    if (onWorkspace) return;
    for (const table of VIEW_TABLES) {
      for (const event of ['INSERT', 'UPDATE', 'DELETE'] as const) {
        db.exec(`CREATE TRIGGER ${table}_grid_version_${event.toLowerCase()} AFTER ${event} ON ${table} BEGIN UPDATE grid_data_version SET n = n + 1 WHERE id = 1; END;`);
      }
    }
  },
};
