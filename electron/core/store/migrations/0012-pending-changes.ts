import type { Migration } from './migration';

// Four-eyes on the controls themselves: a change that loosens them (a
// four-eyes limit raised, a reason code added, a user promoted) is kept here
// until a second admin approves it; a change that tightens them applies at
// once and never comes here. change_json holds only the loosening part.
export const migration: Migration = {
  version: 12,
  name: 'pending changes',
  up(db) {
    db.exec(`
      CREATE TABLE pending_changes (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('refunds.policy', 'controls.policy', 'user.role')),
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
      CREATE INDEX pending_changes_state ON pending_changes (state, id);
    `);
  },
};
