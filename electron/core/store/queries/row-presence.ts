import type { ReadDb, WriteDb } from '../db';
import { isWorkspace } from '../statements';
import { announceChange } from './team-notices';

// Who has which payment open (team mode's soft locks). One entry per user and
// workstation: opening another payment moves it. Entries past expires_at are
// ignored and swept by the next claim.

export type PresenceEntry = Readonly<{ transactionId: number; userName: string; workstation: string; since: string; expiresAt: string }>;

type Row = { transaction_id: number; user_name: string; workstation: string; since: string; expires_at: string };

const entry = (r: Row): PresenceEntry => ({ transactionId: r.transaction_id, userName: r.user_name, workstation: r.workstation, since: r.since, expiresAt: r.expires_at });

/** Claims (or renews) `transactionId` for the user at the workstation; returns the payments whose presence changed. */
export function claimPresence(db: WriteDb, p: Readonly<{ transactionId: number; userName: string; workstation: string; now: string; expiresAt: string }>): number[] {
  return db.transaction(() => {
    const moved = db
      .prepare('SELECT transaction_id FROM row_presence WHERE user_name = ? AND workstation = ? AND transaction_id <> ?')
      .all(p.userName, p.workstation, p.transactionId) as Array<{ transaction_id: number }>;
    db.prepare('DELETE FROM row_presence WHERE (user_name = ? AND workstation = ? AND transaction_id <> ?) OR expires_at <= ?').run(p.userName, p.workstation, p.transactionId, p.now);
    const existing = db.prepare('SELECT since FROM row_presence WHERE transaction_id = ? AND user_name = ? AND workstation = ?').get(p.transactionId, p.userName, p.workstation);
    db.prepare(
      `INSERT INTO row_presence (transaction_id, user_name, workstation, since, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (transaction_id, user_name, workstation) DO UPDATE SET expires_at = excluded.expires_at`,
    ).run(p.transactionId, p.userName, p.workstation, p.now, p.expiresAt);
    const changed = [...moved.map((m) => m.transaction_id), ...(existing ? [] : [p.transactionId])];
    announce(db, changed);
    return changed;
  })();
}

/** Releases the user's claim on the payment (the detail panel closed); returns whether one was held. */
export function releasePresence(db: WriteDb, p: Readonly<{ transactionId: number; userName: string; workstation: string }>): boolean {
  return db.transaction(() => {
    const released = db.prepare('DELETE FROM row_presence WHERE transaction_id = ? AND user_name = ? AND workstation = ?').run(p.transactionId, p.userName, p.workstation).changes > 0;
    if (released) announce(db, [p.transactionId]);
    return released;
  })();
}

/** Every live claim, oldest first. */
export function activePresence(db: ReadDb, now: string): PresenceEntry[] {
  return (db.prepare('SELECT transaction_id, user_name, workstation, since, expires_at FROM row_presence WHERE expires_at > ? ORDER BY since, transaction_id').all(now) as Row[]).map(entry);
}

/** Live claims on one payment by anyone other than this user at this workstation. */
export function othersOn(db: ReadDb, transactionId: number, userName: string, workstation: string, now: string): PresenceEntry[] {
  return (
    db
      .prepare('SELECT transaction_id, user_name, workstation, since, expires_at FROM row_presence WHERE transaction_id = ? AND expires_at > ? AND NOT (user_name = ? AND workstation = ?) ORDER BY since')
      .all(transactionId, now, userName, workstation) as Row[]
  ).map(entry);
}

/**
 * The other workstations hear of a claim as they hear of a decision: a NOTIFY
 * at commit on the changes channel (row_presence has no trigger of its own:
 * an announcement per claim, not per renewal, keeps heartbeats quiet).
 */
function announce(db: WriteDb, transactionIds: readonly number[]): void {
  for (const id of new Set(transactionIds)) announceChange(db, { t: 'row_presence', id });
}

/** The workspace session of this store's own connection (its NOTIFYs are this workstation's own changes); null on SQLite. */
export function storeSessionId(db: ReadDb): number | null {
  if (!isWorkspace(db)) return null;
  return (db.prepare('SELECT pg_backend_pid() AS pid').get() as { pid: number }).pid;
}
