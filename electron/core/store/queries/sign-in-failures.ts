import type { ReadDb, WriteDb } from '../db';

// Failed sign-ins per typed user name (also names that do not exist), kept in
// SQLite so a restart does not reset the counter. `inFlight` counts attempts
// reserved but not yet settled (auth/throttle.ts); `reservedAt` is the latest
// reservation, so one left by a crash can be found.

export type SignInFailures = Readonly<{ failures: number; lockedUntil: string | null; inFlight: number; reservedAt: string | null }>;

type Row = { failures: number; locked_until: string | null; in_flight: number; reserved_at: string | null };

export function signInFailures(db: ReadDb, key: string): SignInFailures | null {
  const row = db.prepare('SELECT failures, locked_until, in_flight, reserved_at FROM sign_in_failures WHERE user_name = ?').get(key) as Row | undefined;
  return row ? { failures: row.failures, lockedUntil: row.locked_until, inFlight: row.in_flight, reservedAt: row.reserved_at } : null;
}

export function saveSignInFailures(db: WriteDb, key: string, f: SignInFailures, at: string): void {
  db.prepare(
    `INSERT INTO sign_in_failures (user_name, failures, locked_until, in_flight, reserved_at, last_failure_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
       in_flight = excluded.in_flight, reserved_at = excluded.reserved_at, last_failure_at = excluded.last_failure_at`,
  ).run(key, f.failures, f.lockedUntil, f.inFlight, f.reservedAt, at);
}

/** Clears the failures and the lock; attempts still in flight stay counted until they settle. */
export function clearSignInFailures(db: WriteDb, key: string): void {
  db.prepare('DELETE FROM sign_in_failures WHERE user_name = ? AND in_flight = 0').run(key);
  db.prepare('UPDATE sign_in_failures SET failures = 0, locked_until = NULL WHERE user_name = ?').run(key);
}
