import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cents } from '../../shared/money';
import type { DecisionSide } from '../../shared/api/offline';
import type { MatchOutcome, PayTraceTransaction } from '../../shared/domain';
import type { ReceiptRequest } from '../../electron/core/erp/connector';
import { openStore, type Db } from '../../electron/core/store/db';
import { pinClerkAllocation, unpinClerkAllocation } from '../../electron/core/store/queries/clerk-allocations';
import { decisionSnapshot, saveDecisionSnapshot } from '../../electron/core/store/queries/decision-snapshots';
import { customerExists, ledgerInvoice, setInvoiceStates, upsertCustomers, upsertOpenInvoices } from '../../electron/core/store/queries/ledger';
import {
  claimedByOtherApprovals,
  clearDecidedAllocations,
  clerkState,
  decidedAt,
  insertDecidedAllocations,
  markApproved,
  returnToReview,
  saveClerkOutcome,
  setClerkException,
  setMatchNote,
  setMatchOwner,
} from '../../electron/core/store/queries/match-review';
import { decidedAllocations, getOutcome, saveOutcomes, undecidedMatchSignatures } from '../../electron/core/store/queries/matches';
import { markConflictResolved, openConflictId, openConflicts, replaceOpenConflict } from '../../electron/core/store/queries/posting-conflicts';
import { conflictedReceipt, deleteHeldReceipt, deleteUnsentReceipt, discardReceipt, outboxStateOf, receiptFor, receiptRowsOf, requeueReceipt } from '../../electron/core/store/queries/posting-state';
import { executedRefundIds as tieoutRefundTransactionIds, refundedThroughTieoutCents, voidedThroughTieout } from '../../electron/core/store/queries/refund-requests';
import { endOpenSession, endOpenSessionsOf, endSession, insertSession, sessionByTokenHash, touchSession } from '../../electron/core/store/queries/sessions';
import { clearSignInFailures, saveSignInFailures, signInFailures } from '../../electron/core/store/queries/sign-in-failures';
import {
  newestTransactionStamp,
  paymentSummary,
  saleRefundKeys,
  storedRefundRows,
  transactionIdsUpdatedAfter,
  upsertTransactions,
} from '../../electron/core/store/queries/transactions';
import { putBackReviewRows, readReviewRows } from '../../electron/core/store/queries/undo-snapshots';
import { storedSale } from '../support/stored-sale';
import { insertUser } from '../../electron/core/store/queries/users';

// The store modules behind the review, offline and auth services, against a
// real SQLite file with every migration applied.

const AT = '2026-01-05T15:00:00.000Z';

function store(): Db {
  return openStore(mkdtempSync(join(tmpdir(), 'tieout-store-')));
}

function txn(id: number, over: Partial<PayTraceTransaction> = {}): PayTraceTransaction {
  return storedSale(id, { customerReferenceId: 'C-REF', ...over });
}

function outcome(id: number, over: Partial<MatchOutcome> = {}): MatchOutcome {
  return {
    transactionId: id,
    status: 'suggested',
    allocations: [{ invoiceNo: 'INV-1', amountCents: cents(10_000) }],
    customerId: 'C1',
    candidates: [],
    score: 0.7,
    reason: 'Invoice referenced',
    reasons: ['Invoice referenced'],
    exception: null,
    unappliedCents: cents(0),
    ...over,
  };
}

const receipt: ReceiptRequest = {
  reference: '1',
  customerId: 'C1',
  date: '2026-01-02',
  amountCents: cents(10_000),
  currency: 'USD',
  paymentMethod: 'card',
  allocations: [{ invoiceNo: 'INV-1', amountCents: cents(10_000) }],
};

function queueReceipt(db: Db, transactionId: number, state = 'queued'): number {
  return Number(
    db
      .prepare(
        `INSERT INTO outbox (idempotency_key, transaction_id, kind, payload_json, state, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, 'receipt', ?, ?, 0, ?, ?, ?)`,
      )
      .run(String(transactionId), transactionId, JSON.stringify({ ...receipt, reference: String(transactionId) }), state, AT, AT, AT).lastInsertRowid,
  );
}

const side = (over: Partial<DecisionSide> = {}): DecisionSide => ({
  takenAt: AT,
  paytraceAsOf: null,
  erpAsOf: null,
  customerId: 'C1',
  customerExists: true,
  allocations: receipt.allocations,
  invoices: [{ invoiceNo: 'INV-1', isOpen: true, openBalanceCents: cents(10_000), currency: 'USD' }],
  payment: { type: 'SALE', amountCents: cents(10_000), currency: 'USD', refundedCents: cents(0) },
  ...over,
});

