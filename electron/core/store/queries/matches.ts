import { cents, type Cents } from '@shared/money';
import type { Allocation, GridRow, MatchOutcome, RowStatus, StatusCounts } from '@shared/domain';
import type { Db } from '../db';

// Matcher outcomes and the clerk's decisions. A decided row (approved, posted)
// is never overwritten by a later re-match.

export function saveOutcomes(db: Db, outcomes: readonly MatchOutcome[], now = new Date().toISOString()): number {
  const stmt = db.prepare(`
    INSERT INTO matches (transaction_id, match_status, customer_id, score, reason, exception, outcome_json, allocations_json, matched_at)
    VALUES (@transaction_id, @match_status, @customer_id, @score, @reason, @exception, @outcome_json, @allocations_json, @now)
    ON CONFLICT (transaction_id) DO UPDATE SET match_status = excluded.match_status, customer_id = excluded.customer_id,
      score = excluded.score, reason = excluded.reason, exception = excluded.exception, outcome_json = excluded.outcome_json,
      allocations_json = excluded.allocations_json, matched_at = excluded.matched_at
    WHERE matches.review_state = 'pending'
      AND NOT EXISTS (SELECT 1 FROM clerk_allocations c WHERE c.transaction_id = matches.transaction_id)`);
  let changed = 0;
  db.transaction(() => {
    for (const o of outcomes) {
      changed += stmt.run({
        transaction_id: o.transactionId,
        match_status: o.status,
        customer_id: o.customerId,
        score: o.score,
        reason: o.reason,
        exception: o.exception,
        outcome_json: JSON.stringify(o),
        allocations_json: JSON.stringify(o.allocations),
        now,
      }).changes;
    }
  })();
  return changed;
}

export function pendingTransactionIds(db: Db): number[] {
  return (
    db
      .prepare(
        `SELECT t.transaction_id AS id FROM paytrace_transactions t
         LEFT JOIN matches m ON m.transaction_id = t.transaction_id
         WHERE m.transaction_id IS NULL OR m.review_state = 'pending'`,
      )
      .all() as Array<{ id: number }>
  ).map((r) => r.id);
}

/** Allocations already spoken for: approved but not yet reflected in the ERP's balances. */
export function approvedUnpostedAllocations(db: Db): Array<{ invoiceNo: string; amountCents: number }> {
  return db
    .prepare(
      `SELECT a.invoice_no AS invoiceNo, a.amount_cents AS amountCents FROM allocations a
       JOIN matches m ON m.transaction_id = a.transaction_id WHERE m.review_state = 'approved'`,
    )
    .all() as Array<{ invoiceNo: string; amountCents: number }>;
}

export function getOutcome(db: Db, transactionId: number): MatchOutcome | null {
  const r = db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(transactionId) as { outcome_json: string } | undefined;
  return r ? (JSON.parse(r.outcome_json) as MatchOutcome) : null;
}

export function decidedAllocations(db: Db, transactionId: number): Allocation[] {
  return (db.prepare('SELECT invoice_no, amount_cents FROM allocations WHERE transaction_id = ? ORDER BY invoice_no').all(transactionId) as Array<{ invoice_no: string; amount_cents: number }>).map(
    (r) => ({ invoiceNo: r.invoice_no, amountCents: cents(r.amount_cents) }),
  );
}

type GridQueryRow = {
  transaction_id: number;
  created_at: string;
  billing_name: string;
  invoice_id: string;
  description: string;
  customer_reference_id: string;
  amount_cents: number;
  currency: string;
  method: 'card' | 'ach';
  type: string;
  match_status: 'auto' | 'suggested' | 'exception' | null;
  customer_id: string | null;
  score: number | null;
  reason: string | null;
  exception: string | null;
  allocations_json: string | null;
  review_state: string | null;
  note: string | null;
  owner: string | null;
  clerk_exception: string | null;
  outbox_state: string | null;
  erp_document_id: string | null;
  reversed: number | null;
  control_pending: number | null;
};

export function rowStatus(reviewState: string | null, matchStatus: string | null, outboxState: string | null): RowStatus {
  if (reviewState === 'posted') return 'posted';
  if (reviewState === 'failed' || outboxState === 'dead') return 'failed';
  if (outboxState === 'conflict') return 'conflict';
  if (reviewState === 'approved') return 'approved';
  if (matchStatus === 'auto') return 'auto';
  if (matchStatus === 'suggested') return 'review';
  return 'exception';
}

