import { z } from 'zod';
import type { Allocation, Candidate, ExceptionCode, OpenInvoice } from '../domain';
import { EXCEPTION_CODES } from '../domain';
import { HANDOFF_MAX_BASE64_CHARS } from '../handoff-limits';
import type { Cents, CurrencyCode } from '../money';
import { empty, method, txnId } from './define';
import { freeText } from './free-text';

// Offline review (docs/offline.md): clerk work recorded locally at once,
// conflicts found when queued postings are re-validated on reconnect, and the
// encrypted hand-off file for review on another installation.

export const CONFLICT_KINDS = [
  'invoice_paid_elsewhere',
  'invoice_partially_paid',
  'payment_voided',
  'payment_refunded',
  'customer_missing',
  'refundable_amount_changed',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export const CONFLICT_KIND_LABELS: Record<ConflictKind, string> = {
  invoice_paid_elsewhere: 'Invoice paid elsewhere',
  invoice_partially_paid: 'Invoice partly paid elsewhere',
  payment_voided: 'Payment voided',
  payment_refunded: 'Payment refunded',
  customer_missing: 'Customer no longer exists',
  refundable_amount_changed: 'Refundable amount changed',
};

export const CONFLICT_ACTIONS = ['rematch', 'reallocate', 'discard'] as const;
export type ConflictAction = (typeof CONFLICT_ACTIONS)[number];

export type InvoiceState = Readonly<{ invoiceNo: string; isOpen: boolean; openBalanceCents: Cents; currency: CurrencyCode }>;

/** One side of a conflict: what the clerk decided on ("then") or the fresh remote state ("now"). */
export type DecisionSide = Readonly<{
  /** When this picture was taken (then: the approval; now: the re-validation). */
  takenAt: string;
  /** When the data behind it was read from PayTrace / the ERP. */
  paytraceAsOf: string | null;
  erpAsOf: string | null;
  customerId: string;
  customerExists: boolean;
  allocations: readonly Allocation[];
  invoices: readonly InvoiceState[];
  payment: Readonly<{ type: string; amountCents: Cents; currency: CurrencyCode; refundedCents: Cents }>;
}>;

export type ConflictView = Readonly<{
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: CurrencyCode;
  kinds: readonly ConflictKind[];
  /** One sentence per finding, in words a clerk can act on. */
  details: readonly string[];
  then: DecisionSide;
  now: DecisionSide;
  detectedAt: string;
  choices: readonly ConflictAction[];
}>;

export type HandoffFileResult = Readonly<{
  /** Where the file was written, under the data folder. */
  path: string;
  fileName: string;
  bytes: number;
  /** The same bytes, for the browser to download. */
  base64: string;
  count: number;
}>;

export type HandoffException = Readonly<{
  transactionId: number;
  createdAt: string;
  payer: string;
  reference: string;
  amountCents: Cents;
  currency: CurrencyCode;
  method: 'card' | 'ach';
  /** PayTrace's own masking; never more. */
  maskedCard: string;
  status: string;
  exception: ExceptionCode | null;
  reason: string;
  note: string | null;
  owner: string | null;
  customerId: string | null;
  allocations: readonly Allocation[];
  candidates: readonly Candidate[];
}>;

export type HandoffDecision = Readonly<{
  note?: string;
  owner?: string | null;
  exceptionReason?: ExceptionCode | null;
  allocation?: Readonly<{ customerId: string; allocations: readonly Allocation[] }>;
  approve?: boolean;
}>;

export type HandoffSession = Readonly<{
  sessionId: string;
  exportedAt: string;
  exportedBy: string;
  paytraceAsOf: string | null;
  erpAsOf: string | null;
  exceptions: readonly HandoffException[];
  invoices: readonly OpenInvoice[];
  customers: ReadonlyArray<Readonly<{ customerId: string; name: string }>>;
  decisions: Readonly<Record<string, HandoffDecision>>;
}>;

export type ImportDecisionsResult = Readonly<{
  applied: readonly number[];
  approved: readonly number[];
  skipped: ReadonlyArray<Readonly<{ transactionId: number; reason: string }>>;
}>;

const note = freeText({ max: 2000 });
const owner = freeText({ min: 1, max: 128 });
const exceptionCode = z.enum(EXCEPTION_CODES);
const allocation = z.object({ invoiceNo: z.string().trim().min(1).max(64), amountCents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict();
const allocations = z.array(allocation).min(1).max(200);
const passphrase = z.string().min(8, 'at least 8 characters').max(1024);
/** A file path (desktop, CLI) or the file's bytes as base64 (browser upload). */
const fileSource = z
  .object({ file: z.string().min(1).max(4096).optional(), base64: z.string().min(1).max(HANDOFF_MAX_BASE64_CHARS).optional(), passphrase })
  .strict()
  .refine((v) => (v.file === undefined) !== (v.base64 === undefined), 'give either file or base64');

const decision = z
  .object({
    note: note.optional(),
    owner: owner.nullable().optional(),
    exceptionReason: exceptionCode.nullable().optional(),
    allocation: z.object({ customerId: z.string().trim().min(1).max(64), allocations }).strict().optional(),
    approve: z.boolean().optional(),
  })
  .strict();

const noteArgs = z.object({ transactionId: txnId, note }).strict();
const assignArgs = z.object({ transactionId: txnId, owner: owner.nullable() }).strict();
const setExceptionArgs = z.object({ transactionId: txnId, reason: exceptionCode.nullable(), note: note.optional() }).strict();
const allocateArgs = z.object({ transactionId: txnId, customerId: z.string().trim().min(1).max(64), allocations }).strict();
const resolveArgs = z
  .object({ transactionId: txnId, action: z.enum(CONFLICT_ACTIONS), customerId: z.string().trim().min(1).max(64).optional(), allocations: allocations.optional() })
  .strict()
  .refine((v) => v.action !== 'reallocate' || v.allocations !== undefined, 're-allocating needs the new allocations');
const exportArgs = z.object({ passphrase }).strict();
const decideArgs = z.object({ sessionId: z.string().min(1).max(64), transactionId: txnId, decision }).strict();
const exportDecisionsArgs = z.object({ sessionId: z.string().min(1).max(64), passphrase }).strict();

type Ok = Readonly<{ ok: true }>;

export const offlineMethods = {
  /** Annotates a row; local at once, audited. */
  'matches:note': method<typeof noteArgs, Ok>({ role: 'clerk', args: noteArgs }),
  /** Assigns (or clears, with null) the row's owner. */
  'matches:assign': method<typeof assignArgs, Ok>({ role: 'clerk', args: assignArgs }),
  /** The clerk's exception reason; null returns to the matcher's. */
  'matches:setException': method<typeof setExceptionArgs, Ok>({ role: 'clerk', args: setExceptionArgs }),
  /** Picks a candidate or edits the allocation; the row then awaits approval like a suggestion. */
  'matches:allocate': method<typeof allocateArgs, Ok>({ role: 'clerk', args: allocateArgs }),
  'conflicts:list': method<typeof empty, ConflictView[]>({ role: 'clerk', args: empty }),
  'conflicts:resolve': method<typeof resolveArgs, Ok>({ role: 'clerk', args: resolveArgs }),
  /** "Take offline": the open exceptions, their candidates and invoices, encrypted. */
  'handoff:export': method<typeof exportArgs, HandoffFileResult>({ role: 'clerk', args: exportArgs }),
  /** Opens a hand-off file from another installation for review here. */
  'handoff:open': method<typeof fileSource, HandoffSession>({ role: 'clerk', args: fileSource }),
  'handoff:decide': method<typeof decideArgs, HandoffSession>({ role: 'clerk', args: decideArgs }),
  'handoff:exportDecisions': method<typeof exportDecisionsArgs, HandoffFileResult>({ role: 'clerk', args: exportDecisionsArgs }),
  /** Applies a reviewer's decisions here; approvals go through the same re-validation. */
  'handoff:importDecisions': method<typeof fileSource, ImportDecisionsResult>({ role: 'clerk', args: fileSource }),
} as const;
