import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { defaultSettings, type Settings } from '@shared/settings';
import { createDispatcher, type Dispatch } from './api/dispatch';
import { createEventHub, type EventHub } from './api/events';
import { createAlertWatcher } from './alerts';
import { createAuthService, type AuthService } from './auth/auth-service';
import { RefundExecutor } from './refunds/executor';
import { createRefundService, type RefundService } from './refunds/refund-service';
import { createHandlers } from './api/handlers';
import { gateAfterStoreChange } from './api/workspace-handlers';
import { connectDemo, type DemoSandboxes, type SandboxDescriptor, type StartDemo } from './demo-mode';
import { UndoStacks } from './review/undo';
import { createApprovalService, type ApprovalService } from './approval/approve';
import { createControlService, type ControlService } from './controls/control-service';
import { createReversalExecutor } from './controls/reversal-executor';
import { createPendingChangeService } from './approval/pending-changes';
import type { ErpConnector, ErpKind } from './erp/connector';
import { erpModule } from './erp/registry';
import { createLogger, openAppLog, teeLogger, type AppLog, type Logger } from './log/logger';
import { resolveMatchConfig } from './matching/config';
import { createMatcher } from './matching/engine';
import type { Matcher } from './matching/types';
import { PayTraceClient } from './paytrace/client';
import { leaseOwnerId, OutboxWorker, outboxCounts } from './posting/outbox-worker';
import { heldReceipts } from './store/queries/outbox';
import { openStoreReadOnly, setAsideStore, type Db, type ReadDb } from './store/db';
import { openDataFolderStore } from './store/open-data-folder';
import { systemClock, type Clock } from './clock';
import { loadSettings, saveSettings } from './store/queries/settings';
import { readProfileId, saveProfileId } from './store/queries/app-identity';
import { createMatchRunner } from './sync/match-runner';
import { SyncService } from './sync/sync-service';
import { createCatchUpPreflight } from './offline/revalidate';
import { createCredentialVault, type CredentialVault } from './vault/credential-vault';
import { keytarSecretStore } from './vault/keytar-store';
import { createTotpSecrets } from './vault/totp-secrets';
import { createAuditSecrets } from './vault/audit-secrets';
import { AuditKeyMissingError, openKeyedAudit, type AuditAnchor } from './audit/audit-anchor';
import { secretFingerprint } from './vault/secret-fingerprint';
import { checkFolderProfile, forgetFolderProfile } from './vault/folder-identity';
import { createWorkspaceOfflineService, openEngineStore, WorkspaceOfflineError, type WorkspaceOfflineService } from './offline/workspace-offline';
import type { QueuedDecision } from './offline/workspace-replay';
import { guardOfflineDispatch } from './offline/workspace-offline-guard';
import type { SecretStore } from './vault/secret-store';
import { teamConnection, workstationName } from './team/team-connection';
import { startTeamMode, SYNC_FINISHED, type TeamMode } from './team/team-mode';
import { announceChange } from './store/queries/team-notices';
import type { SyncStatus } from '@shared/api-contract';
import { createPresenceService, type PresenceService } from './team/presence';

// The composition root: the one place that creates services (store, vault,
// connectors, sync, matching, approval, posting, controls, refunds) and wires
// them; handlers and the CLI only receive them. Electron's main process, the
// loopback web host and the CLI all create the engine the same way.

