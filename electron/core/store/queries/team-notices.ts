import { CHANGES_CHANNEL, type ChangeNotice } from '../pg/open-workspace';
import type { WriteDb } from '../db';
import { isWorkspace } from '../statements';

/**
 * Tells the other workstations of a change no trigger announces (a presence
 * claim, a finished sync): a NOTIFY on the changes channel, sent at commit.
 * Nothing on a single-user store.
 */
export function announceChange(db: WriteDb, notice: ChangeNotice): void {
  if (!isWorkspace(db)) return;
  db.prepare('SELECT pg_notify(?, ?)').get(CHANGES_CHANNEL, JSON.stringify(notice));
}
