import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db';

// Random 32-byte tokens, stored only as SHA-256. A session ends on sign-out or
// after `idleMs` without a call (the UI then shows the lock screen).

export type SessionLookup = Readonly<{ state: 'active'; userName: string } | { state: 'locked'; userName: string } | { state: 'none' }>;

type Row = { user_name: string; last_seen_at: string; ended_at: string | null };

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly idleMs: () => number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(userName: string): string {
    const token = randomBytes(32).toString('base64url');
    const at = this.now().toISOString();
    this.db.prepare('INSERT INTO sessions (token_hash, user_name, created_at, last_seen_at) VALUES (?, ?, ?, ?)').run(hashToken(token), userName, at, at);
    return token;
  }

  /** Looks the token up; `touch` counts this call as activity (keeps the session from idling). */
  lookup(token: string | null, touch: boolean): SessionLookup {
    if (!token) return { state: 'none' };
    const key = hashToken(token);
    const row = this.db.prepare('SELECT user_name, last_seen_at, ended_at FROM sessions WHERE token_hash = ?').get(key) as Row | undefined;
    if (!row) return { state: 'none' };
    if (row.ended_at) return { state: 'locked', userName: row.user_name };
    const now = this.now();
    if (now.getTime() - Date.parse(row.last_seen_at) > this.idleMs()) {
      this.db.prepare("UPDATE sessions SET ended_at = ?, end_reason = 'idle' WHERE token_hash = ?").run(now.toISOString(), key);
      return { state: 'locked', userName: row.user_name };
    }
    if (touch) this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').run(now.toISOString(), key);
    return { state: 'active', userName: row.user_name };
  }

  end(token: string | null, reason: 'sign-out' | 'role-change'): void {
    if (!token) return;
    this.db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL').run(this.now().toISOString(), reason, hashToken(token));
  }

  endAllFor(userName: string, reason: 'role-change' | 'password-reset'): void {
    this.db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_name = ? AND ended_at IS NULL').run(this.now().toISOString(), reason, userName);
  }
}
