import { ApiFailure, type CallContext, type ConnectionTestResult, type MethodName, type PostingSummary, type SyncStatus } from '@shared/api-contract';
import type { TransactionDetail } from '@shared/domain';
import { settingsSchema, type Settings, type SettingsView } from '@shared/settings';
import { appendAudit, auditFor } from '../audit/audit-log';
import type { ErpConnector } from '../erp/connector';
import { ERP_LABELS } from '../erp/connector';
import type { PayTraceClient } from '../paytrace/client';
import type { ApprovalService } from '../approval/approve';
import type { ControlService } from '../controls/control-service';
import { outboxFor, type OutboxWorker } from '../posting/outbox-worker';
import type { Db } from '../store/db';
import { getInvoices } from '../store/queries/ledger';
import { decidedAllocations, getOutcome, gridRows, statusCounts } from '../store/queries/matches';
import { getTransaction } from '../store/queries/transactions';
import type { SyncService } from '../sync/sync-service';
import type { CredentialVault } from '../vault/credential-vault';
import type { Clock } from '../clock';
import type { ApiHandlers, DomainHandlers } from './dispatch';
import type { coreMethods } from '@shared/api/core';
import { postingHandlers } from './posting-handlers';
import { erpHandlers } from './erp-handlers';
import { reviewHandlers, withUndo } from './review-handlers';
import type { UndoStacks } from '../review/undo';
import { authHandlers } from './auth-handlers';
import { refundHandlers } from './refund-handlers';
import { offlineHandlers } from './offline-handlers';
import { controlHandlers } from './control-handlers';
import { refundTaskFor } from '../refunds/credit-memo';
import type { AuthService } from '../auth/auth-service';
import type { RefundService } from '../refunds/refund-service';
import type { EventHub } from './events';
import type { MatchConfigOverride } from '@shared/matching-config';
import type { RematchResult } from '../sync/incremental-rematch';
import { matchingHandlers } from './matching-handlers';
import { diagnosticsHandlers } from './diagnostics-handlers';
import { adminHandlers } from './admin-handlers';
import { workspaceHandlers } from './workspace-handlers';
import type { SecretStore } from '../vault/secret-store';
import type { PendingChangeService } from '../approval/pending-changes';
import type { WorkspaceOfflineService } from '../offline/workspace-offline';
import { workspaceOfflineHandlers } from './workspace-offline-handlers';
import type { PresenceService } from '../team/presence';
import { SyncElsewhereError, type TeamMode } from '../team/team-mode';
import { alreadyDecidedMessage } from '../approval/decided';
import { decisionRecord } from '../store/queries/approvals';
import { teamHandlers } from './team-handlers';
import { gridHandlers } from './grid-handlers';
import { inboxHandlers } from './inbox-handlers';
import { exportHandlers } from './export-handlers';
import { bulkReviewHandlers, viewHandlers } from './work-queue-handlers';
import { approvalHandlers } from './approval-handlers';

/** What the handlers are given: the engine's services (created once, in electron/core/engine.ts) and its settings. */
export type HandlerDeps = Readonly<{
  // Services
  db: Db;
  /** The engine's clock: every timestamp a handler writes comes from it. */
  clock: Clock;
  vault: CredentialVault;
  auth: AuthService;
  sync: SyncService;
  /** The one way a match is approved (electron/core/approval/approve.ts). */
  approval: ApprovalService;
  worker: OutboxWorker;
  controls: ControlService;
  refunds: RefundService;
  /** Changes that loosen the controls, waiting for a second admin. */
  pendingChanges: PendingChangeService;
  /** Each user's undo history of review decisions. */
  undo: UndoStacks;
  /** A joined workstation's copy of the workspace, offline decisions and their replay. */
  workspaceOffline: WorkspaceOfflineService;
  events: EventHub;
  erpConnector(): Promise<ErpConnector>;
  payTraceClient(): Promise<PayTraceClient>;
  postingSummary(): PostingSummary;
  /** Who has which payment open (team mode's soft locks). */
  presence: PresenceService;
  /** Team mode (sync leadership, live changes); null on a single-user store. */
  team(): TeamMode | null;

  /** Who is acting: the signed-in user of this call; the OS user on the local CLI channel. */
  actor(context: CallContext): string;

  /** The OS keychain: team set-up keeps the workspace password, audit key and credentials there. */
  secretStore: SecretStore;
  /** Before this folder's store changes (workspace create/join/leave): calls refused with `message`, loops stopped, in-flight work finished. The result undoes it (the change failed). */
  pauseForStoreChange(message: string): Promise<() => void>;
  /** The folder's store changed: the engine answers nothing but status until restarted, and no longer moves the audit anchor. */
  storeChanged(message: string): Promise<void>;
  storeChangedMessage(): string | null;

  // The installation
  shell: 'electron' | 'web';
  version: string;
  dataDir: string;
  isDemo(): boolean;
  settings(): Settings;
  /** How long a work-queue approval waits before posting (the setting, or the engine's override). */
  undoWindowSeconds(): number;
  updateSettings(next: Settings): void;
  /** Stores new matching rules and drops the matcher and the runner's state built on the old ones. */
  setMatchingRules(rules: MatchConfigOverride): void;
  /** Re-matches every undecided transaction (full), then tells the UI rows changed. */
  rematchAll(): Promise<RematchResult>;
}>;

