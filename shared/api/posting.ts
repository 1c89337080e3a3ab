import { z } from 'zod';
import type { Cents, CurrencyCode } from '../money';
import { method, txnId } from './define';
import { freeText } from './free-text';

// The dead-letter queue the clerk works: what failed, why (the ERP's own
// words), and the ways out. Every action is audited.

export type PostingAttempt = Readonly<{ at: string; outcome: string; detail: string | null }>;

export type FailedPosting = Readonly<{
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: CurrencyCode;
  customerId: string;
  invoices: readonly string[];
  state: string;
  lastError: string | null;
  attempts: readonly PostingAttempt[];
  updatedAt: string;
}>;

const note = freeText({ max: 2000 });

export const postingMethods = {
  'posting:failed': method<z.ZodObject<Record<string, never>>, FailedPosting[]>({ role: 'clerk', args: z.object({}).strict() }),
  /** Puts a dead posting back in the queue; it starts with the ERP look-up. */
  'posting:retry': method<z.ZodType<{ transactionId: number }>, { ok: true }>({ role: 'clerk', args: z.object({ transactionId: txnId }).strict() }),
  /** The clerk posted it by hand in the ERP: record the ERP document number. */
  'posting:markPosted': method<z.ZodType<{ transactionId: number; erpDocumentId: string; note?: string }>, { ok: true }>(
    { role: 'clerk', args: z.object({ transactionId: txnId, erpDocumentId: freeText({ min: 1, max: 64 }), note: note.optional() }).strict() },
  ),
  /** Gives up on this posting and returns the payment to review. */
  'posting:discard': method<z.ZodType<{ transactionId: number; note?: string }>, { ok: true }>({ role: 'clerk', args: z.object({ transactionId: txnId, note: note.optional() }).strict() }),
} as const;
