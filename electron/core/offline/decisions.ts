import { cents, type Cents } from '@shared/money';
import type { Allocation, ExceptionCode, MatchOutcome } from '@shared/domain';
import { appendAudit } from '../audit/audit-log';
import type { Db } from '../store/db';

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

type MatchRow = { review_state: string; note: string | null; owner: string | null; clerk_exception: string | null; exception: string | null; outcome_json: string; customer_id: string | null };

function matchRow(db: Db, transactionId: number): MatchRow {
  const m = db.prepare('SELECT review_state, note, owner, clerk_exception, exception, outcome_json, customer_id FROM matches WHERE transaction_id = ?').get(transactionId) as
    | MatchRow
    | undefined;
  if (!m) throw new DecisionError('not_found', `Transaction ${transactionId} has not been matched yet; sync first.`);
  return m;
}

export function setNote(db: Db, transactionId: number, note: string, actor: string, now = new Date().toISOString()): void {
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    db.prepare('UPDATE matches SET note = ? WHERE transaction_id = ?').run(note === '' ? null : note, transactionId);
    appendAudit(db, { actor, action: 'match.note', objectType: 'transaction', objectId: String(transactionId), before: { note: m.note }, after: { note: note || null }, at: now });
  })();
}

export function setOwner(db: Db, transactionId: number, owner: string | null, actor: string, now = new Date().toISOString()): void {
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    db.prepare('UPDATE matches SET owner = ? WHERE transaction_id = ?').run(owner, transactionId);
    appendAudit(db, { actor, action: 'match.assign', objectType: 'transaction', objectId: String(transactionId), before: { owner: m.owner }, after: { owner }, at: now });
  })();
}

export function setExceptionReason(db: Db, transactionId: number, reason: ExceptionCode | null, note: string | undefined, actor: string, now = new Date().toISOString()): void {
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    db.prepare('UPDATE matches SET clerk_exception = ? WHERE transaction_id = ?').run(reason, transactionId);
    if (note !== undefined) db.prepare('UPDATE matches SET note = ? WHERE transaction_id = ?').run(note === '' ? null : note, transactionId);
    appendAudit(db, {
      actor,
      action: 'match.exception_reason',
      objectType: 'transaction',
      objectId: String(transactionId),
      before: { reason: m.clerk_exception ?? m.exception },
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
export function checkAllocation(db: Db, transactionId: number, customerId: string, allocations: readonly Allocation[]): void {
  const t = db.prepare('SELECT amount_cents, currency FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as
    | { amount_cents: number; currency: string }
    | undefined;
  if (!t) throw new DecisionError('not_found', `Transaction ${transactionId} is not in the local store.`);
  if (!db.prepare('SELECT 1 FROM customers WHERE customer_id = ?').get(customerId)) throw new DecisionError('invalid_args', `Customer ${customerId} is not in the ERP customer list.`);
  const seen = new Set<string>();
  let total = 0;
  const invoice = db.prepare('SELECT customer_id, open_balance_cents, currency, is_open FROM invoices WHERE invoice_no = ?');
  const claimed = db.prepare(
    `SELECT COALESCE(SUM(a.amount_cents), 0) AS total FROM allocations a JOIN matches m ON m.transaction_id = a.transaction_id
     WHERE a.invoice_no = ? AND m.review_state = 'approved' AND a.transaction_id <> ?`,
  );
  for (const a of allocations) {
    if (seen.has(a.invoiceNo)) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} appears twice in the allocation.`);
    seen.add(a.invoiceNo);
    const inv = invoice.get(a.invoiceNo) as { customer_id: string; open_balance_cents: number; currency: string; is_open: number } | undefined;
    if (!inv) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} is not among the ERP's invoices.`);
    if (inv.is_open !== 1) throw new DecisionError('conflict', `Invoice ${a.invoiceNo} is no longer open.`);
    if (inv.customer_id !== customerId) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} belongs to customer ${inv.customer_id}, not ${customerId}.`);
    if (inv.currency !== t.currency) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} is in ${inv.currency}; the payment is in ${t.currency}.`);
    const available = inv.open_balance_cents - (claimed.get(a.invoiceNo, transactionId) as { total: number }).total;
    if (a.amountCents > available) throw new DecisionError('conflict', `Invoice ${a.invoiceNo} has ${available} cents left to apply; the allocation asks for ${a.amountCents}.`);
    total += a.amountCents;
  }
  if (total > t.amount_cents) throw new DecisionError('invalid_args', `The allocations add up to ${total} cents, more than the payment's ${t.amount_cents}.`);
}

/**
 * Pins the clerk's allocation: the outcome becomes a suggestion carrying it
 * (approvable like any other), and re-matching leaves it alone.
 */
export function allocate(db: Db, transactionId: number, customerId: string, allocations: readonly Allocation[], actor: string, now = new Date().toISOString()): void {
  db.transaction(() => {
    const m = matchRow(db, transactionId);
    if (m.review_state !== 'pending') throw new DecisionError('conflict', `Transaction ${transactionId} is already ${m.review_state}; its allocation cannot change.`);
    checkAllocation(db, transactionId, customerId, allocations);
    const amount = (db.prepare('SELECT amount_cents FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as { amount_cents: number }).amount_cents;
    const before = JSON.parse(m.outcome_json) as MatchOutcome;
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
    db.prepare(
      `UPDATE matches SET match_status = 'suggested', customer_id = ?, exception = NULL, reason = ?, outcome_json = ?, allocations_json = ?
       WHERE transaction_id = ?`,
    ).run(customerId, outcome.reason, JSON.stringify(outcome), JSON.stringify(list), transactionId);
    db.prepare(
      `INSERT INTO clerk_allocations (transaction_id, customer_id, allocations_json, chosen_by, chosen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (transaction_id) DO UPDATE SET customer_id = excluded.customer_id, allocations_json = excluded.allocations_json,
         chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at`,
    ).run(transactionId, customerId, JSON.stringify(list), actor, now);
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
export function unpinAllocation(db: Db, transactionId: number): void {
  db.prepare('DELETE FROM clerk_allocations WHERE transaction_id = ?').run(transactionId);
}
