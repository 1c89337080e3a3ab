import type { PresenceList } from '@shared/api/team';
import type { Clock } from '../clock';
import type { WriteDb } from '../store/db';
import { activePresence, claimPresence, othersOn, releasePresence, type PresenceEntry } from '../store/queries/row-presence';

// Soft locks: the detail panel claims the payment it shows and renews the
// claim while it stays open; a claim not renewed lapses (a closed laptop, a
// killed process) after PRESENCE_TTL_SECONDS.

export const PRESENCE_HEARTBEAT_SECONDS = 20;
export const PRESENCE_TTL_SECONDS = 60;

export type PresenceService = Readonly<{
  claim(transactionId: number, userName: string): PresenceList;
  release(transactionId: number, userName: string): void;
  /** Everyone else's live claims. */
  others(userName: string): PresenceList;
  /** Everyone else's live claims on one payment. */
  othersOn(transactionId: number, userName: string): readonly PresenceEntry[];
}>;

export function createPresenceService(o: Readonly<{ db: WriteDb; clock: Clock; workstation: string; onChange: (transactionIds: number[]) => void }>): PresenceService {
  const list = (userName: string): PresenceList => ({
    others: activePresence(o.db, o.clock.iso()).filter((p) => !(p.userName === userName && p.workstation === o.workstation)),
    heartbeatSeconds: PRESENCE_HEARTBEAT_SECONDS,
  });
  return {
    claim(transactionId, userName) {
      const now = o.clock.now();
      const changed = claimPresence(o.db, {
        transactionId,
        userName,
        workstation: o.workstation,
        now: new Date(now).toISOString(),
        expiresAt: new Date(now + PRESENCE_TTL_SECONDS * 1000).toISOString(),
      });
      if (changed.length > 0) o.onChange(changed);
      return list(userName);
    },
    release(transactionId, userName) {
      if (releasePresence(o.db, { transactionId, userName, workstation: o.workstation })) o.onChange([transactionId]);
    },
    others: list,
    othersOn: (transactionId, userName) => othersOn(o.db, transactionId, userName, o.workstation, o.clock.iso()),
  };
}
