import type { SyncTeam } from '@shared/api-contract';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { ReadDb } from '../store/db';
import type { PgConnectionConfig } from '../store/pg/sync-client';
import { storeSessionId } from '../store/queries/row-presence';
import { ChangeListener, type RemoteChanges } from './change-listener';
import { SyncLeadership } from './leader';

// What an engine on a team workspace runs besides its store connection: the
// sync leadership (one scheduled sync for the team) and the change listener
// (other workstations' decisions refresh this one's rows). Posting needs
// neither: every workstation's outbox runner claims rows with SKIP LOCKED and
// leases, so each receipt is sent once whoever claims it.

export type TeamMode = Readonly<{
  status(): SyncTeam;
  /** Throws a message naming who syncs when this workstation cannot take the lead for a manual sync. */
  beforeManualSync(): Promise<void>;
  /** Resolves once both connections are up (tests). */
  ready(): Promise<void>;
  leadership: SyncLeadership;
  close(): Promise<void>;
}>;

/** The notice the leader sends when a sync run ends (followers read its outcome from the store). */
export const SYNC_FINISHED = 'sync_finished';

export class SyncElsewhereError extends Error {
  override readonly name = 'SyncElsewhereError';
}

export function startTeamMode(o: Readonly<{
  config: PgConnectionConfig;
  db: ReadDb;
  workstation: string;
  clock: Clock;
  logger: Logger;
  /** Leadership changed: start or stop the scheduled sync. */
  onLeading: (leading: boolean) => void;
  onRemoteChanges: (changes: RemoteChanges) => void;
  retryMs?: number;
}>): TeamMode {
  const leadership = new SyncLeadership({
    config: o.config,
    workstation: o.workstation,
    clock: o.clock,
    logger: o.logger.child('leader'),
    retryMs: o.retryMs,
    onChange: (leading) => o.onLeading(leading),
  });
  let ownPid: number | null = null;
  try {
    ownPid = storeSessionId(o.db);
  } catch {
    // Not knowing it only costs a second refresh of this workstation's own changes.
  }
  const listener = new ChangeListener({
    config: o.config,
    workstation: o.workstation,
    logger: o.logger.child('listener'),
    ownBackendPid: () => ownPid,
    retryMs: o.retryMs,
    onChanges: o.onRemoteChanges,
  });
  leadership.start();
  listener.start();

  return {
    status: () => ({ leading: leadership.isLeader, leader: leadership.leader }),
    async beforeManualSync() {
      if (await leadership.tryLead()) return;
      const leader = leadership.leader;
      const who = leader ? `${leader.workstation} (since ${leader.since})` : 'another workstation';
      throw new SyncElsewhereError(`Sync runs on ${who}; this workstation syncs when that one goes away. Its results show here as they arrive.`);
    },
    ready: () => listener.ready(),
    leadership,
    async close() {
      await Promise.all([leadership.stop(), listener.stop()]);
    },
  };
}
