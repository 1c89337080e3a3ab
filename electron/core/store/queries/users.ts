import type { Role, UserAdminView, UserView } from '@shared/api/auth';
import type { ReadDb, WriteDb } from '../db';

// Local accounts (users table). Passwords only as scrypt strings (auth/password.ts).

export type UserRow = { user_name: string; display_name: string; role: Role; password_hash: string; created_at: string };

const toView = (r: UserRow): UserView => ({ userName: r.user_name, displayName: r.display_name || r.user_name, role: r.role, createdAt: r.created_at });

export function countUsers(db: ReadDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
}

export function findUser(db: ReadDb, userName: string): UserRow | null {
  return (db.prepare('SELECT * FROM users WHERE user_name = ?').get(userName) as UserRow | undefined) ?? null;
}

export function userView(db: ReadDb, userName: string): UserView | null {
  const row = findUser(db, userName);
  return row ? toView(row) : null;
}

export function listUsers(db: ReadDb): UserView[] {
  return (db.prepare('SELECT * FROM users ORDER BY user_name').all() as UserRow[]).map(toView);
}

export function insertUser(db: WriteDb, u: Readonly<{ userName: string; displayName: string; role: Role; passwordHash: string; createdBy: string; at: string }>): UserView {
  db.prepare('INSERT INTO users (user_name, display_name, role, password_hash, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    u.userName,
    u.displayName,
    u.role,
    u.passwordHash,
    u.at,
    u.createdBy,
    u.at,
  );
  return toView(findUser(db, u.userName)!);
}

export function updateRole(db: WriteDb, userName: string, role: Role, at: string): void {
  db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE user_name = ?').run(role, at, userName);
}

export function countAdmins(db: ReadDb): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
}

export function updatePasswordHash(db: WriteDb, userName: string, passwordHash: string, at: string): void {
  db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE user_name = ?').run(passwordHash, at, userName);
}

/** Users with their last sign-in (the latest session's start) and sign-in lock, for the admin screen. */
export function listUsersForAdmin(db: ReadDb, now: Date): UserAdminView[] {
  const rows = db
    .prepare(
      `SELECT u.*, (SELECT MAX(s.created_at) FROM sessions s WHERE s.user_name = u.user_name) AS last_sign_in_at,
              f.failures AS failures, f.locked_until AS locked_until, t.user_name IS NOT NULL AS totp_enrolled
       FROM users u LEFT JOIN sign_in_failures f ON f.user_name = u.user_name LEFT JOIN totp_enrolments t ON t.user_name = u.user_name
       ORDER BY u.user_name`,
    )
    .all() as Array<UserRow & { last_sign_in_at: string | null; failures: number | null; locked_until: string | null; totp_enrolled: number }>;
  return rows.map((r) => ({
    ...toView(r),
    lastSignInAt: r.last_sign_in_at,
    lockedUntil: r.locked_until && Date.parse(r.locked_until) > now.getTime() ? r.locked_until : null,
    failedSignIns: r.failures ?? 0,
    totpEnrolled: r.totp_enrolled === 1,
  }));
}