function seeded(): Db {
  const db = store();
  upsertTransactions(db, [txn(1), txn(2), txn(3, { type: 'REFUND', amountCents: cents(2_500), createdAt: '2026-01-03T10:00:00.000Z' })], AT);
  upsertCustomers(db, [{ customerId: 'C1', name: 'Apex' }], AT);
  upsertOpenInvoices(
    db,
    [{ invoiceNo: 'INV-1', customerId: 'C1', invoiceDate: '2026-01-01', dueDate: null, amountCents: cents(10_000), openBalanceCents: cents(10_000), currency: 'USD', poNo: '' }],
    AT,
  );
  saveOutcomes(db, [outcome(1), outcome(2)], AT);
  return db;
}

describe('sessions and sign-in failures', () => {
  it('keeps a session by token hash and ends it once', () => {
    const db = store();
    insertUser(db, { userName: 'ann', displayName: 'Ann', role: 'clerk', passwordHash: 'x', createdBy: 'admin', at: AT });
    insertSession(db, 'h1', 'ann', AT);
    insertSession(db, 'h2', 'ann', AT);
    expect(sessionByTokenHash(db, 'h1')).toEqual({ userName: 'ann', lastSeenAt: AT, endedAt: null, endReason: null });
    touchSession(db, 'h1', '2026-01-05T15:01:00.000Z');
    expect(sessionByTokenHash(db, 'h1')?.lastSeenAt).toBe('2026-01-05T15:01:00.000Z');
    endOpenSession(db, 'h1', 'sign-out', '2026-01-05T15:02:00.000Z');
    endOpenSession(db, 'h1', 'role-change', '2026-01-05T15:03:00.000Z');
    expect(db.prepare('SELECT ended_at, end_reason FROM sessions WHERE token_hash = ?').get('h1')).toEqual({ ended_at: '2026-01-05T15:02:00.000Z', end_reason: 'sign-out' });
    endOpenSessionsOf(db, 'ann', 'password-reset', '2026-01-05T15:04:00.000Z');
    expect(sessionByTokenHash(db, 'h2')?.endedAt).toBe('2026-01-05T15:04:00.000Z');
    expect(sessionByTokenHash(db, 'h2')?.endReason).toBe('password-reset');
    endSession(db, 'h2', 'idle', '2026-01-05T15:05:00.000Z');
    expect(db.prepare('SELECT end_reason FROM sessions WHERE token_hash = ?').get('h2')).toEqual({ end_reason: 'idle' });
    expect(sessionByTokenHash(db, 'nope')).toBeNull();
  });

  it('counts failures per typed name, whatever its case, until cleared', () => {
    const db = store();
    expect(signInFailures(db, 'ghost')).toBeNull();
    saveSignInFailures(db, 'ghost', { failures: 1, lockedUntil: null, inFlight: 0, reservedAt: null }, AT);
    saveSignInFailures(db, 'GHOST', { failures: 6, lockedUntil: '2026-01-05T15:00:30.000Z', inFlight: 0, reservedAt: null }, AT);
    expect(signInFailures(db, 'Ghost')).toEqual({ failures: 6, lockedUntil: '2026-01-05T15:00:30.000Z', inFlight: 0, reservedAt: null });
    clearSignInFailures(db, 'ghost');
    expect(signInFailures(db, 'ghost')).toBeNull();
  });
});

describe('transactions and ledger reads for review', () => {
  it('reads payment summaries, refund keys, REFUND rows and change stamps', () => {
    const db = seeded();
    expect(paymentSummary(db, 1)).toEqual({ type: 'SALE', amountCents: 10_000, currency: 'USD' });
    expect(paymentSummary(db, 99)).toBeNull();
    expect(saleRefundKeys(db, 1)).toEqual({ invoiceId: 'INV-1', customerReferenceId: 'C-REF', billingName: 'Apex Plumbing', createdAt: '2026-01-02T10:00:00.000Z' });
    expect(storedRefundRows(db).map((r) => [r.transactionId, r.amountCents, r.declined])).toEqual([[3, 2_500, false]]);
    expect(newestTransactionStamp(db)).toBe(AT);
    expect(transactionIdsUpdatedAfter(db, AT)).toEqual([]);
    upsertTransactions(db, [txn(2, { billingName: 'Changed', raw: { transaction_id: 2, billing_name: 'Changed' } })], '2026-01-06T00:00:00.000Z');
    expect(transactionIdsUpdatedAfter(db, AT)).toEqual([2]);
    expect(newestTransactionStamp(store())).toBe('');
  });

  it('reads an invoice as the ledger has it and sets what the ERP says', () => {
    const db = seeded();
    expect(customerExists(db, 'C1')).toBe(true);
    expect(customerExists(db, 'C2')).toBe(false);
    expect(ledgerInvoice(db, 'INV-1')).toEqual({ customerId: 'C1', openBalanceCents: 10_000, currency: 'USD', isOpen: true });
    setInvoiceStates(db, [{ invoiceNo: 'INV-1', isOpen: false, openBalanceCents: 4_000 }], AT);
    expect(ledgerInvoice(db, 'INV-1')).toEqual({ customerId: 'C1', openBalanceCents: 0, currency: 'USD', isOpen: false });
    expect(ledgerInvoice(db, 'INV-9')).toBeNull();
  });
});

