import type { Migration } from './migration';

// Switching "require two-step sign-in for supervisors and admins" off loosens
// the controls, so it waits for a second admin like a raised limit does: the
// kind 'auth.signInPolicy' joins pending_changes' CHECK. SQLite cannot alter
// a CHECK, so the table is rebuilt (rows and ids kept).
export const migration: Migration = {
  version: 15,
  name: 'pending sign-in policy changes',
  rebuildsTables: ['pending_changes'],
  up(db) {
    db.exec(`
      CREATE TABLE pending_changes_new (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('refunds.policy', 'controls.policy', 'user.role', 'auth.signInPolicy')),
        target TEXT NOT NULL,
        summary TEXT NOT NULL,
        change_json TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
        requested_by TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        reject_reason TEXT
      );
      INSERT INTO pending_changes_new (id, kind, target, summary, change_json, state, requested_by, requested_at, decided_by, decided_at, reject_reason)
        SELECT id, kind, target, summary, change_json, state, requested_by, requested_at, decided_by, decided_at, reject_reason FROM pending_changes;
      DROP TABLE pending_changes;
      ALTER TABLE pending_changes_new RENAME TO pending_changes;
      CREATE INDEX pending_changes_state ON pending_changes (state, id);
    `);
  },
};