export type EngineOptions = Readonly<{
  dataDir: string;
  shell: 'electron' | 'web' | 'cli';
  /** Force the ERP kind (demo mode: `--erp sap-ecc`). */
  erpKind?: ErpKind;
  /** Use sandboxes already running elsewhere (described by `tieout sandbox --describe`). */
  sandbox?: SandboxDescriptor;
  /** Starts the demo sandboxes when demo mode has no running ones (`runDemoSandboxes` from electron/sandboxes/demo). */
  startDemo?: StartDemo;
  secretStore?: SecretStore;
  /** Where lines go besides the data folder's log file (default: stderr). */
  logger?: Logger;
  /** The data folder's log, when the shell opened it first (to log its own start-up); otherwise the engine opens it. */
  appLog?: AppLog;
  /** false: no log file (a read-only command on a live data folder). */
  fileLog?: boolean;
  actor?: string;
  version?: string;
  /** Start the poller, the posting worker and the resumption of unfinished refunds and reversals (off for one-shot CLI commands). */
  background?: boolean;
  /** The engine's source of time (tests move a manual clock instead of sleeping). */
  clock?: Clock;
  /** Posting policy overrides (the chaos run and benchmarks shorten them). */
  posting?: Readonly<{ maxAttempts?: number; backoffBaseMs?: number; concurrency?: number; erpTimeoutMs?: number }>;
  /** The undo window of work-queue approvals, in seconds, instead of the setting (tests of posting that do not wait it out). */
  undoWindowSeconds?: number;
  /** Test seam: runs after each offline decision is committed in the workspace, before the copy journals it. */
  afterOfflineReplay?: (q: QueuedDecision) => void;
}>;

export type Engine = Readonly<{
  db: Db;
  dispatch: Dispatch;
  events: EventHub;
  sync: SyncService;
  worker: OutboxWorker;
  vault: CredentialVault;
  auth: AuthService;
  approval: ApprovalService;
  controls: ControlService;
  refunds: RefundService;
  refundExecutor: RefundExecutor;
  /** A joined workstation's copy of the workspace; `offline` when the engine runs on it. */
  workspaceOffline: WorkspaceOfflineService;
  presence: PresenceService;
  /** Team mode (a data folder joined to a workspace, background on): sync leadership and live changes; null otherwise. */
  team: TeamMode | null;
  settings(): Settings;
  isDemo(): boolean;
  erpConnector(): Promise<ErpConnector>;
  payTraceClient(): Promise<PayTraceClient>;
  /** The data folder's log (null when fileLog was false). */
  log: AppLog | null;
  close(): Promise<void>;
}>;

/** How often a joined workstation's copy of the workspace is refreshed between syncs. */
const COPY_REFRESH_MS = 5 * 60_000;

function profileId(db: Db): string {
  let id = readProfileId(db);
  if (!id) {
    id = randomBytes(8).toString('hex');
    saveProfileId(db, id);
  }
  return id;
}

/** Opens the store with its audit trail sealed under the keychain's key and its head anchored there. */
async function openKeyedStore(dataDir: string, secretStore: SecretStore, clock: Clock, logger: Logger): Promise<{ db: Db; auditAnchor: AuditAnchor }> {
  const db = await openDataFolderStore(dataDir, secretStore);
  try {
    await checkFolderProfile(secretStore, dataDir, profileId(db));
    const auditAnchor = await openKeyedAudit({ db, secrets: createAuditSecrets(secretStore, profileId(db)), clock, logger: logger.child('audit') });
    return { db, auditAnchor };
  } catch (e) {
    db.close();
    throw e;
  }
}

