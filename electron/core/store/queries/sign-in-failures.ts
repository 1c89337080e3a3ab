import type { ReadDb, WriteDb } from '../db';

// Failed sign-ins per typed user name (also names that do not exist), kept in
// SQLite so a restart does not reset the counter.

export type SignInFailures = Readonly<{ failures: number; lockedUntil: string | null }>;

export function signInFailures(db: ReadDb, userName: string): SignInFailures | null {
  const row = db.prepare('SELECT failures, locked_until FROM sign_in_failures WHERE user_name = ?').get(userName) as { failures: number; locked_until: string | null } | undefined;
  return row ? { failures: row.failures, lockedUntil: row.locked_until } : null;
}

export function saveSignInFailures(db: WriteDb, userName: string, f: SignInFailures, at: string): void {
  db.prepare(
    `INSERT INTO sign_in_failures (user_name, failures, locked_until, last_failure_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at`,
  ).run(userName, f.failures, f.lockedUntil, at);
}

export function clearSignInFailures(db: WriteDb, userName: string): void {
  db.prepare('DELETE FROM sign_in_failures WHERE user_name = ?').run(userName);
}
