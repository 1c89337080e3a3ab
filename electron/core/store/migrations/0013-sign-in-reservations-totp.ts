import type { Migration } from './migration';

// Sign-in throttle reserve-then-settle (issue 12): an attempt is counted
// (`in_flight`) before its password hash is computed, so concurrent guesses
// cannot all be evaluated before the first failure is recorded.
// `reserved_at` lets a reservation left by a crashed attempt be counted as a
// failure later rather than blocking the name for ever.
//
// totp_enrolments records only THAT a user has a TOTP second factor and the
// last time step a code was accepted for (replay refusal); the secret itself
// lives in the OS keychain (vault/totp-secrets.ts), never here.
//
// sign_in_policy: the admin's "require two-step sign-in for supervisors and
// admins" (one row; absent = off). Its own table rather than a `policies` row,
// whose CHECK lists the policy names and would need a rebuild.
export const migration: Migration = {
  version: 13,
  name: 'sign-in reservations, TOTP enrolments and sign-in policy',
  up(db) {
    db.exec(`
      ALTER TABLE sign_in_failures ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sign_in_failures ADD COLUMN reserved_at TEXT;
      CREATE TABLE totp_enrolments (
        user_name TEXT PRIMARY KEY COLLATE NOCASE REFERENCES users (user_name),
        enrolled_at TEXT NOT NULL,
        enrolled_by TEXT NOT NULL,
        last_used_step INTEGER
      );
      CREATE TABLE sign_in_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        require_two_step_for_approvers INTEGER NOT NULL CHECK (require_two_step_for_approvers IN (0, 1)),
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
    `);
  },
};
