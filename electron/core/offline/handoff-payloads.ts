import { z } from 'zod';
import { containsCardNumber, CARD_NUMBER_REFUSAL } from '@shared/card-numbers';
import { EXCEPTION_CODES } from '@shared/domain';
import { cents } from '@shared/money';
import type { StoredExceptionsPayload } from '../store/queries/handoff-sessions';
import { HandoffError } from './handoff-crypto';
import { HANDOFF_LIMITS, type HandoffLimits } from './handoff-limits';

// The decrypted contents of a hand-off file, checked before anything is kept
// or applied: first the record counts (cheap, and they bound the schema
// check's work), then every field's shape and size, then the free text a
// person typed for card numbers. Only the checked data goes on: fields the
// schema does not name are dropped, so nothing unvetted reaches the store or
// the screen. The same checks run when a file is written, so Tieout never
// writes a file it would refuse to read.

const money = z
  .number()
  .int()
  .transform((n) => cents(n));
const id = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);
const instant = z.string().max(64);
const allocation = z.object({ invoiceNo: id, amountCents: money, discountCents: money.optional() });
const candidate = z.object({
  allocations: z.array(allocation).max(200),
  customerId: id.nullable(),
  score: z.number(),
  points: z.number(),
  signals: z.array(z.object({ signal: text(64), points: z.number(), detail: text(1000) })).max(50),
  reasons: z.array(text(1000)).max(50),
  blockers: z.array(text(1000)).max(50),
});
const exception = z.object({
  transactionId: z.number().int().positive(),
  createdAt: instant,
  payer: text(1000),
  reference: text(1000),
  amountCents: money,
  currency: z.string().min(1).max(8),
  method: z.enum(['card', 'ach']),
  maskedCard: text(64),
  status: text(32),
  exception: z.enum(EXCEPTION_CODES).nullable(),
  reason: text(4000),
  note: text(2000).nullable(),
  owner: text(128).nullable(),
  customerId: id.nullable(),
  allocations: z.array(allocation).max(200),
  candidates: z.array(candidate).max(50),
});
const invoice = z.object({
  invoiceNo: id,
  customerId: text(64),
  customerName: text(1000).optional(),
  invoiceDate: text(64),
  dueDate: text(64).nullable(),
  amountCents: money,
  openBalanceCents: money,
  currency: z.string().min(1).max(8),
  poNo: text(200),
  terms: z.object({ discountBasisPoints: z.number(), discountDays: z.number(), netDays: z.number() }).nullable().optional(),
});
const exceptionsPayloadSchema = z.object({
  exportId: id,
  sourceProfile: id,
  exportedAt: instant,
  exportedBy: text(128),
  paytraceAsOf: instant.nullable(),
  erpAsOf: instant.nullable(),
  exceptions: z.array(exception),
  invoices: z.array(invoice),
  customers: z.array(z.object({ customerId: text(64), name: text(1000) })),
});

const decisionSchema = z
  .object({
    note: z.string().max(2000).optional(),
    owner: z.string().min(1).max(128).nullable().optional(),
    exceptionReason: z.enum(EXCEPTION_CODES).nullable().optional(),
    allocation: z
      .object({ customerId: id, allocations: z.array(z.object({ invoiceNo: id, amountCents: z.number().int().positive().transform((n) => cents(n)) })).min(1).max(200) })
      .optional(),
    approve: z.boolean().optional(),
  })
  .strict();
const decisionsPayloadSchema = z.object({
  exportId: id,
  sourceProfile: id,
  reviewedBy: z.string().min(1).max(128),
  reviewedAt: instant,
  // A transaction id as a key: a positive safe integer, so Number(key) is exact.
  decisions: z.record(z.string().regex(/^[1-9]\d{0,14}$/), decisionSchema),
});

export type DecisionsPayload = z.output<typeof decisionsPayloadSchema>;

const arrayLength = (v: unknown, key: string): number => {
  const list = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return Array.isArray(list) ? list.length : 0;
};

/** Reading a file someone gave us, or checking one before writing it: the refusal says which. */
export type PayloadCheck = 'read' | 'write';
const outcome = (check: PayloadCheck) => (check === 'read' ? 'Nothing was imported.' : 'No file was written.');

function refuseIfMore(count: number, max: number, what: string, check: PayloadCheck): void {
  if (count > max) throw new HandoffError('too_large', `The hand-off file holds ${count} ${what}; Tieout reads at most ${max}. ${outcome(check)}`);
}

function invalid(what: string, error: z.ZodError, check: PayloadCheck): HandoffError {
  const issue = error.issues[0];
  return new HandoffError('invalid_contents', `The ${what} contents are not valid: ${`${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim()}. ${outcome(check)}`);
}

function refuseCardNumber(where: string, value: string | null | undefined, check: PayloadCheck): void {
  if (value && containsCardNumber(value)) throw new HandoffError('card_number', `${where}: ${CARD_NUMBER_REFUSAL} ${outcome(check)}`);
}

/** An exceptions file's payload, checked and stripped to the fields Tieout knows. */
export function parseExceptionsPayload(payload: unknown, limits: HandoffLimits = HANDOFF_LIMITS, check: PayloadCheck = 'read'): StoredExceptionsPayload {
  refuseIfMore(arrayLength(payload, 'exceptions'), limits.maxExceptions, 'exceptions', check);
  refuseIfMore(arrayLength(payload, 'invoices'), limits.maxInvoices, 'invoices', check);
  refuseIfMore(arrayLength(payload, 'customers'), limits.maxCustomers, 'customers', check);
  const parsed = exceptionsPayloadSchema.safeParse(payload);
  if (!parsed.success) throw invalid("hand-off file's", parsed.error, check);
  for (const e of parsed.data.exceptions) {
    refuseCardNumber(`The note on transaction ${e.transactionId}`, e.note, check);
    refuseCardNumber(`The owner of transaction ${e.transactionId}`, e.owner, check);
  }
  return parsed.data;
}

/** A decisions file's payload, checked: a refusal here comes before any decision is applied. */
export function parseDecisionsPayload(payload: unknown, limits: HandoffLimits = HANDOFF_LIMITS, check: PayloadCheck = 'read'): DecisionsPayload {
  const decisions = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).decisions : undefined;
  refuseIfMore(typeof decisions === 'object' && decisions !== null ? Object.keys(decisions).length : 0, limits.maxDecisions, 'decisions', check);
  const parsed = decisionsPayloadSchema.safeParse(payload);
  if (!parsed.success) throw invalid("decisions file's", parsed.error, check);
  refuseCardNumber('The reviewer name', parsed.data.reviewedBy, check);
  for (const [key, d] of Object.entries(parsed.data.decisions)) {
    refuseCardNumber(`The note on transaction ${key}`, d.note, check);
    refuseCardNumber(`The owner of transaction ${key}`, d.owner, check);
  }
  return parsed.data;
}
