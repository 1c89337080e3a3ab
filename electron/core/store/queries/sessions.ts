import type { ReadDb, WriteDb } from '../db';

// Sign-in sessions, keyed by the SHA-256 of the token (the token itself is never stored).

export type SessionEndReason = 'idle' | 'sign-out' | 'role-change' | 'password-reset';

export type SessionRow = Readonly<{ userName: string; lastSeenAt: string; endedAt: string | null; endReason: SessionEndReason | null }>;

const END_REASONS: readonly SessionEndReason[] = ['idle', 'sign-out', 'role-change', 'password-reset'];
const asEndReason = (value: string | null): SessionEndReason | null => (END_REASONS as readonly (string | null)[]).includes(value) ? (value as SessionEndReason) : null;

export function insertSession(db: WriteDb, tokenHash: string, userName: string, at: string): void {
  db.prepare('INSERT INTO sessions (token_hash, user_name, created_at, last_seen_at) VALUES (?, ?, ?, ?)').run(tokenHash, userName, at, at);
}

export function sessionByTokenHash(db: ReadDb, tokenHash: string): SessionRow | null {
  const row = db.prepare('SELECT user_name, last_seen_at, ended_at, end_reason FROM sessions WHERE token_hash = ?').get(tokenHash) as
    | { user_name: string; last_seen_at: string; ended_at: string | null; end_reason: string | null }
    | undefined;
  return row ? { userName: row.user_name, lastSeenAt: row.last_seen_at, endedAt: row.ended_at, endReason: asEndReason(row.end_reason) } : null;
}

/** Counts a call as activity: the idle lock runs from here. */
export function touchSession(db: WriteDb, tokenHash: string, at: string): void {
  db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').run(at, tokenHash);
}

/** Ends the session whatever its state (the idle lock found it past its time). */
export function endSession(db: WriteDb, tokenHash: string, reason: SessionEndReason, at: string): void {
  db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ?').run(at, reason, tokenHash);
}

/** Ends the session unless it has already ended (its first end reason stays). */
export function endOpenSession(db: WriteDb, tokenHash: string, reason: SessionEndReason, at: string): void {
  db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL').run(at, reason, tokenHash);
}

export function endOpenSessionsOf(db: WriteDb, userName: string, reason: SessionEndReason, at: string): void {
  db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_name = ? AND ended_at IS NULL').run(at, reason, userName);
}
