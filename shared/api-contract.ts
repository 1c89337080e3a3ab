import type { z } from 'zod';

// The one API between the UI and the engine. Three bindings derive from it:
// the Electron preload, the main-process IPC registration and the loopback web
// host. Arguments are validated with these schemas before any handler runs.

export type RemoteReachability = 'online' | 'offline' | 'failing' | 'unknown';

export type RemoteState = Readonly<{
  reachability: RemoteReachability;
  /** What a clerk can act on: "PayTrace rejected the API credentials". */
  message: string | null;
  /** When data from this system was last refreshed (ISO). */
  asOf: string | null;
}>;

export type SyncStatus = Readonly<{
  state: 'idle' | 'running' | 'error';
  phase: string | null;
  progress: Readonly<{ done: number; total: number }> | null;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  nextRunAt: string | null;
  intervalMinutes: number;
  paytrace: RemoteState;
  erp: RemoteState;
  /** Team mode: which workstation runs the team's sync (null on a single-user store). */
  team?: SyncTeam | null;
}>;

export type SyncTeam = Readonly<{
  /** True when this workstation runs the scheduled sync. */
  leading: boolean;
  /** The workstation that does, and since when (ISO); null while nobody does. */
  leader: Readonly<{ workstation: string; since: string }> | null;
}>;

export type PostingSummary = Readonly<{
  queued: number;
  sending: number;
  retrying: number;
  unknownOutcome: number;
  posted: number;
  dead: number;
  paused: string | null;
  /** Approved receipts still inside their undo window (not sent; Ctrl+Z takes them back), and when the last of them becomes due. */
  waiting?: Readonly<{ count: number; until: string | null }>;
}>;

export type AppInfo = Readonly<{
  version: string;
  mode: 'demo' | 'live';
  shell: 'electron' | 'web';
  dataDir: string;
  erpKind: string;
  erpLabel: string;
  merchantZone: string;
}>;

export type ApproveResult = Readonly<{
  approved: readonly number[];
  skipped: ReadonlyArray<Readonly<{ transactionId: number; reason: string }>>;
  /** The end of the undo window (ISO): the receipts wait until then; absent when posting starts at once. */
  postsAt?: string;
}>;

export type ConnectionTestResult = Readonly<{
  ok: boolean;
  summary: string;
  checks: ReadonlyArray<Readonly<{ name: string; ok: boolean; detail: string }>>;
}>;

import { coreMethods } from './api/core';
import { postingMethods } from './api/posting';
import { authMethods } from './api/auth';
import { refundMethods } from './api/refunds';
import { offlineMethods } from './api/offline';
import { erpMethods } from './api/erp';
import { reviewMethods } from './api/review';
import { controlMethods } from './api/controls';
import { matchingMethods } from './api/matching';
import { diagnosticsMethods } from './api/diagnostics';
import { adminMethods } from './api/admin';
import { workspaceMethods } from './api/workspace';
import { workspaceOfflineMethods } from './api/workspace-offline';
import { teamMethods } from './api/team';
import { gridMethods } from './api/grid';
import { inboxMethods } from './api/inbox';
import { exportMethods } from './api/export';
import { viewMethods } from './api/views';
import { bulkReviewMethods } from './api/bulk-review';
import { approvalMethods } from './api/approval';

/** Every method, merged from the per-domain contracts in shared/api/. */
export const apiContract = {
  ...coreMethods,
  ...postingMethods,
  ...authMethods,
  ...refundMethods,
  ...offlineMethods,
  ...erpMethods,
  ...reviewMethods,
  ...controlMethods,
  ...matchingMethods,
  ...diagnosticsMethods,
  ...adminMethods,
  ...workspaceMethods,
  ...workspaceOfflineMethods,
  ...teamMethods,
  ...gridMethods,
  ...inboxMethods,
  ...exportMethods,
  ...viewMethods,
  ...bulkReviewMethods,
  ...approvalMethods,
} as const;

export type ApiContract = typeof apiContract;
export type MethodName = keyof ApiContract;
export type MethodArgs<M extends MethodName> = z.input<ApiContract[M]['args']>;
export type MethodResult<M extends MethodName> = ApiContract[M]['result'];
export const METHOD_NAMES = Object.keys(apiContract) as MethodName[];

/** Events the engine pushes to the UI. */
export type ApiEvents = {
  'sync:status': SyncStatus;
  'posting:status': PostingSummary;
  'rows:changed': Readonly<{ transactionIds: readonly number[] | null }>;
  /** Menu and shortcut commands from the desktop shell. */
  'ui:command': Readonly<{ command: UiCommand }>;
  /** Something a clerk must know now: shown as a banner and, on the desktop, an OS notification. */
  alert: Alert;
  /** Who has which payment open changed (team mode): the UI asks team:presence again. */
  'presence:changed': Readonly<{ transactionIds: readonly number[] }>;
};

export type Alert = Readonly<{ kind: 'dead-letter' | 'sync-stale' | 'conflict'; message: string; at: string }>;

export const UI_COMMANDS = ['sync-now', 'open-settings', 'approve-selected', 'focus-search'] as const;
export type UiCommand = (typeof UI_COMMANDS)[number];
export type EventName = keyof ApiEvents;
export const EVENT_NAMES: readonly EventName[] = ['sync:status', 'posting:status', 'rows:changed', 'ui:command', 'alert', 'presence:changed'];

export const ERROR_CODES = ['invalid_args', 'unknown_method', 'not_found', 'conflict', 'forbidden', 'unauthenticated', 'code_required', 'offline', 'remote', 'config', 'internal'] as const;
export type ApiErrorCode = (typeof ERROR_CODES)[number];

export type ApiError = Readonly<{ code: ApiErrorCode; message: string }>;
export type Envelope<T> = Readonly<{ ok: true; value: T }> | Readonly<{ ok: false; error: ApiError }>;

/** Who is calling: the bindings attach the session (never visible to renderer code). */
export type CallContext = Readonly<{ sessionToken: string | null; channel: 'electron' | 'web' | 'cli' }>;

/** What every binding exposes to the renderer. */
export type TieoutApi = Readonly<{
  call<M extends MethodName>(name: M, args: MethodArgs<M>): Promise<Envelope<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}>;

/** Thrown by handlers to choose the envelope's error code. */
export class ApiFailure extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiFailure';
  }
}
