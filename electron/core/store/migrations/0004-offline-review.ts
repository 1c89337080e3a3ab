import type { Migration } from './migration';

export const migration: Migration = {
  version: 4,
  name: 'offline review: owners, clerk reasons and allocations, decision snapshots, conflicts, hand-off sessions',
  up(db) {
    db.exec(`
      -- Clerk work recorded locally (works offline); a re-match never overwrites it.
      ALTER TABLE matches ADD COLUMN owner TEXT;
      ALTER TABLE matches ADD COLUMN clerk_exception TEXT;

      -- An allocation the clerk picked or edited: pins the outcome against re-matching.
      CREATE TABLE clerk_allocations (
        transaction_id INTEGER PRIMARY KEY REFERENCES matches (transaction_id),
        customer_id TEXT NOT NULL,
        allocations_json TEXT NOT NULL,
        chosen_by TEXT NOT NULL,
        chosen_at TEXT NOT NULL
      );

      -- What the clerk decided on ("then"), taken at approval time.
      CREATE TABLE decision_snapshots (
        transaction_id INTEGER PRIMARY KEY REFERENCES paytrace_transactions (transaction_id),
        taken_at TEXT NOT NULL,
        snapshot_json TEXT NOT NULL
      );

      -- A queued decision the world has overtaken: then and now side by side.
      CREATE TABLE posting_conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        transaction_id INTEGER NOT NULL REFERENCES paytrace_transactions (transaction_id),
        kinds_json TEXT NOT NULL,
        then_json TEXT NOT NULL,
        now_json TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
        resolution TEXT CHECK (resolution IS NULL OR resolution IN ('rematch', 'reallocate', 'discard')),
        resolved_by TEXT,
        resolved_at TEXT
      );
      CREATE UNIQUE INDEX posting_conflicts_open ON posting_conflicts (transaction_id) WHERE state = 'open';

      -- Hand-off files opened here for review (the reviewing installation).
      CREATE TABLE handoff_sessions (
        id TEXT PRIMARY KEY,
        source_profile TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        opened_by TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        decisions_json TEXT NOT NULL DEFAULT '{}'
      );
    `);
  },
};
