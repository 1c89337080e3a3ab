import type { ReadDb } from '../db';
import { isWorkspace, sqlFor } from '../statements';
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

/**
 * One of SKIP_KINDS, or 'approve': the same decision as skipKind() in
 * electron/core/approval/preview.ts on a grid row (a sale, with a customer
 * and invoices, still auto or review), the row status read once.
 */
export const SKIP_KIND_SQL = `CASE
  WHEN UPPER(TRIM(COALESCE(t.type, ''))) IN ('REFUND', 'VOID', 'DECLINED')
    OR COALESCE(m.clerk_exception, m.exception) IN ('refund', 'voided', 'declined', 'not_a_sale') THEN 'not_a_sale'
  WHEN m.customer_id IS NULL
    OR NOT ((m.allocations_json IS NOT NULL AND m.allocations_json <> '[]')
            OR EXISTS (SELECT 1 FROM allocations a WHERE a.transaction_id = t.transaction_id)) THEN 'exception'
  ELSE CASE ${STATUS_SQL} WHEN 'auto' THEN 'approve' WHEN 'review' THEN 'approve' WHEN 'exception' THEN 'exception' ELSE 'decided' END
  END`;

// The open balance of the invoices a row pays, as gridRows() sums it: the decided allocations if any, else the match's.
// `id` and `alloc` are the row's transaction id and allocations_json.
const openBalanceSql = (id: string, alloc: string) => {
  // SUM over no decided allocation is NULL: then the match's own allocations count.
  const decided = `(SELECT SUM(COALESCE(i.open_balance_cents, 0)) FROM allocations a LEFT JOIN invoices i ON i.invoice_no = a.invoice_no WHERE a.transaction_id = ${id})`;
  return {
    sqlite: `COALESCE(${decided}, (SELECT COALESCE(SUM(i.open_balance_cents), 0) FROM json_each(${alloc}) j LEFT JOIN invoices i ON i.invoice_no = json_extract(j.value, '$.invoiceNo')))`,
    postgres: `COALESCE(${decided}, (SELECT COALESCE(SUM(i.open_balance_cents), 0) FROM json_array_elements(${alloc}::json) j LEFT JOIN invoices i ON i.invoice_no = j.value ->> 'invoiceNo'))`,
  };
};

const KNOWN = "k.review_state IN ('approved', 'posted')";
// A payer is known by an approved or posted payment from the same customer or under the same name.
const firstTimeSql = (customer: string, payer: string) => `((${customer} IS NULL OR ${customer} NOT IN (SELECT k.customer_id FROM matches k WHERE ${KNOWN} AND k.customer_id IS NOT NULL))
  AND LOWER(TRIM(COALESCE(${payer}, ''))) NOT IN (
    SELECT LOWER(TRIM(kt.billing_name)) FROM matches k JOIN paytrace_transactions kt ON kt.transaction_id = k.transaction_id
    WHERE ${KNOWN} AND kt.billing_name IS NOT NULL AND TRIM(kt.billing_name) <> ''))`;

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

/** Words in outcome_json that make it worth parsing (a refund on the sale, a learned payer, a typo). */
export const OUTCOME_MENTIONS = ['"refundedBy"', '"customer_learned"', '"reference_typo"'] as const;
// A plain substring test: SQLite's LIKE, PostgreSQL's strpos (the translator would turn LIKE into a slower ILIKE).
const mentionsSql = (db: ReadDb, outcome: string) =>
  `(${OUTCOME_MENTIONS.map(() => sqlFor(db, { sqlite: `${outcome} LIKE ?`, postgres: `strpos(${outcome}, ?) > 0` })).join(' OR ')})`;
const mentionParams = (db: ReadDb) => (isWorkspace(db) ? [...OUTCOME_MENTIONS] : OUTCOME_MENTIONS.map((w) => `%${w}%`));

// A subquery the planner must not merge into the one around it (SQLite would
// evaluate its expressions once per use; PostgreSQL may inline them too).
const FENCE = { sqlite: 'LIMIT -1', postgres: 'OFFSET 0' } as const;

/** A selection's rows in SQL: `${from} WHERE ${where}` (t, m, o as in grid-view.ts). */
export type SelectionSql = Readonly<{ from: string; where: string; params: readonly unknown[] }>;

export type PreviewTally = Readonly<{
  kind: string;
  currency: string;
  count: number;
  cents: number;
  /** Approvable rows with a reason SQL sees (a difference, a first-time payer). */
  flagged: number;
  /** An approvable row without such a reason whose outcome mentions one only its JSON tells (one row per group), else null. */
  outcomeOnlyId: number | null;
}>;

/**
 * The selection's rows by skip kind (or 'approve') and currency, their
 * amounts, how many approvable ones SQL already flags, and one group per row
 * whose reason only its outcome JSON can tell: one pass over the rows, none
 * of them sent back.
 */
