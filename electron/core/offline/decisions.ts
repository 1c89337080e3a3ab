import { alreadyDecidedMessage } from '../approval/decided';
import { CARD_NUMBER_REFUSAL, containsCardNumber } from '@shared/card-numbers';
import { cents, type Cents } from '@shared/money';
import type { Allocation, ExceptionCode, MatchOutcome } from '@shared/domain';
import { appendAudit } from '../audit/audit-log';
import type { ReadDb, WriteDb } from '../store/db';
import { pinClerkAllocation, unpinClerkAllocation } from '../store/queries/clerk-allocations';
import { customerExists, ledgerInvoice } from '../store/queries/ledger';
import { claimedByOtherApprovals, clerkState, saveClerkOutcome, setClerkException, setMatchNote, setMatchOwner, type ClerkState } from '../store/queries/match-review';
import { getOutcome } from '../store/queries/matches';
import { paymentSummary } from '../store/queries/transactions';
import { systemClock } from '../clock';
import { notForKind, rowKind } from '@shared/row-actions';
import { rowKindFacts } from '../store/queries/approval-preview';

// Clerk work that needs no connection: recorded in the local store at once and
// audited. Only an approval has a remote effect (its outbox row, posted when
// the ERP is reachable and the decision still holds).

export class DecisionError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid_args',
    message: string,
  ) {
    super(message);
    this.name = 'DecisionError';
  }
}

function matchRow(db: ReadDb, transactionId: number): ClerkState {
  const m = clerkState(db, transactionId);
  if (!m) throw new DecisionError('not_found', `Transaction ${transactionId} has not been matched yet; sync first.`);
  return m;
}

/**
 * Typed text that arrives other than through the API contract (a reviewer's
 * hand-off decisions) gets the contract's card-number screen here, before
 * anything is stored or audited; the import skips that row with the reason.
 */
export function refuseCardNumber(field: string, text: string | null | undefined): void {
  if (text && containsCardNumber(text)) throw new DecisionError('invalid_args', `${field}: ${CARD_NUMBER_REFUSAL}`);
}

export function setNote(db: WriteDb, transactionId: number, note: string, actor: string, now = systemClock.iso()): void {
  refuseCardNumber('Note', note);
  refuseCardNumber('Reviewer', actor);
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    setMatchNote(db, transactionId, note === '' ? null : note);
    appendAudit(db, { actor, action: 'match.note', objectType: 'transaction', objectId: String(transactionId), before: { note: m.note }, after: { note: note || null }, at: now });
  })();
}

export function setOwner(db: WriteDb, transactionId: number, owner: string | null, actor: string, now = systemClock.iso()): void {
  refuseCardNumber('Owner', owner);
  refuseCardNumber('Reviewer', actor);
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    setMatchOwner(db, transactionId, owner);
    appendAudit(db, { actor, action: 'match.assign', objectType: 'transaction', objectId: String(transactionId), before: { owner: m.owner }, after: { owner }, at: now });
  })();
}

export function setExceptionReason(db: WriteDb, transactionId: number, reason: ExceptionCode | null, note: string | undefined, actor: string, now = systemClock.iso()): void {
  refuseCardNumber('Note', note);
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    setClerkException(db, transactionId, reason);
    if (note !== undefined) setMatchNote(db, transactionId, note === '' ? null : note);
    appendAudit(db, {
      actor,
      action: 'match.exception_reason',
      objectType: 'transaction',
      objectId: String(transactionId),
      before: { reason: m.clerkException ?? m.exception },
      after: { reason, note: note ?? null },
      at: now,
    });
  })();
}

/**
 * Checks an allocation against the local picture of the ledger: each invoice
 * open, of this customer and currency, with enough balance left after what
 * other approved payments already claim; the total within the payment.
 */
export function checkAllocation(db: ReadDb, transactionId: number, customerId: string, allocations: readonly Allocation[]): void {
  const t = paymentSummary(db, transactionId);
  if (!t) throw new DecisionError('not_found', `Transaction ${transactionId} is not in the local store.`);
  // A refund, void or decline is no cash to apply (shared/row-actions.ts: the UI offers no allocation for it either).
  const facts = rowKindFacts(db, transactionId);
  if (facts && rowKind(facts) !== 'sale') throw new DecisionError('conflict', notForKind(facts, 'an allocation'));
  if (!customerExists(db, customerId)) throw new DecisionError('invalid_args', `Customer ${customerId} is not in the ERP customer list.`);
  const seen = new Set<string>();
  let total = 0;
  for (const a of allocations) {
    if (seen.has(a.invoiceNo)) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} appears twice in the allocation.`);
    seen.add(a.invoiceNo);
    const inv = ledgerInvoice(db, a.invoiceNo);
    if (!inv) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} is not among the ERP's invoices.`);
    if (!inv.isOpen) throw new DecisionError('conflict', `Invoice ${a.invoiceNo} is no longer open.`);
    if (inv.customerId !== customerId) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} belongs to customer ${inv.customerId}, not ${customerId}.`);
    if (inv.currency !== t.currency) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} is in ${inv.currency}; the payment is in ${t.currency}.`);
    const available = inv.openBalanceCents - claimedByOtherApprovals(db, a.invoiceNo, transactionId);
    if (a.amountCents > available) throw new DecisionError('conflict', `Invoice ${a.invoiceNo} has ${available} cents left to apply; the allocation asks for ${a.amountCents}.`);
    total += a.amountCents;
  }
  if (total > t.amountCents) throw new DecisionError('invalid_args', `The allocations add up to ${total} cents, more than the payment's ${t.amountCents}.`);
}

/**
 * Pins the clerk's allocation: the outcome becomes a suggestion carrying it
 * (approvable like any other), and re-matching leaves it alone.
 */
export function allocate(db: WriteDb, transactionId: number, customerId: string, allocations: readonly Allocation[], actor: string, now = systemClock.iso()): void {
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    // Who decided it and when (times in UTC: this path knows no merchant zone), e.g. a clerk on another workstation.
    if (m.reviewState !== 'pending') throw new DecisionError('conflict', `${alreadyDecidedMessage(db, transactionId, 'UTC', now)}: its allocation cannot change.`);
    checkAllocation(db, transactionId, customerId, allocations);
    const amount = paymentSummary(db, transactionId)!.amountCents;
    // matchRow found the row, so its outcome is there.
    const before = getOutcome(db, transactionId)!;
    const allocated = allocations.reduce((s, a) => s + a.amountCents, 0);
    const list: Allocation[] = allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents) }));
    const outcome: MatchOutcome = {
      ...before,
      status: 'suggested',
      customerId,
      allocations: list,
      exception: null,
      reason: `Allocation chosen by ${actor}`,
      reasons: [`Allocation chosen by ${actor}`, ...before.reasons.filter((r) => !r.startsWith('Allocation chosen by'))],
      unappliedCents: cents(amount - allocated) as Cents,
    };
    saveClerkOutcome(db, transactionId, outcome);
    pinClerkAllocation(db, transactionId, customerId, list, actor, now);
    appendAudit(db, {
      actor,
      action: 'match.allocate',
      objectType: 'transaction',
      objectId: String(transactionId),
      before: { customerId: before.customerId, allocations: before.allocations, status: before.status },
      after: { customerId, allocations: list },
      at: now,
    });
  })();
}

/** Drops the clerk's pin so the matcher may propose afresh. */
export function unpinAllocation(db: WriteDb, transactionId: number): void {
  unpinClerkAllocation(db, transactionId);
}
