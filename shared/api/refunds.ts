import { z } from 'zod';
import type { RefundTask } from '../domain';
import type { Cents, CurrencyCode } from '../money';
import { empty, method, txnId } from './define';
import { freeText } from './free-text';
import { totpCode } from './totp-code';

// Supervisor-approved refunds (four-eyes), executed through PayTrace (void
// before settlement, refund after) and reflected in the ERP as a credit memo.

export const REFUND_STATES = ['requested', 'approved', 'rejected', 'executing', 'done', 'failed'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

export type RefundApproval = Readonly<{ by: string; role: string; at: string }>;

/** How an approved refund that no longer fits can be settled (docs/offline.md). */
export const REFUND_CONFLICT_ACTIONS = ['reduce', 'discard'] as const;
export type RefundConflictAction = (typeof REFUND_CONFLICT_ACTIONS)[number];

/**
 * An approved refund that the catch-up re-validation stopped before PayTrace was
 * asked: what remains refundable in PayTrace no longer covers it. It waits
 * (state 'approved') until a supervisor reduces it to what remains or discards it.
 */
export type RefundConflict = Readonly<{
  kind: 'refundable_amount_changed';
  detail: string;
  detectedAt: string;
  /** What the approval was made against: the local store at that time. */
  then: Readonly<{ amountCents: Cents; refundableCents: Cents; asOf: string }>;
  /** Fresh from PayTrace: the sale and the refunds made on it since. */
  now: Readonly<{ saleType: string; saleAmountCents: Cents; refundedCents: Cents; refundableCents: Cents; asOf: string }>;
  /** 'reduce' only while something remains refundable. */
  choices: readonly RefundConflictAction[];
}>;

export type RefundView = Readonly<{
  id: number;
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: CurrencyCode;
  reasonCode: string;
  note: string;
  state: RefundState;
  requestedBy: string;
  requestedAt: string;
  approvals: readonly RefundApproval[];
  /** What approval this request needs, in words ("a supervisor other than the requester"). */
  approvalRule: string;
  rejectedBy: string | null;
  rejectReason: string | null;
  /** How PayTrace executed (or is executing) it. */
  method: 'void' | 'refund' | null;
  paytraceTransactionId: number | null;
  executedBy: string | null;
  executedAt: string | null;
  lastError: string | null;
  /** The ERP side: null when no credit memo is needed (the payment never reached the ERP). */
  creditMemo: Readonly<{ state: string; erpDocumentId: string | null; lastError: string | null }> | null;
  /** Set while the re-validation holds this refund back (refundable_amount_changed). */
  conflict: RefundConflict | null;
  /** Approved on a sale not settled yet (as last synced): it runs by itself after the sync that finds the sale settled. */
  waitingForSettlement: boolean;
  updatedAt: string;
}>;

export type RefundPolicy = Readonly<{
  reasonCodes: readonly string[];
  /** Above this amount a supervisor's own request needs a second supervisor. */
  secondApproverAboveCents: Cents;
  /** Above this amount an admin (not the requester) must approve. */
  adminAboveCents: Cents;
}>;

export type Refundable = Readonly<{
  transactionId: number;
  amountCents: Cents;
  refundableCents: Cents;
  currency: CurrencyCode;
  reasonCodes: readonly string[];
  /**
   * Whether the sale had settled at the last sync. Before settlement PayTrace
   * voids whole sales only: a full refund voids it now; a partial one is
   * approved now and runs by itself after the sync that finds the sale settled.
   */
  settled: boolean;
}>;

const note = freeText({ max: 2000 });
const reasonCode = freeText({ min: 1, max: 64 });
const refundId = z.number().int().positive();
const positiveCents = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Roles: anyone may ask for a refund; supervisors decide and run it; admins set the policy. */
export const refundMethods = {
  'refunds:list': method<z.ZodType<{ transactionId?: number }>, RefundView[]>({ role: 'clerk', args: z.object({ transactionId: txnId.optional() }).strict() }),
  'refunds:refundable': method<z.ZodType<{ transactionId: number }>, Refundable>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
  'refunds:request': method<z.ZodType<{ transactionId: number; amountCents: number; reasonCode: string; note?: string }>, RefundView>(
    { role: 'clerk', args: z.object({ transactionId: txnId, amountCents: positiveCents, reasonCode, note: note.optional() }).strict() },
  ),
  /** Four-eyes: the approver re-enters their own password at the moment of approval (and, with two-step sign-in enrolled, a fresh code: 'code_required' without one). */
  'refunds:approve': method<z.ZodType<{ refundId: number; password: string; code?: string }>, RefundView>(
    { role: 'supervisor', args: z.object({ refundId, password: z.string().min(1).max(1024), code: totpCode.optional() }).strict() },
  ),
  'refunds:reject': method<z.ZodType<{ refundId: number; reason: string }>, RefundView>({ role: 'supervisor', args: z.object({ refundId, reason: freeText({ min: 1, max: 2000 }) }).strict() }),
  /** Runs an approved refund again (e.g. a partial refund waiting for settlement). */
  'refunds:execute': method<z.ZodType<{ refundId: number }>, RefundView>({ role: 'supervisor', args: z.object({ refundId }).strict() }),
  /** Settles a refund held back by re-validation: reduce to what remains refundable (then run), or discard. */
  'refunds:resolveConflict': method<z.ZodType<{ refundId: number; action: RefundConflictAction }>, RefundView>(
    { role: 'supervisor', args: z.object({ refundId, action: z.enum(REFUND_CONFLICT_ACTIONS) }).strict() },
  ),
  /**
   * A PayTrace refund made outside Tieout whose sale is posted (or approved):
   * queues the ERP credit memo through the outbox, exactly once (key
   * `credit_memo:<refund id>`). `transactionId` is the refund row's id.
   * Clerk work: the money already went back in PayTrace, and the action is audited.
   */
  'refunds:recordCreditMemo': method<z.ZodType<{ transactionId: number }>, RefundTask>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
  /** A clerk links a refund (or void) row to its sale; null: it belongs to no synced sale; omitted: the rule applies again. */
  'refunds:link': method<z.ZodType<{ transactionId: number; saleTransactionId?: number | null }>, RefundTask | null>(
    { role: 'clerk', args: z.object({ transactionId: txnId, saleTransactionId: txnId.nullable().optional() }).strict() },
  ),
  'refunds:policy': method<typeof empty, RefundPolicy>({ role: 'clerk', args: empty }),
  'refunds:setPolicy': method<
    z.ZodType<{ reasonCodes?: string[]; secondApproverAboveCents?: number; adminAboveCents?: number }>,
    RefundPolicy
  >(
    { role: 'admin', args: z
      .object({
        reasonCodes: z.array(reasonCode).min(1).max(50).optional(),
        secondApproverAboveCents: z.number().int().min(0).optional(),
        adminAboveCents: z.number().int().min(0).optional(),
      })
      .strict() },
  ),
} as const;
