import type { Migration } from './migration';

// Saved views of the work queue (issue 15): each user's named views (the grid
// view as shared/grid-view.ts defines it, validated when read back, and the
// column layout: order, widths, hidden). `shared` is for team mode, where a
// view may be offered to the whole team; `is_default` marks the one a user's
// queue opens with (at most one per owner). Names are unique per owner.
export const migration: Migration = {
  version: 18,
  name: 'saved views',
  up(db) {
    db.exec(`
      CREATE TABLE saved_views (
        id INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        view_json TEXT NOT NULL,
        columns_json TEXT NOT NULL DEFAULT '{}',
        shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
        is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (owner, name)
      );
      CREATE INDEX saved_views_shared ON saved_views (shared, name);
    `);
  },
};
