import type { Migration } from './migration';

// sync_state (key/value) had become a grab-bag: besides the sync cursors it
// held both approval policies, the idle-lock minutes, the profile id and one
// row per refund conflict. Each gets a table of its own; sync_state keeps the
// sync cursors only. Rows are moved, not copied, so no reader can find a
// stale second copy.
export const migration: Migration = {
  version: 8,
  name: 'sync_state split: policies, refund conflicts, app identity',
  up(db) {
    db.exec(`
      -- Admin-set rules read whole: the stored JSON is merged over the code's defaults.
      CREATE TABLE policies (
        name TEXT PRIMARY KEY CHECK (name IN ('controls', 'refunds', 'session')),
        json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
      );

      -- An approved refund the catch-up re-validation holds back (the refund stays 'approved').
      CREATE TABLE refund_conflicts (
        refund_id INTEGER PRIMARY KEY REFERENCES refund_requests (id),
        conflict_json TEXT NOT NULL,
        detected_at TEXT NOT NULL
      );

      -- This data folder's identity: one row (keys the OS keychain entries).
      CREATE TABLE app_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        profile_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      INSERT INTO policies (name, json, updated_at, updated_by)
        SELECT 'controls', value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL FROM sync_state WHERE key = 'controls.policy';
      INSERT INTO policies (name, json, updated_at, updated_by)
        SELECT 'refunds', value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL FROM sync_state WHERE key = 'refunds.policy';
      -- The idle lock was a bare number as text; only a positive one ever took effect.
      INSERT INTO policies (name, json, updated_at, updated_by)
        SELECT 'session', json_object('idleMinutes', CAST(value AS REAL)), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL
        FROM sync_state WHERE key = 'auth.idleMinutes' AND CAST(value AS REAL) > 0;

      -- A conflict of a refund that no longer exists has nothing to hold back: dropped.
      INSERT INTO refund_conflicts (refund_id, conflict_json, detected_at)
        SELECT r.id, s.value,
               COALESCE(CASE WHEN json_valid(s.value) THEN json_extract(s.value, '$.detectedAt') END, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        FROM sync_state s JOIN refund_requests r ON r.id = CAST(substr(s.key, 18) AS INTEGER)
        WHERE s.key GLOB 'refunds.conflict.*';

      INSERT INTO app_identity (id, profile_id, created_at)
        SELECT 1, value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM sync_state WHERE key = 'profile.id';

      DELETE FROM sync_state
        WHERE key IN ('controls.policy', 'refunds.policy', 'auth.idleMinutes', 'profile.id') OR key GLOB 'refunds.conflict.*';
    `);
  },
};
