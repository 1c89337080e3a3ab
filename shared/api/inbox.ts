import { z } from 'zod';
import type { Cents, CurrencyCode } from '../money';
import { method } from './define';
import type { RefundConflictAction } from './refunds';

// One approvals inbox (issue 15 point 2): everything waiting for a
// supervisor's decision, whatever service it belongs to. Each kind is one
// member of the InboxItem union; a new kind (issue 16's collections above a
// limit) adds a member here and a source in electron/core/approval/inbox.ts.

export const INBOX_KINDS = ['refund', 'refund_conflict', 'write_off', 'override', 'reversal'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

/** What every item says, whatever its kind. */
type InboxItemBase = Readonly<{
  /** Unique across kinds ("refund:12", "control:7"): the UI's key and focus. */
  key: string;
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: CurrencyCode;
  requestedBy: string;
  requestedAt: string;
  /** The reason code, with the requester's note when there is one. */
  reason: string;
  /** Whole minutes since it was asked for (the engine's clock). */
  ageMinutes: number;
  /** The caller asked for it (a supervisor's own request may need a second supervisor). */
  mine: boolean;
  /** What approval it needs, in words ("a supervisor other than the requester"); null where nothing is approved (a conflict, a reversal to run again). */
  needs: string | null;
}>;

/** A refund request: approve (four-eyes, password) or reject. */
export type RefundInboxItem = InboxItemBase & Readonly<{ kind: 'refund'; refundId: number }>;

/** An approved refund the re-validation held back: reduce to what remains, or discard. */
export type RefundConflictInboxItem = InboxItemBase & Readonly<{ kind: 'refund_conflict'; refundId: number; detail: string; choices: readonly RefundConflictAction[] }>;

/** A write-off or tolerance override above the clerk's limit: approve (four-eyes) or reject. */
export type ControlInboxItem = InboxItemBase & Readonly<{ kind: 'write_off' | 'override'; controlId: number }>;

/**
 * A receipt reversal: 'approval' waits for a second person (approve or reject);
 * 'waiting' (no reply yet, retrying) and 'failed' are run again (look-up first).
 */
export type ReversalInboxItem = InboxItemBase & Readonly<{ kind: 'reversal'; controlId: number; stage: 'approval' | 'waiting' | 'failed'; detail: string | null }>;

export type InboxItem = RefundInboxItem | RefundConflictInboxItem | ControlInboxItem | ReversalInboxItem;

export type InboxCounts = Readonly<{
  total: number;
  byKind: Readonly<Record<InboxKind, number>>;
  /** What the Refunds button shows: refund requests and refunds held in conflict. */
  refunds: number;
  /** 'all': a supervisor's (or admin's) queue; 'mine': a clerk's own requests still waiting. */
  scope: 'all' | 'mine';
}>;

export type InboxList = Readonly<{ scope: InboxCounts['scope']; items: readonly InboxItem[] }>;

const noArgs = z.object({}).strict();

/**
 * Roles: supervisors and admins see every item waiting for a decision; a clerk
 * sees only their own requests still waiting (their state, no actions). The
 * decisions go through the kinds' own methods (refunds:approve, controls:approve, ...).
 */
export const inboxMethods = {
  'inbox:list': method<typeof noArgs, InboxList>({ role: 'clerk', args: noArgs }),
  'inbox:counts': method<typeof noArgs, InboxCounts>({ role: 'clerk', args: noArgs }),
} as const;
