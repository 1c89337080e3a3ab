import type { Allocation, ExceptionCode, MatchOutcome } from '@shared/domain';
import type { ReadDb, WriteDb } from '../db';

// The clerk's side of a matches row (note, owner, own exception reason, review
// state, who decided) and the allocations table (what an approval posts). The
// matcher's side (outcomes, the grid) is store/queries/matches.ts.

export type ClerkState = Readonly<{
  reviewState: string;
  note: string | null;
  owner: string | null;
  clerkException: string | null;
  exception: string | null;
  customerId: string | null;
}>;

/** The clerk's state of a matched transaction; null when it has not been matched yet. */
export function clerkState(db: ReadDb, transactionId: number): ClerkState | null {
  const m = db.prepare('SELECT review_state, note, owner, clerk_exception, exception, customer_id FROM matches WHERE transaction_id = ?').get(transactionId) as
    | { review_state: string; note: string | null; owner: string | null; clerk_exception: string | null; exception: string | null; customer_id: string | null }
    | undefined;
  return m
    ? { reviewState: m.review_state, note: m.note, owner: m.owner, clerkException: m.clerk_exception, exception: m.exception, customerId: m.customer_id }
    : null;
}

export function setMatchNote(db: WriteDb, transactionId: number, note: string | null): void {
  db.prepare('UPDATE matches SET note = ? WHERE transaction_id = ?').run(note, transactionId);
}

export function setMatchOwner(db: WriteDb, transactionId: number, owner: string | null): void {
  db.prepare('UPDATE matches SET owner = ? WHERE transaction_id = ?').run(owner, transactionId);
}

export function setClerkException(db: WriteDb, transactionId: number, reason: ExceptionCode | null): void {
  db.prepare('UPDATE matches SET clerk_exception = ? WHERE transaction_id = ?').run(reason, transactionId);
}

/** The outcome a clerk's allocation makes: a suggestion carrying it, in place of the matcher's. */
export function saveClerkOutcome(db: WriteDb, transactionId: number, outcome: MatchOutcome): void {
  db.prepare(
    `UPDATE matches SET match_status = 'suggested', customer_id = ?, exception = NULL, reason = ?, outcome_json = ?, allocations_json = ?
     WHERE transaction_id = ?`,
  ).run(outcome.customerId, outcome.reason, JSON.stringify(outcome), JSON.stringify(outcome.allocations), transactionId);
}

/** What other approved (not yet posted) payments claim of an invoice. */
export function claimedByOtherApprovals(db: ReadDb, invoiceNo: string, exceptTransactionId: number): number {
  return (
    db
      .prepare(
        `SELECT COALESCE(SUM(a.amount_cents), 0) AS total FROM allocations a JOIN matches m ON m.transaction_id = a.transaction_id
         WHERE a.invoice_no = ? AND m.review_state = 'approved' AND a.transaction_id <> ?`,
      )
      .get(invoiceNo, exceptTransactionId) as { total: number }
  ).total;
}

export function clearDecidedAllocations(db: WriteDb, transactionId: number): void {
  db.prepare('DELETE FROM allocations WHERE transaction_id = ?').run(transactionId);
}

export function insertDecidedAllocations(db: WriteDb, transactionId: number, allocations: readonly Allocation[]): void {
  const insert = db.prepare('INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (?, ?, ?)');
  for (const a of allocations) insert.run(transactionId, a.invoiceNo, a.amountCents);
}

/** Back to pending without forgetting who decided (a re-allocation about to be approved again). */
export function setReviewPending(db: WriteDb, transactionId: number): void {
  db.prepare("UPDATE matches SET review_state = 'pending' WHERE transaction_id = ?").run(transactionId);
}

export function markApproved(db: WriteDb, transactionId: number, by: string, at: string): void {
  db.prepare("UPDATE matches SET review_state = 'approved', decided_by = ?, decided_at = ? WHERE transaction_id = ?").run(by, at, transactionId);
}

/** Back to review, undecided. */
export function returnToReview(db: WriteDb, transactionId: number): void {
  db.prepare("UPDATE matches SET review_state = 'pending', decided_by = NULL, decided_at = NULL WHERE transaction_id = ?").run(transactionId);
}

export function decidedAt(db: ReadDb, transactionId: number): string | null {
  return (db.prepare('SELECT decided_at FROM matches WHERE transaction_id = ?').get(transactionId) as { decided_at: string | null } | undefined)?.decided_at ?? null;
}
