import { z } from 'zod';
import { cents, type Cents } from '@shared/money';
import { MATCH_MARKERS, type Allocation, type MatchMarker } from '@shared/domain';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// The rows an approval reads and writes: the match being decided, the invoice
// balances it is checked against, its allocations and its queued receipt.

const centsSchema = z.number().int().transform(cents);
const allocationSchema = z.object({ invoiceNo: z.string(), amountCents: centsSchema, discountCents: centsSchema.optional() });

/** The parts of matches.outcome_json an approval uses (the column holds more). */
const approvalOutcomeSchema = z.object({
  customerId: z.string().nullable(),
  allocations: z.array(allocationSchema),
  score: z.number(),
  reasons: z.array(z.string()),
  markers: z.array(z.enum(MATCH_MARKERS)).optional(),
  refundedCents: centsSchema.optional(),
});

export type ApprovalOutcome = Readonly<{
  customerId: string | null;
  allocations: readonly Allocation[];
  score: number;
  reasons: readonly string[];
  markers?: readonly MatchMarker[];
  refundedCents?: Cents;
}>;

export type PendingDecision = Readonly<{ reviewState: string; matchStatus: string; outcome: ApprovalOutcome }>;

export function matchDecision(db: ReadDb, transactionId: number): PendingDecision | null {
  const row = db.prepare('SELECT review_state, match_status, outcome_json FROM matches WHERE transaction_id = ?').get(transactionId) as
    | { review_state: string; match_status: string; outcome_json: string }
    | undefined;
  if (!row) return null;
  const outcome = parseJsonColumn(approvalOutcomeSchema, row.outcome_json, 'matches.outcome_json');
  return { reviewState: row.review_state, matchStatus: row.match_status, outcome };
}

export type InvoiceBalance = Readonly<{ openBalanceCents: number; isOpen: boolean }>;

export function invoiceBalance(db: ReadDb, invoiceNo: string): InvoiceBalance | null {
  const row = db.prepare('SELECT open_balance_cents AS bal, is_open FROM invoices WHERE invoice_no = ?').get(invoiceNo) as { bal: number; is_open: number } | undefined;
  return row ? { openBalanceCents: row.bal, isOpen: row.is_open === 1 } : null;
}

/** What approved (not necessarily posted) payments already apply to an invoice. */
export function approvedAllocatedCents(db: ReadDb, invoiceNo: string): number {
  return (
    db
      .prepare(
        `SELECT COALESCE(SUM(a.amount_cents), 0) AS total FROM allocations a JOIN matches m ON m.transaction_id = a.transaction_id
         WHERE a.invoice_no = ? AND m.review_state = 'approved'`,
      )
      .get(invoiceNo) as { total: number }
  ).total;
}

export function recordAllocations(db: WriteDb, transactionId: number, allocations: readonly Allocation[]): void {
  const insert = db.prepare('INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (?, ?, ?)');
  for (const a of allocations) insert.run(transactionId, a.invoiceNo, a.amountCents);
}

export function markApproved(db: WriteDb, transactionId: number, actor: string, at: string): void {
  db.prepare("UPDATE matches SET review_state = 'approved', decided_by = ?, decided_at = ? WHERE transaction_id = ? AND review_state = 'pending'").run(actor, at, transactionId);
}


export type DecisionRecord = Readonly<{ reviewState: string; decidedBy: string | null; decidedAt: string | null }>;

/** Who decided a payment and when (the approval's actor; posting keeps them). */
export function decisionRecord(db: ReadDb, transactionId: number): DecisionRecord | null {
  const row = db.prepare('SELECT review_state, decided_by, decided_at FROM matches WHERE transaction_id = ?').get(transactionId) as
    | { review_state: string; decided_by: string | null; decided_at: string | null }
    | undefined;
  return row ? { reviewState: row.review_state, decidedBy: row.decided_by, decidedAt: row.decided_at } : null;
}
