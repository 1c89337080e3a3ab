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
export const migration: Migration = {
  version: 13,
  name: 'sign-in reservations and TOTP enrolments',
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
    `);
  },
};