describe("the clerk's side of matches", () => {
  it('records note, owner, reason and a clerk outcome; approves and returns to review', () => {
    const db = seeded();
    setMatchNote(db, 1, 'called the payer');
    setMatchOwner(db, 1, 'ann');
    setClerkException(db, 1, 'manual');
    expect(clerkState(db, 1)).toEqual({ reviewState: 'pending', note: 'called the payer', owner: 'ann', clerkException: 'manual', exception: null, customerId: 'C1' });
    expect(clerkState(db, 3)).toBeNull();

    const pinned = outcome(1, { customerId: 'C1', allocations: [{ invoiceNo: 'INV-1', amountCents: cents(6_000) }], reason: 'Allocation chosen by ann' });
    saveClerkOutcome(db, 1, pinned);
    expect(getOutcome(db, 1)).toEqual(pinned);

    insertDecidedAllocations(db, 1, [{ invoiceNo: 'INV-1', amountCents: cents(6_000) }]);
    markApproved(db, 1, 'ann', AT);
    expect(decidedAt(db, 1)).toBe(AT);
    expect(decidedAllocations(db, 1)).toEqual([{ invoiceNo: 'INV-1', amountCents: 6_000 }]);
    expect(claimedByOtherApprovals(db, 'INV-1', 2)).toBe(6_000);
    expect(claimedByOtherApprovals(db, 'INV-1', 1)).toBe(0);
    expect(undecidedMatchSignatures(db).has(1)).toBe(false);

    clearDecidedAllocations(db, 1);
    returnToReview(db, 1);
    expect(clerkState(db, 1)?.reviewState).toBe('pending');
    expect(decidedAt(db, 1)).toBeNull();
    expect(undecidedMatchSignatures(db).get(1)).toBe('suggested||[{"invoiceNo":"INV-1","amountCents":6000}]');
  });

  it('a pinned clerk allocation keeps the row from being re-matched', () => {
    const db = seeded();
    pinClerkAllocation(db, 2, 'C1', [{ invoiceNo: 'INV-1', amountCents: cents(1_000) }], 'ann', AT);
    expect(saveOutcomes(db, [outcome(2, { status: 'exception', allocations: [], exception: 'invoice_not_found' })], AT)).toBe(0);
    unpinClerkAllocation(db, 2);
    expect(saveOutcomes(db, [outcome(2, { status: 'exception', allocations: [], exception: 'invoice_not_found' })], AT)).toBe(1);
  });

  it('undo snapshots put matches and allocations back column for column', () => {
    const db = seeded();
    const before = readReviewRows(db, [1, 2]);
    expect(before.matches).toHaveLength(2);
    setMatchNote(db, 1, 'changed');
    insertDecidedAllocations(db, 1, [{ invoiceNo: 'INV-1', amountCents: cents(10_000) }]);
    pinClerkAllocation(db, 2, 'C1', receipt.allocations, 'ann', AT);
    putBackReviewRows(db, [1, 2], before);
    expect(readReviewRows(db, [1, 2])).toEqual(before);
  });
});

