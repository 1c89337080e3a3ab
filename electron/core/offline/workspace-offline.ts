import type { OfflineConflictChoice, ReplayResult, WorkspaceOfflineState } from '@shared/api/workspace-offline';
import { appendAudit, bindAuditKey } from '../audit/audit-log';
import { AuditKeyMissingError, type AuditAnchor } from '../audit/audit-anchor';
import type { ApprovalService } from '../approval/approve';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import { readProfileId } from '../store/queries/app-identity';
import { readWorkspaceLink, workspaceConnection, workspacePasswordAccount, WorkspaceLinkError, type WorkspaceLink } from '../store/workspace-link';
import { createAuditSecrets } from '../vault/audit-secrets';
import { checkFolderProfile } from '../vault/folder-identity';
import type { SecretStore } from '../vault/secret-store';
import { DecisionError } from './decisions';
import { isWorkspaceUnreachable, probeFailure, probeWorkspace, PROBE_INTERVAL_MS, START_PROBE_TIMEOUT_MS } from './workspace-reachability';
import { cacheMeta, openWorkspaceCache, refreshWorkspaceCache, workspaceCacheExists, type RefreshResult } from './workspace-cache';
import { applyInWorkspace, markConflictResolved, openReplayConflicts, queuedCount, replayQueued, storedConflict, type QueuedDecision } from './workspace-replay';

// Workspace-offline mode: the engine of a joined workstation whose workspace
// cannot be reached at start-up runs on the workstation's copy. Nothing there
// leaves the machine: no sync, no posting, no refund, no ERP or PayTrace call
// (the engine refuses both connections); the clerk's decisions stay in the
// copy until the engine next opens on the workspace and replays them.

export type OfflineSession = Readonly<{
  since: string;
  reason: string;
  workspaceName: string;
  /** Whether the workspace answers now (a fresh connection of its own, never the engine's thread blocked). */
  probe: () => Promise<boolean>;
}>;


export type EngineStore = Readonly<{ db: Db; auditAnchor: AuditAnchor; offline: OfflineSession | null }>;

export class WorkspaceOfflineError extends Error {
  override readonly name = 'WorkspaceOfflineError';
  readonly kind = 'offline';
}


const noAnchor: AuditAnchor = { flush: async () => {}, close: async () => {} };

/**
 * Opens the workspace (through `openOnline`), or, when a joined folder's
 * workspace cannot be reached and the folder has a copy, the copy. The copy's
 * audit entries are sealed with the workspace's key but never anchored in the
 * keychain: the anchor follows the workspace's trail, not the copy's.
 */
export async function openEngineStore(
  dataDir: string,
  secrets: SecretStore,
  clock: Clock,
  logger: Logger,
  openOnline: () => Promise<{ db: Db; auditAnchor: AuditAnchor }>,
  startProbeTimeoutMs = START_PROBE_TIMEOUT_MS,
): Promise<EngineStore> {
  try {
    // With a copy to fall back on, a workspace that does not answer within the limit is not waited for
    // (the engine's blocking connection would wait for the bridge's 120 s on a host that drops packets).
    const link = readWorkspaceLink(dataDir);
    if (link && workspaceCacheExists(dataDir)) {
      const password = await secrets.get(workspacePasswordAccount(link));
      const failure = password === null ? null : await probeFailure(workspaceConnection(link, password), startProbeTimeoutMs);
      if (failure && isWorkspaceUnreachable(failure)) throw failure;
    }
    return { ...(await openOnline()), offline: null };
  } catch (e) {
    const link = readWorkspaceLink(dataDir);
    if (!link || !isWorkspaceUnreachable(e)) throw e;
    const reason = (e as Error).message;
    const cache = openWorkspaceCache(dataDir);
    if (!cache) {
      throw new WorkspaceLinkError(`The workspace "${link.name}" cannot be reached (${reason}) and this workstation has no copy of it yet: connect once, then it can work offline`);
    }
    try {
      const profile = readProfileId(cache);
      if (!profile) throw new Error(`This workstation's copy of the workspace "${link.name}" is incomplete (no profile id)`);
      await checkFolderProfile(secrets, dataDir, profile);
      const key = await createAuditSecrets(secrets, profile).getKey();
      if (!key) throw new AuditKeyMissingError(0);
      bindAuditKey(cache, key);
    } catch (err) {
      cache.close();
      throw err;
    }
    logger.warn(`workspace "${link.name}" unreachable (${reason}): working from this workstation's copy of ${cacheMeta(cache)?.snapshotAt ?? 'unknown'}`);
    const password = await secrets.get(workspacePasswordAccount(link));
    const probe = async () => (password === null ? false : probeWorkspace(workspaceConnection(link, password)));
    return { db: cache, auditAnchor: noAnchor, offline: { since: clock.iso(), reason, workspaceName: link.name, probe } };
  }
}

