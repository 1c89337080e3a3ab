import type { Migration } from './migration';

export const migration: Migration = {
  version: 7,
  name: "a clerk's refund links",
  up(db) {
    // PayTrace refunds do not name their sale; where the rule cannot tell
    // (or tells wrong), a clerk says which sale a refund belongs to, or that
    // it belongs to none of the synced sales (sale_id NULL).
    db.exec(`
      CREATE TABLE refund_links (
        refund_id INTEGER PRIMARY KEY,
        sale_id INTEGER NULL,
        linked_by TEXT NOT NULL,
        linked_at TEXT NOT NULL
      );
    `);
  },
};