function holdsDemoData(dataDir: string): boolean {
  let db: ReadDb | null = null;
  try {
    db = openStoreReadOnly(dataDir, { anySchema: true });
    return loadSettings(db).paytrace.environment === 'demo';
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/**
 * A real data folder whose audit key is not in this keychain is refused (the
 * trail could not be sealed or checked). A demo folder holds only the
 * sandboxes' made-up world, and a keychain that does not persist (a CI
 * machine, a throw-away session keyring) loses its key between runs: the demo
 * database is set aside, kept and named in the log, and a fresh demo starts.
 */
async function openSealedStore(dataDir: string, secretStore: SecretStore, clock: Clock, logger: Logger): Promise<{ db: Db; auditAnchor: AuditAnchor }> {
  try {
    return await openKeyedStore(dataDir, secretStore, clock, logger);
  } catch (e) {
    if (!(e instanceof AuditKeyMissingError) || !holdsDemoData(dataDir)) throw e;
    const setAside = setAsideStore(dataDir, `demo-without-audit-key-${clock.iso().replace(/[:.]/g, '-')}`);
    logger.warn(`demo data whose audit key this keychain does not hold was set aside as ${setAside}; starting a fresh demo`);
    await forgetFolderProfile(secretStore, dataDir);
    return openKeyedStore(dataDir, secretStore, clock, logger);
  }
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  // The installed app keeps its log in the data folder (logs/, rotated, redacted); the shell's logger (stderr) gets the same lines.
  const ownLog = !options.appLog && options.fileLog !== false ? await openAppLog(options.dataDir) : null;
  const appLog = options.appLog ?? ownLog;
  const extra = options.logger ?? createLogger('engine');
  const logger = appLog ? teeLogger(appLog.logger('engine'), extra) : extra;
  const secretStore = options.secretStore ?? keytarSecretStore();
  // One source of time for every service this root creates (tests pass a manual clock).
  const clock = options.clock ?? systemClock;
  // A joined folder whose workspace cannot be reached opens on its copy (workspace-offline mode): nothing is sent from it.
  const { db, auditAnchor, offline } = await openEngineStore(options.dataDir, secretStore, clock, logger, () => openSealedStore(options.dataDir, secretStore, clock, logger));
  const refuseOffline = () => {
    if (offline) throw new WorkspaceOfflineError(`The workspace "${offline.workspaceName}" cannot be reached: this workstation works from its copy and sends nothing until it is back.`);
  };
  const vault = createCredentialVault(secretStore, profileId(db));
  const events = createEventHub();
  const clockDate = () => new Date(clock.now());
  const alerts = createAlertWatcher({ emit: (a) => events.emit('alert', a), alertAfterMinutes: () => settings.sync.alertAfterMinutes, now: clockDate });
  const actor = options.actor ?? safeUserName();

  let settings = loadSettings(db);
  if (options.erpKind && options.erpKind !== settings.erp.kind) {
    // Another kind's address (a folder, a connection string) means nothing to this kind and may not pass its URL check.
    settings = { ...settings, erp: { ...settings.erp, kind: options.erpKind, baseUrl: defaultSettings().erp.baseUrl, options: {} } };
    saveSettings(db, settings);
  }

  let demo: DemoSandboxes | null = null;
  const isDemo = () => settings.paytrace.environment === 'demo';
  if (isDemo()) {
    demo = await connectDemo({ db, vault, erpKind: settings.erp.kind, descriptor: options.sandbox, startDemo: options.startDemo, logger: logger.child('demo'), clock });
    settings = loadSettings(db);
  }

  const auth = createAuthService({ db, osUser: actor, isDemo, clock, totpSecrets: createTotpSecrets(secretStore, profileId(db)) });
  if (isDemo()) await auth.seedDemoUsers();

  let erpCache: { key: string; connector: ErpConnector } | null = null;
  const erpConnector = async (): Promise<ErpConnector> => {
    refuseOffline();
    const s = settings.erp;
    const credentials = await vault.get('erp');
    if (!credentials) throw Object.assign(new Error('No ERP credentials are set. Enter them in Settings.'), { kind: 'config' });
    // A changed password (even of the same length) opens a new connection; the key holds no secret.
    const key = JSON.stringify([s, credentials.username, secretFingerprint(credentials.password)]);
    if (erpCache?.key === key) return erpCache.connector;
    if (erpCache) await erpCache.connector.close().catch(() => {});
    const connector = erpModule(s.kind).createConnector({ baseUrl: s.baseUrl, options: s.options, credentials, timeoutMs: options.posting?.erpTimeoutMs ?? 60_000, clock });
    erpCache = { key, connector };
    return connector;
  };

  let ptCache: { key: string; client: PayTraceClient } | null = null;
  const payTraceClient = async (): Promise<PayTraceClient> => {
    refuseOffline();
    const s = settings.paytrace;
    const credentials = await vault.get('paytrace');
    if (!credentials) throw Object.assign(new Error('No PayTrace credentials are set. Enter them in Settings.'), { kind: 'config' });
    // A changed password (even of the same length) gets a new client and token; the key holds no secret.
    const key = JSON.stringify([s, settings.sync.merchantZone, credentials.username, secretFingerprint(credentials.password)]);
    if (ptCache?.key === key) return ptCache.client;
    const client = new PayTraceClient({
      baseUrl: s.baseUrl,
      integratorId: s.integratorId,
      username: credentials.username,
      password: credentials.password,
      zone: settings.sync.merchantZone,
      timeoutMs: s.timeoutSeconds * 1000,
      clock,
    });
    ptCache = { key, client };
    return client;
  };

  // The matching rules are settings (Settings → Matching rules, Settings.matching):
  // the matcher, the runner and its worker thread all use them.
  let matcherCache: Matcher | null = null;
  const matcher = () => (matcherCache ??= createMatcher(resolveMatchConfig(settings.matching)));
  // The sync's re-match runs in a worker thread (in-process where one cannot start; it logs which).
  const matchRunner = createMatchRunner({ db, logger: logger.child('matching'), matcher, config: resolveMatchConfig(settings.matching) });
  let resumedAfterSync: string | null = null;
  // Set once the services exist (team mode starts after them); status updates before that carry none.
  let team: TeamMode | null = null;
  let lastSyncState: SyncStatus['state'] = 'idle';
  const sync = new SyncService({
    db,
    settings: () => settings,
    paytrace: payTraceClient,
    erp: erpConnector,
    matcher,
    matchRunner,
    now: clockDate,
    logger: logger.child('sync'),
    onStatus: (s) => {
      events.emit('sync:status', { ...s, team: team?.status() ?? null });
      // The team's sync ended here: the followers show its outcome too.
      if (team && s.state !== 'running' && lastSyncState === 'running') announceChange(db, { t: SYNC_FINISHED });
      lastSyncState = s.state;
      alerts.onSync(s);
      // PayTrace is reachable again after a successful sync: queued refunds (approved
      // offline) run now, each re-validated against the fresh refundable amount.
      // Once per completed sync: other status updates (stop() on close, scheduling)
      // repeat the last state and used to start a resume on a closing engine.
      if (s.state === 'idle' && s.progress?.done === s.progress?.total && s.paytrace.reachability === 'online' && s.lastSuccessAt !== resumedAfterSync) {
        resumedAfterSync = s.lastSuccessAt;
        // Then approved refunds whose sale has settled since (a partial refund waits for settlement) run, exactly once each.
        void refundExecutor
          .afterSync()
          .catch((e: unknown) => logger.error(`refund resume failed: ${(e as Error).message}`));
        // The workstation's copy follows each completed sync (read in a worker thread).
        refreshCopy();
      }
    },
    onRowsChanged: (ids) => events.emit('rows:changed', { transactionIds: ids }),
  });

  const postingSummary = () => ({ ...outboxCounts(db), paused: worker.paused, waiting: heldReceipts(db, clock.iso()) });
  const worker = new OutboxWorker({
    db,
    connector: erpConnector,
    // Offline catch-up: every queued receipt is re-validated against fresh remote state before its first send.
    preflight: createCatchUpPreflight({
      db,
      paytrace: payTraceClient,
      merchantZone: () => settings.sync.merchantZone,
      now: clockDate,
      logger: logger.child('catch-up'),
      onConflict: (id) => events.emit('rows:changed', { transactionIds: [id] }),
    }),
    owner: leaseOwnerId(`${options.shell}-${randomBytes(4).toString('hex')}`),
    logger: logger.child('posting'),
    clock,
    actor: 'system',
    ...(options.posting?.maxAttempts ? { maxAttempts: options.posting.maxAttempts } : {}),
    ...(options.posting?.concurrency ? { concurrency: options.posting.concurrency } : {}),
    ...(options.posting?.backoffBaseMs !== undefined
      ? { backoff: { baseMs: options.posting.backoffBaseMs, maxMs: Math.max(options.posting.backoffBaseMs * 16, 1) }, breakerPauseMs: options.posting.backoffBaseMs * 4 }
      : {}),
    onChange: (ids) => {
      events.emit('rows:changed', { transactionIds: ids });
      const summary = postingSummary();
      events.emit('posting:status', summary);
      alerts.onPosting(summary);
    },
  });

  const refundExecutor = new RefundExecutor({
    db,
    paytrace: payTraceClient,
    zone: () => settings.sync.merchantZone,
    clock,
    logger: logger.child('refunds'),
    onChange: (_id, transactionId) => events.emit('rows:changed', { transactionIds: [transactionId] }),
    onQueued: () => void worker.drain().catch(() => {}),
  });
  const refunds = createRefundService({ db, auth, clock, merchantZone: () => settings.sync.merchantZone, executor: refundExecutor, onChange: (transactionId) => events.emit('rows:changed', { transactionIds: [transactionId] }) });

  const approval = createApprovalService({
    db,
    clock,
    merchantZone: () => settings.sync.merchantZone,
    erpKind: () => settings.erp.kind,
    erpCapabilities: async () => (await erpConnector()).capabilities,
    knownCapabilities: () => erpCache?.connector.capabilities ?? null,
    onApproved: (ids, post) => {
      events.emit('rows:changed', { transactionIds: [...ids] });
      events.emit('posting:status', postingSummary());
      // Posting starts at once; the worker's own loop also picks the rows up.
      if (post === 'now' && !offline) void worker.drain().catch(() => {});
    },
  });

  const workstation = workstationName();
  const presence = createPresenceService({ db, clock, workstation, onChange: (ids) => events.emit('presence:changed', { transactionIds: ids }) });

  const reversals = createReversalExecutor({ db, connector: erpConnector, owner: leaseOwnerId('reversals'), clock, merchantZone: () => settings.sync.merchantZone });
  const controls = createControlService({
    db,
    auth,
    clock,
    merchantZone: () => settings.sync.merchantZone,
    reversals,
    erpConnector,
    onChange: (transactionId) => events.emit('rows:changed', { transactionIds: [transactionId] }),
    // The approval the control was about, with the approved write-offs on the receipt. The
    // control service calls it synchronously: the connection's capabilities are the ones
    // already known (controls:approve opens the connection first).
    approveMatch: (transactionId, actor, writeOffs) => {
      const result = approval.approveWith({ transactionIds: [transactionId], actor, writeOffs: new Map([[transactionId, writeOffs]]) }, approval.knownCapabilities());
      if (result.approved.length === 0) return { approved: false, reason: result.skipped[0]?.reason ?? null };
      return { approved: true, reason: null };
    },
  });

  let storeChangedMessage: string | null = null;
  const workspaceOffline = createWorkspaceOfflineService({
    dataDir: options.dataDir,
    db,
    offline,
    secrets: secretStore,
    approval,
    clock,
    logger: logger.child('workspace-offline'),
    onReplayed: (ids) => events.emit('rows:changed', { transactionIds: [...ids] }),
    onReachabilityChanged: () => events.emit('rows:changed', { transactionIds: null }),
    afterApply: options.afterOfflineReplay,
  });
  function refreshCopy(): void {
    workspaceOffline.refresh().catch((e: unknown) => logger.error(`workspace copy not refreshed: ${(e as Error).message}`));
  }
  if (!offline) {
    // Back on the workspace: what was decided on the copy is replayed before anything else runs.
    try {
      await workspaceOffline.catchUp();
    } catch (e) {
      logger.error(`offline decisions not replayed: ${(e as Error).message}`);
    }
  }

  let anchorClosed = false;
  const handlers = createHandlers({
    db,
    clock,
    vault,
    secretStore,
    pauseForStoreChange: async (message) => {
      // Nothing more goes into the store this folder is leaving (docs/team.md): calls are
      // refused, the loops stop, and what is in flight finishes before the store is copied.
      storeChangedMessage = message;
      sync.stop();
      worker.stop();
      await worker.idle();
      await refundExecutor.idle();
      await auditAnchor.flush();
      return () => {
        storeChangedMessage = null;
        if (options.background !== false) {
          sync.start();
          worker.start();
        }
      };
    },
    storeChanged: async (message) => {
      storeChangedMessage = message;
      // The keychain anchor now belongs to the store the folder opens next: this engine stops moving it.
      if (!anchorClosed) await auditAnchor.close();
      anchorClosed = true;
    },
    storeChangedMessage: () => storeChangedMessage,
    sync,
    worker,
    actor: (context) => auth.actorFor(context),
    auth,
    approval,
    controls,
    refunds,
    pendingChanges: createPendingChangeService({ db, auth, clock }),
    undo: new UndoStacks(),
    workspaceOffline,
    shell: options.shell === 'electron' ? 'electron' : 'web',
    version: options.version ?? '0.1.0',
    dataDir: options.dataDir,
    isDemo,
    settings: () => settings,
    undoWindowSeconds: () => options.undoWindowSeconds ?? settings.sync.undoWindowSeconds,
    updateSettings: (next) => {
      settings = next;
      saveSettings(db, next);
      ptCache = null;
      erpCache = null;
    },
    setMatchingRules: (rules) => {
      const config = resolveMatchConfig(rules);
      settings = { ...settings, matching: rules };
      saveSettings(db, settings);
      matcherCache = null;
      matchRunner.configure(config);
    },
    rematchAll: async () => {
      const result = await matchRunner.run({ changedTransactionIds: null, full: true });
      events.emit('rows:changed', { transactionIds: null });
      logger.child('matching').info(`matching rules changed: re-matched ${result.rematched} of ${result.pending} undecided transaction(s), ${result.saved} outcome(s) changed`);
      return result;
    },
    erpConnector,
    payTraceClient,
    postingSummary,
    presence,
    team: () => team,
    events,
  });
  const onlineDispatch = gateAfterStoreChange(createDispatcher(handlers, logger.child('api'), auth.authorize), () => storeChangedMessage);
  // On the copy, what the replay cannot carry back is refused rather than lost.
  const dispatch = offline ? guardOfflineDispatch(onlineDispatch, offline.workspaceName) : onlineDispatch;

  // A joined data folder is one of a team: one workstation runs the scheduled sync (the
  // leadership starts and stops it here) and every workstation hears the others' changes.
  const teamConfig = options.background !== false && !offline ? await teamConnection(options.dataDir, secretStore) : null;
  team = teamConfig
    ? startTeamMode({
        config: teamConfig,
        db,
        workstation,
        clock,
        logger: logger.child('team'),
        onLeading: (leading) => {
          if (leading) sync.start();
          else sync.stop();
          events.emit('sync:status', { ...sync.status, team: team?.status() ?? null });
        },
        onRemoteChanges: (changes) => {
          if (changes.transactionIds === null || changes.transactionIds.length > 0) {
            events.emit('rows:changed', { transactionIds: changes.transactionIds });
            events.emit('posting:status', postingSummary());
          }
          if (changes.presence.length > 0) events.emit('presence:changed', { transactionIds: changes.presence });
          if (changes.tables.includes(SYNC_FINISHED)) sync.reloadFromStore();
          // An admin saved settings on another workstation: this one works with them from now on.
          if (changes.tables.includes('settings')) {
            settings = loadSettings(db);
            ptCache = null;
            erpCache = null;
            matcherCache = null;
            matchRunner.configure(resolveMatchConfig(settings.matching));
          }
        },
      })
    : null;

  let copyTimer: NodeJS.Timeout | null = null;
  if (options.background !== false) workspaceOffline.startProbing();
  if (options.background !== false && !offline) {
    copyTimer = setInterval(refreshCopy, COPY_REFRESH_MS);
    copyTimer.unref();
    if (!team) sync.start();
    worker.start();
    // A refund left 'executing' by a crash is resolved by a PayTrace look-up, never re-sent blind.
    void refundExecutor.resumeAll().catch((e: unknown) => logger.error(`refund resume failed: ${(e as Error).message}`));
    // Likewise a reversal left unfinished: resolved by an ERP look-up.
    void reversals.resumeAll().catch((e: unknown) => logger.error(`reversal resume failed: ${(e as Error).message}`));
  }

  return {
    db,
    dispatch,
    events,
    sync,
    worker,
    vault,
    auth,
    approval,
    controls,
    refunds,
    refundExecutor,
    workspaceOffline,
    presence,
    team,
    settings: () => settings,
    isDemo,
    erpConnector,
    payTraceClient,
    log: appLog,
    async close() {
      if (copyTimer) clearInterval(copyTimer);
      await team?.close();
      workspaceOffline.stop();
      await workspaceOffline.idle();
      sync.stop();
      worker.stop();
      await worker.idle();
      await refundExecutor.idle();
      await matchRunner.close();
      if (erpCache) await erpCache.connector.close().catch(() => {});
      if (demo) await demo.close();
      if (!anchorClosed) await auditAnchor.close();
      db.close();
      await ownLog?.close();
    },
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
