import type { ReadDb } from '../db';
import { sqlFor } from '../statements';
import { STATUS_SQL } from './grid-view';

// What a bulk approval's preview reads besides the grid rows: who has paid
// before (first-time payers) and which undecided matches rest on weaker
// evidence (a learned payer, a one-character reference typo).

/** Customers and payer names (lower case) with an approved or posted payment: anyone else paying is a first-time payer. */
export function knownPayers(db: ReadDb): { customers: Set<string>; names: Set<string> } {
  const rows = db
    .prepare(
      `SELECT m.customer_id, LOWER(t.billing_name) FROM matches m JOIN paytrace_transactions t ON t.transaction_id = m.transaction_id
       WHERE m.review_state IN ('approved', 'posted')`,
    )
    .raw()
    .all() as Array<[string | null, string | null]>;
  const customers = new Set<string>();
  const names = new Set<string>();
  for (const [customer, name] of rows) {
    if (customer) customers.add(customer);
    if (name && name.trim() !== '') names.add(name.trim());
  }
  return { customers, names };
}

/**
 * The stored outcomes of these transactions that mention a learned payer or a
 * reference typo anywhere (the LIKE is a cheap first cut; the caller reads the
 * chosen candidate's signals from the JSON).
 */
export function outcomesMentioning(db: ReadDb, transactionIds: readonly number[], signals: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  const like = signals.map(() => 'm.outcome_json LIKE ?').join(' OR ');
  const patterns = signals.map((s) => `%"${s}"%`);
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    const rows = db
      .prepare(`SELECT m.transaction_id, m.outcome_json FROM matches m WHERE m.transaction_id IN (${chunk.map(() => '?').join(',')}) AND (${like})`)
      .raw()
      .all(...chunk, ...patterns) as Array<[number, string]>;
    for (const [id, json] of rows) out.set(id, json);
  }
  return out;
}

/** What decides a row's kind (shared/row-actions.ts): PayTrace's type and the match's exception code. */
export function rowKindFacts(db: ReadDb, transactionId: number): { type: string; exception: string | null } | null {
  const r = db
    .prepare('SELECT t.type, m.exception FROM paytrace_transactions t LEFT JOIN matches m ON m.transaction_id = t.transaction_id WHERE t.transaction_id = ?')
    .get(transactionId) as { type: string | null; exception: string | null } | undefined;
  return r ? { type: r.type ?? '', exception: r.exception } : null;
}

// ---------------------------------------------------------------------------
// The preview in SQL (issue 15, 100k rows): the skip decision of
// electron/core/approval/preview.ts and the second-look candidates as
// expressions over a selection's rows, so no grid row is built for the count,
// the totals or the candidates.

/** One of SKIP_KINDS, or 'approve': the same decision as skipKind() (shared/row-actions.ts) on a grid row. */
export const SKIP_KIND_SQL = `CASE
  WHEN UPPER(TRIM(COALESCE(t.type, ''))) IN ('REFUND', 'VOID', 'DECLINED')
    OR COALESCE(m.clerk_exception, m.exception) IN ('refund', 'voided', 'declined', 'not_a_sale') THEN 'not_a_sale'
  WHEN ${STATUS_SQL} = 'exception' OR m.customer_id IS NULL
    OR NOT (EXISTS (SELECT 1 FROM allocations a WHERE a.transaction_id = t.transaction_id)
            OR (m.allocations_json IS NOT NULL AND m.allocations_json <> '[]')) THEN 'exception'
  WHEN ${STATUS_SQL} NOT IN ('auto', 'review') THEN 'decided'
  ELSE 'approve' END`;

// The open balance of the invoices a row pays, as gridRows() sums it: the decided allocations if any, else the match's.
const OPEN_BALANCE_SQL = {
  sqlite: `CASE WHEN EXISTS (SELECT 1 FROM allocations a WHERE a.transaction_id = t.transaction_id)
    THEN (SELECT COALESCE(SUM(i.open_balance_cents), 0) FROM allocations a LEFT JOIN invoices i ON i.invoice_no = a.invoice_no WHERE a.transaction_id = t.transaction_id)
    ELSE (SELECT COALESCE(SUM(i.open_balance_cents), 0) FROM json_each(m.allocations_json) j LEFT JOIN invoices i ON i.invoice_no = json_extract(j.value, '$.invoiceNo')) END`,
  postgres: `CASE WHEN EXISTS (SELECT 1 FROM allocations a WHERE a.transaction_id = t.transaction_id)
    THEN (SELECT COALESCE(SUM(i.open_balance_cents), 0) FROM allocations a LEFT JOIN invoices i ON i.invoice_no = a.invoice_no WHERE a.transaction_id = t.transaction_id)
    ELSE (SELECT COALESCE(SUM(i.open_balance_cents), 0) FROM jsonb_array_elements(m.allocations_json::jsonb) j LEFT JOIN invoices i ON i.invoice_no = j.value ->> 'invoiceNo') END`,
} as const;

