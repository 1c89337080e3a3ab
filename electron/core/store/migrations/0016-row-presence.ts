import type { Migration } from './migration';

// Team mode: who is working on which payment (a soft lock the detail panel
// claims and heartbeats; an entry past expires_at no longer counts), and which
// workstation runs the team's sync (written by the advisory lock's holder for
// the others' "Sync runs on …"; the lock, not this row, decides). Single-user
// stores get the same tables, unused by anyone else.
export const migration: Migration = {
  version: 16,
  name: 'row presence and sync leader',
  up(db) {
    db.exec(`
      CREATE TABLE row_presence (
        transaction_id INTEGER NOT NULL,
        user_name TEXT NOT NULL,
        workstation TEXT NOT NULL,
        since TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (transaction_id, user_name, workstation)
      );
      CREATE INDEX row_presence_expires ON row_presence (expires_at);
      CREATE TABLE sync_leader (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        workstation TEXT NOT NULL,
        since TEXT NOT NULL
      );
    `);
  },
};
