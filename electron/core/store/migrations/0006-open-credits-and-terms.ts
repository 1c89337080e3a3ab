import type { Migration } from './migration';

export const migration: Migration = {
  version: 6,
  name: 'open credits and discount terms on open items',
  up(db) {
    // Open credits are invoices rows with a negative open balance (no CHECK
    // ever forbade that); terms ride along as JSON because the matcher reads
    // them whole and nothing queries inside them.
    db.exec('ALTER TABLE invoices ADD COLUMN terms_json TEXT NULL');
  },
};
