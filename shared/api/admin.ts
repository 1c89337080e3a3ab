import { z } from 'zod';
import type { SignInPolicy } from './auth';
import { empty, method, type Role } from './define';
import { freeText } from './free-text';
import { totpCode } from './totp-code';

// Four-eyes on the controls themselves (docs/users-and-refunds.md): a change
// that loosens them (a limit raised, a reason code added, a user promoted)
// waits here until a second admin approves it with their password; a change
// that tightens them applies at once. Switching required two-step sign-in off
// is one too ('auth.signInPolicy').

export const PENDING_CHANGE_KINDS = ['refunds.policy', 'controls.policy', 'user.role', 'auth.signInPolicy'] as const;
export type PendingChangeKind = (typeof PENDING_CHANGE_KINDS)[number];

export const PENDING_CHANGE_STATES = ['pending', 'approved', 'rejected'] as const;
export type PendingChangeState = (typeof PENDING_CHANGE_STATES)[number];

/** A policy's loosening part: the limits raised (integer cents) and the reason codes added. */
export type PolicyLoosening = Readonly<{ limits: Readonly<Record<string, number>>; addReasonCodes: readonly string[] }>;

export type PendingChangeView = Readonly<{
  id: number;
  kind: PendingChangeKind;
  /** 'refunds', 'controls', 'signIn' or the user name. */
  target: string;
  /** What it does, in words: "Refunds: second-supervisor limit $500.00 → $1,000.00". */
  summary: string;
  change: PolicyLoosening | Readonly<{ role: Role }> | SignInPolicy;
  state: PendingChangeState;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  rejectReason: string | null;
}>;

const changeId = z.number().int().positive();

/** Admin only. Approving needs another admin than the one who asked, with their password re-entered. */
export const adminMethods = {
  'admin:pendingChanges': method<typeof empty, PendingChangeView[]>({ role: 'admin', args: empty }),
  'admin:approveChange': method<z.ZodType<{ changeId: number; password: string; code?: string }>, PendingChangeView>(
    { role: 'admin', args: z.object({ changeId, password: z.string().min(1).max(1024), code: totpCode.optional() }).strict() },
  ),
  'admin:rejectChange': method<z.ZodType<{ changeId: number; reason: string }>, PendingChangeView>(
    { role: 'admin', args: z.object({ changeId, reason: freeText({ min: 1, max: 2000 }) }).strict() },
  ),
} as const;