export type WorkspaceOfflineService = Readonly<{
  offline: OfflineSession | null;
  state(): WorkspaceOfflineState;
  /** On the workspace: replays what was decided offline, then refreshes the copy. */
  catchUp(): Promise<Readonly<{ replay: ReplayResult | null; refresh: RefreshResult | null }>>;
  /** On the workspace: rebuilds the copy (refused while decisions wait to be replayed); one at a time. */
  refresh(): Promise<RefreshResult | null>;
  resolve(decisionKey: string, choice: OfflineConflictChoice, actor: string): void;
  /** Waits for the refresh in flight (engine close: the copy must not be renamed under the next engine). */
  idle(): Promise<void>;
  /** Checks now whether the workspace answers (offline: again; online: still). */
  probe(): Promise<boolean>;
  /** Probes every `intervalMs` (offline: until the workspace answers). */
  startProbing(intervalMs?: number): void;
  stop(): void;
}>;

export type WorkspaceOfflineDeps = Readonly<{
  dataDir: string;
  /** The engine's store: the workspace, or offline the copy. */
  db: Db;
  offline: OfflineSession | null;
  /** The keychain, for the workspace password the copy's own connection needs. */
  secrets: SecretStore;
  approval: ApprovalService;
  clock: Clock;
  logger: Logger;
  onReplayed?: (transactionIds: readonly number[]) => void;
  /** The workspace answers again (offline) or stopped answering (online): the UI tells the clerk to reopen. */
  onReachabilityChanged?: () => void;
  /** Test seam (a crash between the workspace's commit and the copy's journal). */
  afterApply?: (q: QueuedDecision) => void;
}>;