describe('receipt outbox steps of a decision', () => {
  it('reads the receipt, holds it in conflict, re-queues or discards it', () => {
    const db = seeded();
    const id = queueReceipt(db, 1, 'conflict');
    expect(receiptFor(db, 1)).toEqual({ ...receipt, reference: '1' });
    expect(receiptFor(db, 2)).toBeNull();
    expect(conflictedReceipt(db, 1)).toEqual({ outboxId: id, receipt: { ...receipt, reference: '1' } });
    requeueReceipt(db, id, { ...receipt, reference: '1', customerId: 'C2' }, '2026-01-06T00:00:00.000Z');
    expect(conflictedReceipt(db, 1)).toBeNull();
    expect(outboxStateOf(db, id)).toEqual({ state: 'queued', updatedAt: '2026-01-06T00:00:00.000Z' });
    expect(receiptFor(db, 1)?.customerId).toBe('C2');
    discardReceipt(db, id, AT);
    expect(outboxStateOf(db, id)?.state).toBe('discarded');
    expect(receiptRowsOf(db, [1, 2])).toEqual([{ id, transactionId: 1, state: 'discarded', attempts: 0, leaseUntil: null }]);
    expect(receiptRowsOf(db, [])).toEqual([]);
  });

  it('deletes a receipt that was never sent, with its attempts', () => {
    const db = seeded();
    const id = queueReceipt(db, 2);
    db.prepare("INSERT INTO outbox_attempts (outbox_id, at, outcome) VALUES (?, ?, 'lookup')").run(id, AT);
    deleteUnsentReceipt(db, id);
    expect(outboxStateOf(db, id)).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox_attempts').get()).toEqual({ n: 0 });
  });

  it('deletes a held receipt only while no worker holds it (undo inside the window)', () => {
    const db = seeded();
    const id = queueReceipt(db, 2);
    db.prepare('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?').run('lane', '2026-01-05T15:02:00.000Z', id);
    expect(deleteHeldReceipt(db, id, '2026-01-05T15:01:00.000Z')).toBe(false);
    expect(outboxStateOf(db, id)).not.toBeNull();
    // An expired lease (its process ended) no longer protects the row.
    expect(deleteHeldReceipt(db, id, '2026-01-05T15:03:00.000Z')).toBe(true);
    expect(outboxStateOf(db, id)).toBeNull();
    const sent = queueReceipt(db, 1);
    db.prepare("UPDATE outbox SET state = 'sending', attempts = 1 WHERE id = ?").run(sent);
    expect(deleteHeldReceipt(db, sent, '2026-01-05T15:03:00.000Z')).toBe(false);
  });
});

describe('decision snapshots and posting conflicts', () => {
  it('keeps the latest snapshot per transaction', () => {
    const db = seeded();
    expect(decisionSnapshot(db, 1)).toBeNull();
    saveDecisionSnapshot(db, 1, AT, side());
    saveDecisionSnapshot(db, 1, AT, side({ customerExists: false }));
    expect(decisionSnapshot(db, 1)).toEqual(side({ customerExists: false }));
  });

  it('one open conflict per transaction, listed while its receipt is held back', () => {
    const db = seeded();
    queueReceipt(db, 1, 'conflict');
    replaceOpenConflict(db, { transactionId: 1, kinds: ['invoice_paid_elsewhere'], details: ['first'], then: side(), now: side(), at: AT });
    replaceOpenConflict(db, { transactionId: 1, kinds: ['customer_missing'], details: ['second'], then: side(), now: side({ customerExists: false }), at: AT });
    const list = openConflicts(db);
    expect(list).toEqual([
      { transactionId: 1, payer: 'Apex Plumbing', amountCents: 10_000, currency: 'USD', kinds: ['customer_missing'], details: ['second'], then: side(), now: side({ customerExists: false }), detectedAt: AT },
    ]);
    const id = openConflictId(db, 1)!;
    markConflictResolved(db, id, 'discard', 'ann', AT);
    expect(openConflictId(db, 1)).toBeNull();
    expect(openConflicts(db)).toEqual([]);
  });
});

describe('refunds made through Tieout', () => {
  it('sums refunds executing or done, lists their PayTrace ids and sees voids', () => {
    const db = seeded();
    const insert = db.prepare(
      `INSERT INTO refund_requests (transaction_id, amount_cents, currency, reason_code, state, requested_by, requester_role, requested_at, method, paytrace_transaction_id, updated_at)
       VALUES (?, ?, 'USD', 'other', ?, 'ann', 'clerk', ?, ?, ?, ?)`,
    );
    insert.run(1, 1_000, 'done', AT, 'refund', 501, AT);
    insert.run(1, 500, 'executing', AT, 'refund', null, AT);
    insert.run(1, 700, 'failed', AT, 'refund', null, AT);
    insert.run(2, 10_000, 'done', AT, 'void', 2, AT);
    expect(refundedThroughTieoutCents(db, 1)).toBe(1_500);
    expect([...tieoutRefundTransactionIds(db)].sort()).toEqual([2, 501]);
    expect(voidedThroughTieout(db, 1)).toBe(false);
    expect(voidedThroughTieout(db, 2)).toBe(true);
  });
});
