import { z } from 'zod';
import type { Cents, CurrencyCode } from '../money';
import { empty, method, txnId } from './define';
import { freeText } from './free-text';
import { totpCode } from './totp-code';

// Supervisor controls beyond refunds: short-pay write-offs and tolerance
// overrides above a configurable amount (four-eyes, like refunds), and the
// reversal of a posted receipt in the ERP (supervisor only, with a reason).

export const CONTROL_KINDS = ['write_off', 'override', 'reversal'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

export const CONTROL_STATES = ['requested', 'approved', 'rejected', 'done', 'failed'] as const;
export type ControlState = (typeof CONTROL_STATES)[number];

export type WriteOffLine = Readonly<{ invoiceNo: string; amountCents: Cents; reasonCode: string }>;

export type ReversalView = Readonly<{
  reference: string;
  state: 'queued' | 'sending' | 'retry_wait' | 'unknown_outcome' | 'posted' | 'dead';
  attempts: number;
  erpDocumentId: string | null;
  lastError: string | null;
  executedBy: string | null;
}>;

export type ControlView = Readonly<{
  id: number;
  kind: ControlKind;
  transactionId: number;
  payer: string;
  /** Write-off: the total written off; override: the difference beyond tolerance; reversal: the receipt amount. */
  amountCents: Cents;
  currency: CurrencyCode;
  reasonCode: string;
  note: string;
  writeOffs: readonly WriteOffLine[];
  state: ControlState;
  requestedBy: string;
  requestedAt: string;
  approvals: ReadonlyArray<Readonly<{ by: string; role: string; at: string }>>;
  /** What approval this needs, in words; "Within the clerk's limit" when none. */
  approvalRule: string;
  rejectedBy: string | null;
  rejectReason: string | null;
  lastError: string | null;
  reversal: ReversalView | null;
  updatedAt: string;
}>;

export type ControlPolicy = Readonly<{
  reasonCodes: readonly string[];
  /** A write-off or override above this amount needs a supervisor; at or below, the clerk's approval stands. */
  approvalAboveCents: Cents;
  /** A payment whose difference from the invoices' open balance is at most this needs no override. */
  toleranceCents: Cents;
  /** Above this a supervisor's own request needs a second supervisor. */
  secondApproverAboveCents: Cents;
  /** Above this an admin (not the requester) must approve. */
  adminAboveCents: Cents;
}>;

/** What a write-off or override of this payment would be, before asking. */
export type ControlPreview = Readonly<{
  transactionId: number;
  currency: CurrencyCode;
  /** The remainder each allocated invoice would keep open. */
  writeOffs: ReadonlyArray<Readonly<{ invoiceNo: string; amountCents: Cents }>>;
  writeOffCents: Cents;
  /** Payment minus the allocated invoices' open balances (negative = short). */
  differenceCents: Cents;
  overTolerance: boolean;
  needsApproval: boolean;
  approvalRule: string;
  reasonCodes: readonly string[];
  /** The ERP connection posts write-offs with the receipt. */
  erpTakesWriteOffs: boolean;
  pending: ControlView | null;
}>;

const note = freeText({ max: 2000 });
const reason = freeText({ min: 1, max: 2000 });
const controlId = z.number().int().positive();
const reasonCode = freeText({ min: 1, max: 64 });
const password = z.string().min(1).max(1024);
type RequestArgs = { transactionId: number; reasonCode: string; note?: string };
const requestArgs = z.object({ transactionId: txnId, reasonCode, note: note.optional() }).strict();

/** Roles (docs/users-and-refunds.md): clerks ask, supervisors decide and reverse, admins set the policy. */
export const controlMethods = {
  'controls:list': method<z.ZodType<{ transactionId?: number }>, ControlView[]>({ role: 'clerk', args: z.object({ transactionId: txnId.optional() }).strict() }),
  'controls:preview': method<z.ZodType<{ transactionId: number }>, ControlPreview>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
  /** Approves the payment and writes off what it leaves open; above the limit it waits for a supervisor. */
  'controls:requestWriteOff': method<z.ZodType<RequestArgs>, ControlView>({ role: 'clerk', args: requestArgs }),
  /** Approves a payment whose difference exceeds the tolerance; above the limit it waits for a supervisor. */
  'controls:requestOverride': method<z.ZodType<RequestArgs>, ControlView>({ role: 'clerk', args: requestArgs }),
  /** Four-eyes: the approver re-enters their own password (and, with two-step sign-in enrolled, a fresh code: 'code_required' without one). */
  'controls:approve': method<z.ZodType<{ controlId: number; password: string; code?: string }>, ControlView>({
    role: 'supervisor',
    args: z.object({ controlId, password, code: totpCode.optional() }).strict(),
  }),
  'controls:reject': method<z.ZodType<{ controlId: number; reason: string }>, ControlView>({ role: 'supervisor', args: z.object({ controlId, reason }).strict() }),
  /** Supervisor only: reverses a posted receipt in the ERP; the password is re-entered (with a code when enrolled, as for controls:approve). */
  'controls:reverse': method<z.ZodType<{ transactionId: number; reason: string; password: string; code?: string }>, ControlView>(
    { role: 'supervisor', args: z.object({ transactionId: txnId, reason, password, code: totpCode.optional() }).strict() },
  ),
  /** Runs a reversal again (look-up first), e.g. after a lost reply. */
  'controls:runReversal': method<z.ZodType<{ controlId: number }>, ControlView>({ role: 'supervisor', args: z.object({ controlId }).strict() }),
  'controls:policy': method<typeof empty, ControlPolicy>({ role: 'clerk', args: empty }),
  'controls:setPolicy': method<
    z.ZodType<{ reasonCodes?: string[]; approvalAboveCents?: number; toleranceCents?: number; secondApproverAboveCents?: number; adminAboveCents?: number }>,
    ControlPolicy
  >(
    { role: 'admin', args: z
      .object({
        reasonCodes: z.array(reasonCode).min(1).max(50).optional(),
        approvalAboveCents: z.number().int().min(0).optional(),
        toleranceCents: z.number().int().min(0).optional(),
        secondApproverAboveCents: z.number().int().min(0).optional(),
        adminAboveCents: z.number().int().min(0).optional(),
      })
      .strict() },
  ),
} as const;
