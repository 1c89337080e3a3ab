import type { ReadDb, WriteDb } from '../db';

// Which users have a TOTP second factor (migration 13). Never the secret: that
// is in the OS keychain (vault/totp-secrets.ts). `last_used_step` is the RFC
// 6238 time step of the last accepted code, so the same code is refused twice.

export type TotpEnrolment = Readonly<{ userName: string; enrolledAt: string; enrolledBy: string; lastUsedStep: number | null }>;

type Row = { user_name: string; enrolled_at: string; enrolled_by: string; last_used_step: number | null };

export function totpEnrolment(db: ReadDb, userName: string): TotpEnrolment | null {
  const row = db.prepare('SELECT * FROM totp_enrolments WHERE user_name = ?').get(userName) as Row | undefined;
  return row ? { userName: row.user_name, enrolledAt: row.enrolled_at, enrolledBy: row.enrolled_by, lastUsedStep: row.last_used_step } : null;
}

export function insertTotpEnrolment(db: WriteDb, userName: string, at: string, by: string, step: number): void {
  db.prepare(
    `INSERT INTO totp_enrolments (user_name, enrolled_at, enrolled_by, last_used_step) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_name) DO UPDATE SET enrolled_at = excluded.enrolled_at, enrolled_by = excluded.enrolled_by, last_used_step = excluded.last_used_step`,
  ).run(userName, at, by, step);
}

/** Records the step of an accepted code; false when that step (or a later one) was used already: a replay. */
export function useTotpStep(db: WriteDb, userName: string, step: number): boolean {
  const r = db.prepare('UPDATE totp_enrolments SET last_used_step = ? WHERE user_name = ? AND (last_used_step IS NULL OR last_used_step < ?)').run(step, userName, step);
  return r.changes === 1;
}

export function deleteTotpEnrolment(db: WriteDb, userName: string): boolean {
  return db.prepare('DELETE FROM totp_enrolments WHERE user_name = ?').run(userName).changes === 1;
}
