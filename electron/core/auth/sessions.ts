import { createHash, randomBytes } from 'node:crypto';
import { systemClock } from '../clock';
import type { Db } from '../store/db';
import { endOpenSession, endOpenSessionsOf, endSession, insertSession, sessionByTokenHash, touchSession, type SessionEndReason } from '../store/queries/sessions';

// Random 32-byte tokens, stored only as SHA-256. A session ends on sign-out or
// after `idleMs` without a call (the UI then shows the lock screen).

/** `locked`: the session has ended; `reason` says why (the idle lock, a sign-out, a role change or a password reset), so the message can say so. */
export type SessionLookup = Readonly<{ state: 'active'; userName: string } | { state: 'locked'; userName: string; reason: SessionEndReason } | { state: 'none' }>;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly idleMs: () => number,
    private readonly now: () => Date = () => new Date(systemClock.now()),
  ) {}

  create(userName: string): string {
    const token = randomBytes(32).toString('base64url');
    const at = this.now().toISOString();
    insertSession(this.db, hashToken(token), userName, at);
    return token;
  }

  /** Looks the token up; `touch` counts this call as activity (keeps the session from idling). */
  lookup(token: string | null, touch: boolean): SessionLookup {
    if (!token) return { state: 'none' };
    const key = hashToken(token);
    const row = sessionByTokenHash(this.db, key);
    if (!row) return { state: 'none' };
    if (row.endedAt) return { state: 'locked', userName: row.userName, reason: row.endReason ?? 'idle' };
    const now = this.now();
    if (now.getTime() - Date.parse(row.lastSeenAt) > this.idleMs()) {
      endSession(this.db, key, 'idle', now.toISOString());
      return { state: 'locked', userName: row.userName, reason: 'idle' };
    }
    if (touch) touchSession(this.db, key, now.toISOString());
    return { state: 'active', userName: row.userName };
  }

  end(token: string | null, reason: 'sign-out' | 'role-change'): void {
    if (!token) return;
    endOpenSession(this.db, hashToken(token), reason, this.now().toISOString());
  }

  endAllFor(userName: string, reason: 'role-change' | 'password-reset'): void {
    endOpenSessionsOf(this.db, userName, reason, this.now().toISOString());
  }
}
