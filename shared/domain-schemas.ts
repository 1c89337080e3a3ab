import { z } from 'zod';
import { EXCEPTION_CODES, MATCH_MARKERS, type Allocation, type Candidate, type MatchOutcome } from './domain';
import { cents, type Cents } from './money';
import type { DecisionSide } from './api/offline';

// Schemas of the domain values the engine keeps as JSON in SQLite (matches.outcome_json,
// allocations_json, decision snapshots, conflicts). Reading a column through them
// turns a damaged or foreign row into a clear error instead of a wrongly typed
// object. Objects are loose: a field a newer version added survives a read and
// re-write by this one.

/** Integer minor units, branded. */
export const centsSchema = z
  .number()
  .refine(Number.isSafeInteger, 'cents must be a safe integer')
  .transform((n): Cents => cents(n));

export const allocationSchema = z.looseObject({
  invoiceNo: z.string(),
  amountCents: centsSchema,
  discountCents: centsSchema.optional(),
});

export const allocationsSchema = z.array(allocationSchema);

const signalPointsSchema = z.looseObject({ signal: z.string(), points: z.number(), detail: z.string() });

export const candidateSchema = z.looseObject({
  allocations: allocationsSchema,
  customerId: z.string().nullable(),
  score: z.number(),
  points: z.number(),
  signals: z.array(signalPointsSchema),
  reasons: z.array(z.string()),
  blockers: z.array(z.string()),
});

export const matchMarkerSchema = z.enum(MATCH_MARKERS);

export const matchOutcomeSchema = z.looseObject({
  transactionId: z.number().int(),
  status: z.enum(['auto', 'suggested', 'exception']),
  allocations: allocationsSchema,
  customerId: z.string().nullable(),
  candidates: z.array(candidateSchema),
  score: z.number(),
  reason: z.string(),
  reasons: z.array(z.string()),
  exception: z.enum(EXCEPTION_CODES).nullable(),
  unappliedCents: centsSchema,
  markers: z.array(matchMarkerSchema).optional(),
  remainingCents: centsSchema.optional(),
  refundOf: z.number().int().nullable().optional(),
  refundedBy: z.array(z.number().int()).optional(),
  refundedCents: centsSchema.optional(),
});

const invoiceStateSchema = z.looseObject({ invoiceNo: z.string(), isOpen: z.boolean(), openBalanceCents: centsSchema, currency: z.string() });

/** One side of an offline conflict (decision_snapshots.snapshot_json, posting_conflicts.then_json / now_json). */
export const decisionSideSchema = z.looseObject({
  takenAt: z.string(),
  paytraceAsOf: z.string().nullable(),
  erpAsOf: z.string().nullable(),
  customerId: z.string(),
  customerExists: z.boolean(),
  allocations: allocationsSchema,
  invoices: z.array(invoiceStateSchema),
  payment: z.looseObject({ type: z.string(), amountCents: centsSchema, currency: z.string(), refundedCents: centsSchema }),
});

// What a schema reads is a value of the shared type: a field added to the type
// but not to its schema (or typed apart) fails the type check here.
type Described<S extends z.ZodType, T> = z.infer<S> extends T ? true : false;
const described: [
  Described<typeof allocationSchema, Allocation>,
  Described<typeof candidateSchema, Candidate>,
  Described<typeof matchOutcomeSchema, MatchOutcome>,
  Described<typeof decisionSideSchema, DecisionSide>,
] = [true, true, true, true];
void described;
