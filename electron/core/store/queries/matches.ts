import { z } from 'zod';
import { cents, type Cents } from '@shared/money';
import type { Allocation, GridRow, MatchOutcome, RowStatus, StatusCounts } from '@shared/domain';
import { allocationsSchema, matchMarkerSchema, matchOutcomeSchema } from '@shared/domain-schemas';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';
import { sqlFor } from '../statements';
import { systemClock } from '../../clock';

// Matcher outcomes and the clerk's decisions. A decided row (approved, posted)
// is never overwritten by a later re-match.

export function saveOutcomes(db: WriteDb, outcomes: readonly MatchOutcome[], now = systemClock.iso()): number {
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

export function pendingTransactionIds(db: ReadDb): number[] {
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
export function approvedUnpostedAllocations(db: ReadDb): Array<{ invoiceNo: string; amountCents: number }> {
  return db
    .prepare(
      `SELECT a.invoice_no AS invoiceNo, a.amount_cents AS amountCents FROM allocations a
       JOIN matches m ON m.transaction_id = a.transaction_id WHERE m.review_state = 'approved'`,
    )
    .all() as Array<{ invoiceNo: string; amountCents: number }>;
}

export function getOutcome(db: ReadDb, transactionId: number): MatchOutcome | null {
  const r = db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(transactionId) as { outcome_json: string } | undefined;
  return r ? parseJsonColumn(matchOutcomeSchema, r.outcome_json, 'matches.outcome_json') : null;
}

/**
 * What a clerk sees of each undecided row's match (status, exception and
 * allocations; not the score's wording or the time), by transaction id: two
 * reads compared tell how many rows a re-match changed.
 */
export function undecidedMatchSignatures(db: ReadDb): Map<number, string> {
  const rows = db
    .prepare("SELECT transaction_id, match_status || '|' || COALESCE(exception, '') || '|' || COALESCE(allocations_json, '') FROM matches WHERE review_state = 'pending'")
    .raw()
    .all() as Array<[number, string]>;
  return new Map(rows);
}

export function decidedAllocations(db: ReadDb, transactionId: number): Allocation[] {
  return (db.prepare('SELECT invoice_no, amount_cents FROM allocations WHERE transaction_id = ? ORDER BY invoice_no').all(transactionId) as Array<{ invoice_no: string; amount_cents: number }>).map(
    (r) => ({ invoiceNo: r.invoice_no, amountCents: cents(r.amount_cents) }),
  );
}

export function rowStatus(reviewState: string | null, matchStatus: string | null, outboxState: string | null): RowStatus {
  if (reviewState === 'posted') return 'posted';
  if (reviewState === 'failed' || outboxState === 'dead') return 'failed';
  if (outboxState === 'conflict') return 'conflict';
  if (reviewState === 'approved') return 'approved';
  if (matchStatus === 'auto') return 'auto';
  if (matchStatus === 'suggested') return 'review';
  return 'exception';
}

// Column positions of the grid query's raw rows (`.raw()` skips building an
// object with 20 keys per row, which is most of the cost at 100k rows).
const C = {
  id: 0, createdAt: 1, payer: 2, reference: 3, amount: 4, currency: 5, method: 6, type: 7, matchStatus: 8, customerId: 9, score: 10,
  reason: 11, exception: 12, allocationsJson: 13, reviewState: 14, note: 15, owner: 16, clerkException: 17, outboxState: 18,
  erpDocumentId: 19, reversed: 20, controlPending: 21, extras: 22,
} as const;

const NO_ALLOCATIONS: readonly Allocation[] = [];
// json_extract of $.markers, $.remainingCents, $.refundOf, $.refundedBy: each null when absent.
const outcomeExtrasSchema = z.tuple([z.array(matchMarkerSchema).nullable(), z.number().nullable(), z.number().nullable(), z.array(z.number()).nullable()]);
const NO_EXTRAS = '[null,null,null,null]';

const isCents = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * matches.allocations_json for the grid, read once per row: the usual shape is
 * checked by hand (zod costs ~10% of a 100k-row grid read), anything else goes
 * through the schema, which accepts it or names the column in its error.
 */
function gridAllocations(json: string): readonly Allocation[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = undefined;
  }
  if (
    Array.isArray(raw) &&
    raw.every((a: { invoiceNo?: unknown; amountCents?: unknown; discountCents?: unknown } | null) => a !== null && typeof a === 'object' && typeof a.invoiceNo === 'string' && isCents(a.amountCents) && (a.discountCents === undefined || isCents(a.discountCents)))
  ) {
    return raw as Allocation[];
  }
  return parseJsonColumn(allocationsSchema, json, 'matches.allocations_json');
}

// The same four extras as a JSON array text on PostgreSQL (an absent key is null there too).
const EXTRAS_SQL = {
  sqlite: "json_extract(m.outcome_json, '$.markers', '$.remainingCents', '$.refundOf', '$.refundedBy')",
  postgres: "CASE WHEN m.outcome_json IS NULL THEN NULL ELSE jsonb_build_array(m.outcome_json::jsonb -> 'markers', m.outcome_json::jsonb -> 'remainingCents', m.outcome_json::jsonb -> 'refundOf', m.outcome_json::jsonb -> 'refundedBy')::text END",
} as const;

function gridQuery(db: ReadDb, where: string): string {
  return `SELECT t.transaction_id, t.created_at, t.billing_name,
              COALESCE(NULLIF(t.invoice_id, ''), NULLIF(t.customer_reference_id, ''), t.description),
              t.amount_cents, t.currency, t.method, t.type, m.match_status, m.customer_id, m.score, m.reason, m.exception,
              m.allocations_json, m.review_state, m.note, m.owner, m.clerk_exception, o.state, o.erp_document_id,
              (SELECT 1 FROM receipt_reversals rv WHERE rv.transaction_id = t.transaction_id AND rv.state = 'posted'),
              (SELECT 1 FROM control_requests c WHERE c.transaction_id = t.transaction_id AND c.state = 'requested'),
              -- The outcome's extras in one JSON parse per row (instr() guards cost more: SQLite's instr is a naive scan).
              ${sqlFor(db, EXTRAS_SQL)}
       FROM paytrace_transactions t
       LEFT JOIN matches m ON m.transaction_id = t.transaction_id
       LEFT JOIN outbox o ON o.idempotency_key = CAST(t.transaction_id AS TEXT) AND o.kind = 'receipt'
       ${where}
       ORDER BY t.created_at DESC, t.transaction_id DESC`;
}

export function gridRows(db: ReadDb, ids?: readonly number[]): GridRow[] {
  // A window of rows reads only its own allocations and invoices; the whole grid reads them all at once.
  const balances = new Map<string, number>();
  const decided = new Map<number, Allocation[]>();
  const addDecided = ([id, no, amount]: [number, string, number]) => {
    const list = decided.get(id);
    const a = { invoiceNo: no, amountCents: cents(amount) };
    if (list) list.push(a);
    else decided.set(id, [a]);
  };
  if (ids) {
    for (const chunk of chunks(ids)) {
      const stmt = db.prepare(`SELECT transaction_id, invoice_no, amount_cents FROM allocations WHERE transaction_id IN (${chunk.map(() => '?').join(',')})`).raw();
      for (const r of stmt.iterate(...chunk) as Iterable<[number, string, number]>) addDecided(r);
    }
  } else {
    for (const [no, balance] of db.prepare('SELECT invoice_no, open_balance_cents FROM invoices').raw().iterate() as Iterable<[string, number]>) {
      balances.set(no, balance);
    }
    for (const r of db.prepare('SELECT transaction_id, invoice_no, amount_cents FROM allocations').raw().iterate() as Iterable<[number, string, number]>) addDecided(r);
  }
  const rows = ids
    ? chunks(ids).flatMap((chunk) => db.prepare(gridQuery(db, `WHERE t.transaction_id IN (${chunk.map(() => '?').join(',')})`)).raw().all(...chunk) as unknown[][])
    : (db.prepare(gridQuery(db, '')).raw().all() as unknown[][]);

  const rowAllocations = rows.map((r): readonly Allocation[] => {
    const json = r[C.allocationsJson] as string | null;
    // Most unmatched rows store '[]': no parse needed.
    return decided.get(r[C.id] as number) ?? (json && json !== '[]' ? gridAllocations(json) : NO_ALLOCATIONS);
  });
  if (ids) {
    const wanted = [...new Set(rowAllocations.flatMap((list) => list.map((a) => a.invoiceNo)))];
    for (const chunk of chunks(wanted)) {
      const stmt = db.prepare(`SELECT invoice_no, open_balance_cents FROM invoices WHERE invoice_no IN (${chunk.map(() => '?').join(',')})`).raw();
      for (const [no, balance] of stmt.iterate(...chunk) as Iterable<[string, number]>) balances.set(no, balance);
    }
  }

  const out: GridRow[] = new Array<GridRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const id = r[C.id] as number;
    const amountCents = r[C.amount] as number;
    const allocations = rowAllocations[i]!;
    const invoices: string[] = [];
    let openBalance: Cents | null = null;
    let allocated = 0;
    if (allocations.length > 0) {
      let total = 0;
      for (const a of allocations) {
        invoices.push(a.invoiceNo);
        total += balances.get(a.invoiceNo) ?? 0;
        allocated += a.amountCents;
      }
      openBalance = cents(total);
    }
    const matchStatus = r[C.matchStatus] as GridRow['matchStatus'] | null;
    const status = rowStatus(r[C.reviewState] as string | null, matchStatus, r[C.outboxState] as string | null);
    // Once posted, the ERP balance already includes this payment: show the difference at decision time
    // (the part not applied; the renderer shows it neutral, "difference when approved": docs/ui.md).
    const difference = openBalance === null ? null : status === 'posted' ? cents(amountCents - allocated) : cents(amountCents - openBalance);
    out[i] = {
      transactionId: id,
      createdAt: r[C.createdAt] as string,
      payer: r[C.payer] as string,
      reference: r[C.reference] as string,
      amountCents: cents(amountCents),
      currency: r[C.currency] as GridRow['currency'],
      method: r[C.method] as GridRow['method'],
      type: r[C.type] as string,
      matchedInvoices: invoices,
      customerId: r[C.customerId] as string | null,
      openBalanceCents: openBalance,
      differenceCents: difference,
      status,
      matchStatus: matchStatus ?? 'exception',
      score: (r[C.score] as number | null) ?? 0,
      reason: (r[C.reason] as string | null) ?? 'Not matched yet',
      // The clerk's own reason wins over the matcher's.
      exception: (((r[C.clerkException] as string | null) ?? (r[C.exception] as string | null)) as GridRow['exception']) ?? null,
      erpDocumentId: r[C.erpDocumentId] as string | null,
      note: r[C.note] as string | null,
      owner: r[C.owner] as string | null,
      control: r[C.reversed] ? 'reversed' : r[C.controlPending] ? 'approval_pending' : null,
    };
    const extras = r[C.extras] as string | null;
    // The matcher's own code: a REFUND row always carries refundOf (null when no sale was linked).
    const isRefund = r[C.exception] === 'refund';
    if (isRefund || (extras !== null && extras !== NO_EXTRAS)) {
      const [markers, remaining, refundOf, refundedBy] = extras ? parseJsonColumn(outcomeExtrasSchema, extras, 'matches.outcome_json') : [null, null, null, null];
      out[i] = {
        ...out[i]!,
        ...(markers && markers.length > 0 ? { markers } : {}),
        ...(typeof remaining === 'number' ? { remainingCents: cents(remaining) } : {}),
        ...(typeof refundOf === 'number' ? { refundOf } : isRefund ? { refundOf: null } : {}),
        ...(refundedBy && refundedBy.length > 0 ? { refundedBy } : {}),
      };
    }
  }
  return out;
}

/** IN lists stay well under both SQLite's and PostgreSQL's parameter limits. */
function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function statusCounts(rows: readonly GridRow[]): StatusCounts {
  const counts: StatusCounts = { auto: 0, review: 0, exception: 0, approved: 0, conflict: 0, posted: 0, failed: 0 };
  for (const r of rows) counts[r.status] += 1;
  return counts;
}