const KNOWN = "k.review_state IN ('approved', 'posted')";
// A payer is known by an approved or posted payment from the same customer or under the same name.
const FIRST_TIME_SQL = `(m.customer_id IS NULL OR m.customer_id NOT IN (SELECT k.customer_id FROM matches k WHERE ${KNOWN} AND k.customer_id IS NOT NULL))
  AND LOWER(TRIM(COALESCE(t.billing_name, ''))) NOT IN (
    SELECT LOWER(TRIM(kt.billing_name)) FROM matches k JOIN paytrace_transactions kt ON kt.transaction_id = k.transaction_id
    WHERE ${KNOWN} AND kt.billing_name IS NOT NULL AND TRIM(kt.billing_name) <> '')`;

/** Whether any payment was approved or posted yet: without a history, "first-time payer" would say nothing. */
export function hasPayerHistory(db: ReadDb): boolean {
  const row = db
    .prepare(
      `SELECT 1 FROM matches k JOIN paytrace_transactions kt ON kt.transaction_id = k.transaction_id
       WHERE ${KNOWN} AND (k.customer_id IS NOT NULL OR TRIM(COALESCE(kt.billing_name, '')) <> '') LIMIT 1`,
    )
    .pluck()
    .get();
  return row !== undefined;
}

/** A selection's rows in SQL: `${from} WHERE ${where}` (t, m, o as in grid-view.ts). */
export type SelectionSql = Readonly<{ from: string; where: string; params: readonly unknown[] }>;

export type SkipTally = Readonly<{ kind: string; currency: string; count: number; cents: number }>;

/** How many rows of each skip kind (or 'approve') and currency the rows hold, and their amounts. */
export function skipTally(db: ReadDb, rows: SelectionSql): SkipTally[] {
  const out = db
    .prepare(`SELECT ${SKIP_KIND_SQL} AS kind, t.currency, COUNT(*), COALESCE(SUM(t.amount_cents), 0) ${rows.from} WHERE ${rows.where} GROUP BY 1, 2`)
    .raw()
    .all(...rows.params) as Array<[string, string, number, number]>;
  return out.map(([kind, currency, count, cents]) => ({ kind, currency, count: Number(count), cents: Number(cents) }));
}

/** An approvable row that may deserve a second look: what SQL decides, and the outcome when it mentions what only its JSON says. */
export type SecondLookCandidate = Readonly<{
  transactionId: number;
  createdAt: string;
  payer: string;
  amountCents: number;
  currency: string;
  status: string;
  differenceCents: number;
  firstTimePayer: boolean;
  /** The stored outcome, only when it mentions a refund, a learned payer or a reference typo (a cheap first cut). */
  outcomeJson: string | null;
}>;

/** The OR of these LIKE patterns over outcome_json: the outcomes worth parsing. */
export const OUTCOME_MENTIONS = ['%"refundedBy"%', '%"customer_learned"%', '%"reference_typo"%'] as const;

/**
 * The approvable rows of a selection with a difference, a first-time payer or
 * an outcome mentioning a refund, a learned payer or a typo, in `orderBy`
 * (SQL over t and m) when given.
 */
export function secondLookCandidates(db: ReadDb, rows: SelectionSql, firstTime: boolean, orderBy: string | null): SecondLookCandidate[] {
  const mentions = OUTCOME_MENTIONS.map(() => 'm.outcome_json LIKE ?').join(' OR ');
  const sql = `SELECT s.* FROM (
      SELECT t.transaction_id AS id, t.created_at AS created_at, COALESCE(t.billing_name, '') AS payer, t.amount_cents AS amount, t.currency AS currency,
        ${STATUS_SQL} AS status,
        t.amount_cents - (${sqlFor(db, OPEN_BALANCE_SQL)}) AS difference,
        ${firstTime ? `CASE WHEN ${FIRST_TIME_SQL} THEN 1 ELSE 0 END` : '0'} AS first_time,
        CASE WHEN ${mentions} THEN m.outcome_json ELSE NULL END AS outcome,
        ${orderBy ? `ROW_NUMBER() OVER (ORDER BY ${orderBy})` : '0'} AS ord
      ${rows.from} WHERE (${rows.where}) AND ${SKIP_KIND_SQL} = 'approve') s
    WHERE s.difference <> 0 OR s.first_time = 1 OR s.outcome IS NOT NULL
    ORDER BY s.ord`;
  const out = db
    .prepare(sql)
    .raw()
    .all(...OUTCOME_MENTIONS, ...rows.params) as Array<[number, string, string, string, string, string, number, number, string | null, number]>;
  return out.map(([transactionId, createdAt, payer, amountCents, currency, status, difference, firstTimePayer, outcomeJson]) => ({
    transactionId: Number(transactionId),
    createdAt,
    payer,
    amountCents: Number(amountCents),
    currency,
    status,
    differenceCents: Number(difference),
    firstTimePayer: Number(firstTimePayer) === 1,
    outcomeJson,
  }));
}