export function previewTally(db: ReadDb, rows: SelectionSql, firstTime: boolean): PreviewTally[] {
  const sql = `SELECT kind, currency, COUNT(*), COALESCE(SUM(amount), 0), SUM(flag), only_id FROM (
      SELECT kind, currency, amount, flag, CASE WHEN flag = 0 AND mentions = 1 THEN id ELSE NULL END AS only_id FROM (
        SELECT id, kind, currency, amount,
          CASE WHEN kind = 'approve' AND (amount - (${sqlFor(db, openBalanceSql('r.id', 'r.alloc'))}) <> 0 ${firstTime ? `OR ${firstTimeSql('r.customer', 'r.payer')}` : ''}) THEN 1 ELSE 0 END AS flag,
          CASE WHEN kind = 'approve' AND ${mentionsSql(db, 'r.outcome')} THEN 1 ELSE 0 END AS mentions
        FROM (
          SELECT t.transaction_id AS id, t.currency AS currency, t.amount_cents AS amount, m.allocations_json AS alloc, m.customer_id AS customer,
            t.billing_name AS payer, m.outcome_json AS outcome, ${SKIP_KIND_SQL} AS kind
          ${rows.from} WHERE ${rows.where} ${sqlFor(db, FENCE)}) r
        ${sqlFor(db, FENCE)}) f
    ) g GROUP BY kind, currency, only_id`;
  const out = db
    .prepare(sql)
    .raw()
    .all(...mentionParams(db), ...rows.params) as Array<[string, string, number, number, number, number | null]>;
  return out.map(([kind, currency, count, cents, flagged, only]) => ({
    kind,
    currency,
    count: Number(count),
    cents: Number(cents),
    flagged: Number(flagged),
    outcomeOnlyId: only === null ? null : Number(only),
  }));
}

/** A selected row with what the second-look checks need: SQL's findings, and the outcome when it mentions what only its JSON says. */
export type PreviewRowFacts = Readonly<{
  transactionId: number;
  createdAt: string;
  payer: string;
  amountCents: number;
  currency: string;
  status: string;
  kind: string;
  differenceCents: number;
  firstTimePayer: boolean;
  outcomeJson: string | null;
}>;

/** The facts of these rows (existing ones, in no particular order). */
export function previewRowFacts(db: ReadDb, transactionIds: readonly number[], firstTime: boolean): PreviewRowFacts[] {
  const out: PreviewRowFacts[] = [];
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    const sql = `SELECT t.transaction_id, t.created_at, COALESCE(t.billing_name, ''), t.amount_cents, t.currency, ${STATUS_SQL}, ${SKIP_KIND_SQL},
        t.amount_cents - (${sqlFor(db, openBalanceSql('t.transaction_id', 'm.allocations_json'))}),
        ${firstTime ? `CASE WHEN ${firstTimeSql('m.customer_id', 't.billing_name')} THEN 1 ELSE 0 END` : '0'},
        CASE WHEN ${mentionsSql(db, 'm.outcome_json')} THEN m.outcome_json ELSE NULL END
      FROM paytrace_transactions t
      LEFT JOIN matches m ON m.transaction_id = t.transaction_id
      LEFT JOIN outbox o ON o.idempotency_key = CAST(t.transaction_id AS TEXT) AND o.kind = 'receipt'
      WHERE t.transaction_id IN (${chunk.map(() => '?').join(',')})`;
    const rows = db
      .prepare(sql)
      .raw()
      .all(...mentionParams(db), ...chunk) as Array<[number, string, string, number, string, string, string, number, number, string | null]>;
    for (const [id, createdAt, payer, amount, currency, status, kind, difference, first, outcomeJson] of rows) {
      out.push({
        transactionId: Number(id),
        createdAt,
        payer,
        amountCents: Number(amount),
        currency,
        status,
        kind,
        differenceCents: Number(difference),
        firstTimePayer: Number(first) === 1,
        outcomeJson,
      });
    }
  }
  return out;
}

/** The outcome JSON of these transactions (the rows whose reason only it can tell). */
export function outcomeJsons(db: ReadDb, transactionIds: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    const rows = db
      .prepare(`SELECT transaction_id, outcome_json FROM matches WHERE transaction_id IN (${chunk.map(() => '?').join(',')}) AND outcome_json IS NOT NULL`)
      .raw()
      .all(...chunk) as Array<[number, string]>;
    for (const [id, json] of rows) out.set(Number(id), json);
  }
  return out;
}

/** Ids `offset` to `offset + limit` of a view's rows in `orderBy` (viewSql() in grid-view.ts). */
export function viewPage(db: ReadDb, rows: SelectionSql & { orderBy: string }, offset: number, limit: number): number[] {
  const ids = db.prepare(`SELECT t.transaction_id ${rows.from} WHERE ${rows.where} ORDER BY ${rows.orderBy} LIMIT ? OFFSET ?`).raw().all(...rows.params, limit, offset) as Array<[number]>;
  return ids.map(([id]) => Number(id));
}

/** These transactions (the existing ones) in the grid's default order: newest first, the id breaking ties. */
export function newestFirst(db: ReadDb, transactionIds: readonly number[]): number[] {
  const rows: Array<{ id: number; createdAt: string }> = [];
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    const found = db.prepare(`SELECT transaction_id, created_at FROM paytrace_transactions WHERE transaction_id IN (${chunk.map(() => '?').join(',')})`).raw().all(...chunk) as Array<[number, string]>;
    for (const [id, createdAt] of found) rows.push({ id: Number(id), createdAt });
  }
  return rows.sort((a, b) => (a.createdAt === b.createdAt ? b.id - a.id : a.createdAt < b.createdAt ? 1 : -1)).map((r) => r.id);
}