/** The API over the engine's services; it creates none of its own (electron/core/engine.ts does). */
export function createHandlers(d: HandlerDeps): ApiHandlers {
  // A queue's export calls the queue's own method as the caller, with that method's role.
  const listSource = async (name: MethodName, ctx: CallContext): Promise<unknown> => {
    d.auth.authorize(name, ctx);
    return (await (all[name] as (a: unknown, c: CallContext) => unknown)({}, ctx));
  };
  const all: ApiHandlers = withUndo(
    {
      ...coreHandlers(d),
      ...postingHandlers(d),
      ...authHandlers(d),
      ...refundHandlers(d),
      ...erpHandlers(d),
      ...offlineHandlers(d),
      ...controlHandlers(d),
      ...matchingHandlers(d),
      ...diagnosticsHandlers(d),
      ...adminHandlers(d),
      ...workspaceHandlers(d),
      ...workspaceOfflineHandlers(d),
      ...teamHandlers(d),
      ...gridHandlers(d),
      ...exportHandlers(d, listSource),
      ...inboxHandlers(d),
      ...viewHandlers(d),
      ...bulkReviewHandlers(d, d.undo),
      ...approvalHandlers(d),
      ...reviewHandlers(d, d.undo),
    },
    d,
    d.undo,
  );
  return all;
}

function coreHandlers(d: HandlerDeps): DomainHandlers<keyof typeof coreMethods> {
  const withTeam = (status: SyncStatus): SyncStatus => ({ ...status, team: d.team()?.status() ?? null });
  const settingsView = async (): Promise<SettingsView> => ({ settings: d.settings(), credentials: await d.vault.status() });

  return {
    'app:info': () => ({
      version: d.version,
      mode: d.isDemo() ? 'demo' : 'live',
      shell: d.shell,
      dataDir: d.dataDir,
      erpKind: d.settings().erp.kind,
      erpLabel: ERP_LABELS[d.settings().erp.kind],
      merchantZone: d.settings().sync.merchantZone,
    }),

    'grid:rows': () => gridRows(d.db),
    'grid:counts': () => statusCounts(gridRows(d.db)),

    'grid:detail': ({ transactionId }): TransactionDetail => {
      const transaction = getTransaction(d.db, transactionId);
      const [row] = gridRows(d.db, [transactionId]);
      const outcome = getOutcome(d.db, transactionId);
      if (!transaction || !row || !outcome) throw new ApiFailure('not_found', `Transaction ${transactionId} is not in the local store`);
      const decided = decidedAllocations(d.db, transactionId);
      const invoiceNos = new Set<string>([...(decided.length ? decided : outcome.allocations).map((a) => a.invoiceNo)]);
      for (const c of outcome.candidates) for (const a of c.allocations) invoiceNos.add(a.invoiceNo);
      const posting = outboxFor(d.db, transactionId);
      return {
        row,
        transaction,
        outcome,
        invoices: getInvoices(d.db, [...invoiceNos]),
        posting: posting
          ? { state: posting.state as NonNullable<TransactionDetail['posting']>['state'], attempts: posting.attempts, lastError: posting.last_error, erpDocumentId: posting.erp_document_id, updatedAt: posting.updated_at }
          : null,
        history: auditFor(d.db, 'transaction', String(transactionId)),
        refundTask: refundTaskFor(d.db, transaction, outcome),
        decision: decisionRecord(d.db, transactionId)?.reviewState === 'pending' ? null : alreadyDecidedMessage(d.db, transactionId, d.settings().sync.merchantZone, d.clock.iso()),
      };
    },

    // A clerk's approval waits out the undo window in the outbox: Ctrl+Z takes the batch back with nothing sent.
    'matches:approve': ({ transactionIds }, ctx) => d.approval.approve({ transactionIds, actor: d.actor(ctx), undoWindowSeconds: d.undoWindowSeconds() }),

    'sync:now': async () => {
      try {
        await d.team()?.beforeManualSync();
      } catch (e) {
        if (e instanceof SyncElsewhereError) throw new ApiFailure('conflict', e.message);
        throw e;
      }
      return withTeam(await d.sync.runOnce());
    },
    'sync:status': () => withTeam(d.sync.status),
    'posting:status': () => d.postingSummary(),

    'settings:get': settingsView,

    'settings:save': async (patch, ctx) => {
      const current = d.settings();
      const next = settingsSchema.safeParse({
        paytrace: { ...current.paytrace, ...patch.paytrace },
        erp: { ...current.erp, ...patch.erp },
        sync: { ...current.sync, ...patch.sync },
        // Matching rules have their own method (matching:setRules): kept as they are.
        matching: current.matching,
      });
      if (!next.success) {
        const issue = next.error.issues[0];
        throw new ApiFailure('invalid_args', `Setting ${issue?.path.join('.') ?? ''} is not valid: ${issue?.message ?? ''}`);
      }
      d.updateSettings(next.data);
      appendAudit(d.db, { actor: d.actor(ctx), action: 'settings.save', objectType: 'settings', objectId: 'app', before: current, after: next.data });
      return settingsView();
    },

    'credentials:set': async ({ connection, username, password }, ctx) => {
      await d.vault.set(connection, { username, password });
      d.updateSettings(d.settings()); // drops cached clients so the new credentials are used
      appendAudit(d.db, { actor: d.actor(ctx), action: 'credentials.set', objectType: 'connection', objectId: connection });
      return settingsView();
    },

    'credentials:clear': async ({ connection }, ctx) => {
      await d.vault.clear(connection);
      d.updateSettings(d.settings());
      appendAudit(d.db, { actor: d.actor(ctx), action: 'credentials.clear', objectType: 'connection', objectId: connection });
      return settingsView();
    },

    'connection:test': async ({ connection }): Promise<ConnectionTestResult> => {
      try {
        if (connection === 'paytrace') return await (await d.payTraceClient()).testConnection();
        return await (await d.erpConnector()).testConnection();
      } catch (e) {
        return { ok: false, summary: (e as Error).message, checks: [] };
      }
    },
  };
}
