import { z } from 'zod';
import type { Allocation } from '../domain';
import type { Cents, CurrencyCode } from '../money';
import type { HandoffDecision } from './offline';
import { empty, method } from './define';

// A workstation joined to a team workspace keeps working when the workspace
// database cannot be reached: on its own copy (docs/team.md), with the
// clerk's decisions queued and replayed when the workspace is back.

/** The clerk's side of one payment: as copied ("base"), as decided offline ("mine"), in the workspace now ("theirs"). */
export type OfflineDecisionState = Readonly<{
  reviewState: string;
  note: string | null;
  owner: string | null;
  clerkException: string | null;
  pinned: Readonly<{ customerId: string; allocations: readonly Allocation[] }> | null;
  decidedBy: string | null;
  decidedAt: string | null;
}>;

/** A decision made offline that the workspace no longer allows: the three sides, for the clerk to choose. */
export type OfflineReplayConflict = Readonly<{
  decisionKey: string;
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: CurrencyCode;
  /** One sentence per reason, in words a clerk can act on. */
  reasons: readonly string[];
  decidedBy: string;
  decidedOfflineAt: string;
  decision: HandoffDecision;
  base: OfflineDecisionState;
  mine: OfflineDecisionState;
  theirs: OfflineDecisionState | null;
  detectedAt: string;
}>;

export type ReplayResult = Readonly<{ applied: readonly number[]; alreadyApplied: readonly number[]; conflicts: readonly number[] }>;

export type WorkspaceOfflineState = Readonly<{
  /** 'local': this folder's own store; 'workspace': the team workspace; 'offline': the workspace is unreachable, working on this workstation's copy. */
  mode: 'local' | 'workspace' | 'offline';
  workspaceName: string | null;
  /** Since when the workspace could not be reached (offline: at start-up; on the workspace: a probe found it gone). */
  unreachableSince: string | null;
  /** Why (the connection error, no secret in it). */
  unreachableReason: string | null;
  /** Offline: when the workspace answered again (reopen Tieout to replay the queued decisions), else null. */
  reachableAgainAt: string | null;
  /** When this workstation's copy was read from the workspace. */
  snapshotAt: string | null;
  /** Decisions made on the copy waiting to be replayed. */
  queued: number;
  conflicts: readonly OfflineReplayConflict[];
  lastReplay: ReplayResult | null;
}>;

export const OFFLINE_CONFLICT_CHOICES = ['keep_theirs', 'apply_mine'] as const;
export type OfflineConflictChoice = (typeof OFFLINE_CONFLICT_CHOICES)[number];

const resolveArgs = z.object({ decisionKey: z.string().min(3).max(80).regex(/^[0-9a-f]+:\d+$/), choice: z.enum(OFFLINE_CONFLICT_CHOICES) }).strict();

type Ok = Readonly<{ ok: true }>;

export const workspaceOfflineMethods = {
  /** The banner: online or working from the copy, decisions queued, replay conflicts. */
  'workspace:offlineState': method<typeof empty, WorkspaceOfflineState>({ role: 'clerk', args: empty }),
  /** Settles a replay conflict: keep the teammate's decision, or apply this clerk's over it (checked like any decision). */
  'workspace:resolveOfflineConflict': method<typeof resolveArgs, Ok>({ role: 'clerk', args: resolveArgs }),
} as const;