export function gridRows(db: Db, ids?: readonly number[]): GridRow[] {
  const balances = new Map<string, number>();
  for (const r of db.prepare('SELECT invoice_no, open_balance_cents FROM invoices').iterate() as Iterable<{ invoice_no: string; open_balance_cents: number }>) {
    balances.set(r.invoice_no, r.open_balance_cents);
  }
  const decided = new Map<number, Allocation[]>();
  for (const r of db.prepare('SELECT transaction_id, invoice_no, amount_cents FROM allocations').iterate() as Iterable<{ transaction_id: number; invoice_no: string; amount_cents: number }>) {
    const list = decided.get(r.transaction_id) ?? [];
    list.push({ invoiceNo: r.invoice_no, amountCents: cents(r.amount_cents) });
    decided.set(r.transaction_id, list);
  }
  const where = ids ? `WHERE t.transaction_id IN (${ids.map(() => '?').join(',')})` : '';
  const rows = db
    .prepare(
      `SELECT t.transaction_id, t.created_at, t.billing_name, t.invoice_id, t.description, t.customer_reference_id, t.amount_cents, t.currency,
              t.method, t.type, m.match_status, m.customer_id, m.score, m.reason, m.exception, m.allocations_json, m.review_state, m.note,
              m.owner, m.clerk_exception, o.state AS outbox_state, o.erp_document_id,
              (SELECT 1 FROM receipt_reversals rv WHERE rv.transaction_id = t.transaction_id AND rv.state = 'posted') AS reversed,
              (SELECT 1 FROM control_requests c WHERE c.transaction_id = t.transaction_id AND c.state = 'requested') AS control_pending
       FROM paytrace_transactions t
       LEFT JOIN matches m ON m.transaction_id = t.transaction_id
       LEFT JOIN outbox o ON o.idempotency_key = CAST(t.transaction_id AS TEXT) AND o.kind = 'receipt'
       ${where}
       ORDER BY t.created_at DESC, t.transaction_id DESC`,
    )
    .all(...(ids ?? [])) as GridQueryRow[];

  return rows.map((r): GridRow => {
    const allocations: readonly Allocation[] = decided.get(r.transaction_id) ?? (r.allocations_json ? (JSON.parse(r.allocations_json) as Allocation[]) : []);
    const invoices = allocations.map((a) => a.invoiceNo);
    let openBalance: Cents | null = null;
    if (invoices.length > 0) {
      let total = 0;
      for (const no of invoices) total += balances.get(no) ?? 0;
      openBalance = cents(total);
    }
    const status = rowStatus(r.review_state, r.match_status, r.outbox_state);
    // Once posted, the ERP balance already includes this payment: show the difference at decision time.
    const allocated = allocations.reduce((s, a) => s + a.amountCents, 0);
    const difference = openBalance === null ? null : status === 'posted' ? cents(r.amount_cents - allocated) : cents(r.amount_cents - openBalance);
    return {
      transactionId: r.transaction_id,
      createdAt: r.created_at,
      payer: r.billing_name,
      reference: r.invoice_id || r.customer_reference_id || r.description,
      amountCents: cents(r.amount_cents),
      currency: r.currency,
      method: r.method,
      type: r.type,
      matchedInvoices: invoices,
      customerId: r.customer_id,
      openBalanceCents: openBalance,
      differenceCents: difference,
      status,
      matchStatus: r.match_status ?? 'exception',
      score: r.score ?? 0,
      reason: r.reason ?? 'Not matched yet',
      // The clerk's own reason wins over the matcher's.
      exception: ((r.clerk_exception ?? r.exception) as GridRow['exception']) ?? null,
      erpDocumentId: r.erp_document_id,
      note: r.note,
      owner: r.owner,
      control: r.reversed ? 'reversed' : r.control_pending ? 'approval_pending' : null,
    };
  });
}

export function statusCounts(rows: readonly GridRow[]): StatusCounts {
  const counts: StatusCounts = { auto: 0, review: 0, exception: 0, approved: 0, conflict: 0, posted: 0, failed: 0 };
  for (const r of rows) counts[r.status] += 1;
  return counts;
}