export function createWorkspaceOfflineService(d: WorkspaceOfflineDeps): WorkspaceOfflineService {
  const link: WorkspaceLink | null = readWorkspaceLink(d.dataDir);
  let lastReplay: ReplayResult | null = null;
  let reachableAgainAt: string | null = null;
  let probeTimer: NodeJS.Timeout | null = null;
  let probing = false;

  let lostSince: string | null = null;
  const answers = async (): Promise<boolean> => {
    if (d.offline) return d.offline.probe();
    const password = link ? await d.secrets.get(workspacePasswordAccount(link)) : null;
    return link !== null && password !== null && probeWorkspace(workspaceConnection(link, password));
  };
  const probe = async (): Promise<boolean> => {
    if (!link || probing) return d.offline ? reachableAgainAt !== null : lostSince === null;
    probing = true;
    try {
      const ok = await answers();
      if (d.offline && ok && reachableAgainAt === null) {
        reachableAgainAt = d.clock.iso();
        d.logger.info(`workspace "${link.name}" answers again: reopen to replay the decisions made offline`);
        d.onReachabilityChanged?.();
      }
      if (!d.offline && ok === (lostSince !== null)) {
        // Online: the engine's own connection does not come back by itself; the clerk is told to reopen on the copy.
        lostSince = ok ? null : d.clock.iso();
        if (ok) d.logger.info(`workspace "${link.name}" answers again`);
        else d.logger.warn(`workspace "${link.name}" does not answer: reopen to work from this workstation's copy`);
        d.onReachabilityChanged?.();
      }
      return ok;
    } finally {
      probing = false;
    }
  };
  const stop = () => {
    if (probeTimer) clearInterval(probeTimer);
    probeTimer = null;
  };

  /** The copy: the engine's own store offline; opened for the call online (a refresh renames the file). */
  const withCache = <T>(fn: (cache: Db) => T): T | null => {
    if (d.offline) return fn(d.db);
    const cache = openWorkspaceCache(d.dataDir);
    if (!cache) return null;
    try {
      return fn(cache);
    } finally {
      cache.close();
    }
  };

  let refreshing: Promise<RefreshResult | null> | null = null;
  const refreshOnce = async (): Promise<RefreshResult | null> => {
    if (!link || d.offline) return null;
    const password = await d.secrets.get(workspacePasswordAccount(link));
    if (password === null) return { refreshed: false, reason: 'the workspace password is not in this keychain' };
    const r = await refreshWorkspaceCache(workspaceConnection(link, password), d.dataDir, { workspaceId: link.workspaceId, workspaceName: link.name }, d.clock.iso(), queuedCount);
    if (r.refreshed) d.logger.info(`workspace copy refreshed: ${r.rows} rows in ${r.ms} ms`);
    else d.logger.warn(`workspace copy not refreshed: ${r.reason}`);
    return r;
  };
  // A refresh asked for while one runs shares it.
  const refresh = (): Promise<RefreshResult | null> =>
    (refreshing ??= refreshOnce().finally(() => {
      refreshing = null;
    }));

  return {
    offline: d.offline,
    state() {
      if (!link) return { mode: 'local', workspaceName: null, unreachableSince: null, unreachableReason: null, reachableAgainAt: null, snapshotAt: null, queued: 0, conflicts: [], lastReplay: null };
      const local = withCache((cache) => ({ snapshotAt: cacheMeta(cache)?.snapshotAt ?? null, queued: queuedCount(cache), conflicts: openReplayConflicts(cache) }));
      return {
        mode: d.offline ? 'offline' : 'workspace',
        workspaceName: link.name,
        unreachableSince: d.offline?.since ?? lostSince,
        unreachableReason: d.offline?.reason ?? null,
        reachableAgainAt,
        snapshotAt: local?.snapshotAt ?? null,
        queued: local?.queued ?? 0,
        conflicts: local?.conflicts ?? [],
        lastReplay,
      };
    },
    async catchUp() {
      if (!link || d.offline) return { replay: null, refresh: null };
      const cache = openWorkspaceCache(d.dataDir);
      if (cache) {
        try {
          const r = await replayQueued({ workspace: d.db, cache, approval: d.approval, clock: d.clock, logger: d.logger, afterApply: d.afterApply });
          const touched = [...r.applied, ...r.alreadyApplied, ...r.conflicts];
          if (touched.length > 0) {
            lastReplay = r;
            d.onReplayed?.(touched);
          }
        } finally {
          cache.close();
        }
      }
      return { replay: lastReplay, refresh: await refresh() };
    },
    refresh,
    idle: async () => {
      await refreshing?.catch(() => {});
    },
    probe,
    startProbing(intervalMs = PROBE_INTERVAL_MS) {
      if (!link || probeTimer) return;
      probeTimer = setInterval(() => {
        void probe().then((ok) => {
          // Offline, once it answers there is nothing more to learn before the clerk reopens.
          if (ok && d.offline) stop();
        });
      }, intervalMs);
      probeTimer.unref();
    },
    stop,
    resolve(decisionKey, choice, actor) {
      if (!link) throw new DecisionError('not_found', 'This folder is not joined to a workspace.');
      if (d.offline) throw new DecisionError('conflict', `The workspace "${link.name}" cannot be reached: settle offline decisions when it is back.`);
      const done = withCache((cache) => {
        const stored = storedConflict(cache, decisionKey);
        if (!stored) throw new DecisionError('not_found', `No open offline conflict ${decisionKey}.`);
        const at = d.clock.iso();
        if (choice === 'apply_mine') {
          // The same checks as any decision: an approval the workspace already made stays refused.
          applyInWorkspace(d.db, stored.queued, { service: d.approval, capabilities: d.approval.knownCapabilities() }, at, true);
        } else {
          appendAudit(d.db, {
            actor,
            action: 'offline.discard',
            objectType: 'offline_decision',
            objectId: decisionKey,
            before: { transactionId: stored.transactionId, decidedBy: stored.decidedBy, decidedOfflineAt: stored.decidedOfflineAt, decision: stored.decision },
            at,
          });
        }
        markConflictResolved(cache, decisionKey, choice, at);
        return stored.transactionId;
      });
      if (done === null) throw new DecisionError('not_found', 'This workstation has no copy of the workspace.');
      d.onReplayed?.([done]);
    },
  };
}
