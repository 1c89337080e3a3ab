import { DateTime } from 'luxon';
import type { GridRow } from '@shared/domain';
import type { GridView, RowSelection, SelectionSummary, SortSpec, ViewCounts } from '@shared/grid-view';
import { isRowStatus, parseAmountText, parseSearch, type SearchTerm } from '@shared/search-query';
import type { ReadDb } from '../db';
import { isWorkspace } from '../statements';
import { gridRows } from './matches';

// The work queue in windows: the tab, search, filters and sort of a view
// become one SQL statement, so the engine answers "rows 200–299 of this view"
// and "how many per tab" without building every row. The row status is the
// same decision as rowStatus() in matches.ts, written as SQL.

export class SearchNotUnderstood extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`The search was not understood: ${problems.join('; ')}`);
    this.name = 'SearchNotUnderstood';
    this.problems = problems;
  }
}

export const STATUS_SQL = `CASE
  WHEN m.review_state = 'posted' THEN 'posted'
  WHEN m.review_state = 'failed' OR o.state = 'dead' THEN 'failed'
  WHEN o.state = 'conflict' THEN 'conflict'
  WHEN m.review_state = 'approved' THEN 'approved'
  WHEN m.match_status = 'auto' THEN 'auto'
  WHEN m.match_status = 'suggested' THEN 'review'
  ELSE 'exception' END`;

const REFERENCE_SQL = "COALESCE(NULLIF(t.invoice_id, ''), NULLIF(t.customer_reference_id, ''), t.description)";
const AWAITING_SQL = "EXISTS (SELECT 1 FROM control_requests c WHERE c.transaction_id = t.transaction_id AND c.state = 'requested')";

const FROM = `FROM paytrace_transactions t
  LEFT JOIN matches m ON m.transaction_id = t.transaction_id
  LEFT JOIN outbox o ON o.idempotency_key = CAST(t.transaction_id AS TEXT) AND o.kind = 'receipt'`;

const SORT_SQL: Readonly<Record<SortSpec['key'], string>> = {
  createdAt: 't.created_at',
  transactionId: 't.transaction_id',
  payer: 'LOWER(t.billing_name)',
  reference: `LOWER(${REFERENCE_SQL})`,
  amount: 't.amount_cents',
  status: STATUS_SQL,
  score: 'COALESCE(m.score, 0)',
  owner: "LOWER(COALESCE(m.owner, ''))",
};

type Where = { sql: string; params: unknown[] };

/** `%`, `_` and the escape character itself taken literally in a LIKE pattern. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const LIKE = "LIKE ? ESCAPE '\\'";

/** A merchant-zone calendar day → the UTC instant it starts at, as stored (ISO-8601 with Z). */
function dayStartUtc(day: string, zone: string): string {
  return DateTime.fromISO(day, { zone }).startOf('day').toUTC().toISO({ suppressMilliseconds: false })!;
}

function termSql(term: SearchTerm, zone: string): Where {
  switch (term.field) {
    case 'amount': {
      const parts: string[] = [];
      const params: unknown[] = [];
      if (term.minCents !== undefined) {
        parts.push('t.amount_cents >= ?');
        params.push(term.minCents);
      }
      if (term.maxCents !== undefined) {
        parts.push('t.amount_cents <= ?');
        params.push(term.maxCents);
      }
      return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
    }
    case 'date': {
      const parts: string[] = [];
      const params: unknown[] = [];
      if (term.from) {
        parts.push('t.created_at >= ?');
        params.push(dayStartUtc(term.from, zone));
      }
      if (term.to) {
        parts.push('t.created_at < ?');
        params.push(dayStartUtc(DateTime.fromISO(term.to).plus({ days: 1 }).toISODate()!, zone));
      }
      return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
    }
    case 'status': {
      const statuses = term.values.filter(isRowStatus);
      const parts: string[] = [];
      if (statuses.length > 0) parts.push(`${STATUS_SQL} IN (${statuses.map(() => '?').join(',')})`);
      if (term.values.includes('awaiting')) parts.push(AWAITING_SQL);
      return { sql: `(${parts.join(' OR ')})`, params: statuses };
    }
    case 'method':
      return { sql: 't.method = ?', params: [term.value] };
    case 'type':
      return { sql: 'UPPER(t.type) = ?', params: [term.value.toUpperCase()] };
    case 'id':
      return { sql: 't.transaction_id = ?', params: [term.value] };
    case 'payer':
      return { sql: `t.billing_name ${LIKE}`, params: [likeContains(term.text)] };
    case 'customer': {
      const p = likeContains(term.text);
      return {
        sql: `(m.customer_id ${LIKE} OR t.customer_id ${LIKE} OR t.billing_name ${LIKE}
          OR EXISTS (SELECT 1 FROM customers cu WHERE cu.customer_id = m.customer_id AND cu.name ${LIKE}))`,
        params: [p, p, p, p],
      };
    }
    case 'ref': {
      const p = likeContains(term.text);
      return { sql: `(t.invoice_id ${LIKE} OR t.customer_reference_id ${LIKE} OR t.description ${LIKE})`, params: [p, p, p] };
    }
    case 'invoice':
      return { sql: invoiceSql(), params: invoiceParams(term.text) };
    case 'owner':
      return { sql: `m.owner ${LIKE}`, params: [likeContains(term.text)] };
    case 'note':
      return { sql: `m.note ${LIKE}`, params: [likeContains(term.text)] };
    case 'text':
      return freeTextSql(term.text);
  }
}

// Decided rows keep their invoices in `allocations`; undecided ones in the match's JSON.
function invoiceSql(): string {
  return `(EXISTS (SELECT 1 FROM allocations a WHERE a.transaction_id = t.transaction_id AND a.invoice_no ${LIKE})
    OR (m.review_state = 'pending' AND m.allocations_json ${LIKE}))`;
}
function invoiceParams(text: string): unknown[] {
  return [likeContains(text), `%"invoiceNo":"${likeContains(text).slice(1)}`];
}

/** Plain words: what a clerk sees on the row (payer, reference, ids, invoices, note, reason, owner, an amount typed as such). */
function freeTextSql(text: string): Where {
  const p = likeContains(text);
  const parts = [
    `t.billing_name ${LIKE}`,
    `${REFERENCE_SQL} ${LIKE}`,
    `CAST(t.transaction_id AS TEXT) ${LIKE}`,
    `m.customer_id ${LIKE}`,
    `m.note ${LIKE}`,
    `m.reason ${LIKE}`,
    `m.owner ${LIKE}`,
  ];
  const params: unknown[] = [p, p, p, p, p, p, p];
  parts.push(invoiceSql());
  params.push(...invoiceParams(text));
  const amount = parseAmountText(text);
  if (amount !== null && /[.,$]/.test(text)) {
        parts.push('t.amount_cents = ?');
        params.push(amount);
      }
  if (/^awaiting/i.test(text)) parts.push(AWAITING_SQL);
  return { sql: `(${parts.join(' OR ')})`, params };
}

/** The view's conditions without its tab (the tab counts share them). */
export function viewConditions(view: GridView, zone: string): Where {
  const parsed = parseSearch(view.search);
  if (parsed.problems.length > 0) throw new SearchNotUnderstood(parsed.problems);
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const term of [...parsed.terms, ...view.filters]) {
    const w = termSql(term, zone);
    parts.push(w.sql);
    params.push(...w.params);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
}

function withTab(view: GridView, zone: string): Where {
  const w = viewConditions(view, zone);
  if (view.tab === 'all') return w;
  return { sql: `${w.sql} AND ${STATUS_SQL} = ?`, params: [...w.params, view.tab] };
}

/** A view's rows as SQL pieces (tab included): `SELECT ... ${from} WHERE ${where}` with `params`; `t` and `m` are the transaction and its match. */
export function viewSql(view: GridView, zone: string): { from: string; where: string; params: unknown[]; orderBy: string } {
  const w = withTab(view, zone);
  return { from: FROM, where: w.sql, params: w.params, orderBy: orderBy(view.sort) };
}

function orderBy(sort: readonly SortSpec[]): string {
  const keys = sort.map((s) => `${SORT_SQL[s.key]} ${s.dir === 'asc' ? 'ASC' : 'DESC'}`);
  // Newest first, and the id breaks ties so windows never overlap or skip a row.
  if (!sort.some((s) => s.key === 'createdAt')) keys.push('t.created_at DESC');
  keys.push('t.transaction_id DESC');
  return keys.join(', ');
}

export type GridWindow = Readonly<{ rows: readonly GridRow[]; total: number }>;

/** Rows `offset` to `offset + limit` of the view, in its order, and how many rows the view has. */
export function gridWindow(db: ReadDb, view: GridView, zone: string, offset: number, limit: number): GridWindow {
  const w = withTab(view, zone);
  // The tab's count from the view's counts: one GROUP BY per search and filters (cached), not a COUNT per window.
  const total = viewCounts(db, view, zone)[view.tab];
  // An empty tab (Conflicts, Failed on most days) or a window past the end: no need to walk every row to find nothing.
  if (offset >= total) return { rows: [], total };
  const ids = (db.prepare(`SELECT t.transaction_id ${FROM} WHERE ${w.sql} ORDER BY ${orderBy(view.sort)} LIMIT ? OFFSET ?`).pluck().all(...w.params, limit, offset) as number[]);
  const byId = new Map(gridRows(db, ids).map((r) => [r.transactionId, r]));
  return { rows: ids.map((id) => byId.get(id)).filter((r): r is GridRow => r !== undefined), total };
}

// Counting a view's rows per tab reads every row it holds (the status is
// decided per row from the match and the outbox): ~100 ms at 100,000 rows. A
// clerk scrolling, sorting or switching tabs does not change the counts, so
// they are kept per statement until the rows change: triggers on every table
// a view reads bump grid_data_version (migration 0019), whichever connection
// writes. A PostgreSQL workspace (other workstations write, no triggers) counts every time.
type CountsEntry = { key: string; version: number; counts: ViewCounts };
const COUNTS_KEPT = 16;
const countsCache = new WeakMap<ReadDb, CountsEntry[]>();

function storeVersion(db: ReadDb): number | null {
  if (isWorkspace(db)) return null;
  return db.prepare('SELECT n FROM grid_data_version WHERE id = 1').pluck().get() as number;
}

function countView(db: ReadDb, w: Where): ViewCounts {
  const counts = { auto: 0, review: 0, exception: 0, approved: 0, conflict: 0, posted: 0, failed: 0, all: 0 };
  const rows = db.prepare(`SELECT ${STATUS_SQL} AS status, COUNT(*) AS n ${FROM} WHERE ${w.sql} GROUP BY 1`).raw().all(...w.params) as Array<[keyof typeof counts, number]>;
  for (const [status, n] of rows) {
    counts[status] += n;
    counts.all += n;
  }
  return counts;
}

export function viewCounts(db: ReadDb, view: GridView, zone: string): ViewCounts {
  const w = viewConditions(view, zone);
  const version = storeVersion(db);
  if (version === null) return countView(db, w);
  const key = JSON.stringify([w.sql, w.params]);
  const kept = countsCache.get(db) ?? [];
  const hit = kept.find((e) => e.key === key && e.version === version);
  if (hit) return hit.counts;
  const counts = countView(db, w);
  countsCache.set(db, [{ key, version, counts }, ...kept.filter((e) => e.key !== key && e.version === version)].slice(0, COUNTS_KEPT));
  return counts;
}

/** The transaction ids a selection stands for, in the view's order (ids: as given, those that exist). */
export function selectionIds(db: ReadDb, selection: RowSelection, zone: string): number[] {
  if (selection.kind === 'ids') return [...new Set(selection.ids)];
  const w = withTab(selection.view, zone);
  const ids = db.prepare(`SELECT t.transaction_id ${FROM} WHERE ${w.sql} ORDER BY ${orderBy(selection.view.sort)}`).pluck().all(...w.params) as number[];
  if (selection.exceptIds.length === 0) return ids;
  const except = new Set(selection.exceptIds);
  return ids.filter((id) => !except.has(id));
}

/** How many rows a selection holds and what they add up to, per currency (the "running total" of a selection). */
export function selectionSummary(db: ReadDb, selection: RowSelection, zone: string): SelectionSummary {
  const byCurrency = new Map<string, { n: number; cents: number }>();
  const add = (rows: Array<[string, number, number]>, sign: 1 | -1) => {
    for (const [currency, n, sum] of rows) {
      const was = byCurrency.get(currency) ?? { n: 0, cents: 0 };
      byCurrency.set(currency, { n: was.n + sign * Number(n), cents: was.cents + sign * Number(sum) });
    }
  };
  const inChunks = (ids: readonly number[], where: Where, sign: 1 | -1) => {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = db
        .prepare(`SELECT t.currency, COUNT(*), SUM(t.amount_cents) ${FROM} WHERE ${where.sql} AND t.transaction_id IN (${chunk.map(() => '?').join(',')}) GROUP BY t.currency`)
        .raw()
        .all(...where.params, ...chunk) as Array<[string, number, number]>;
      add(rows, sign);
    }
  };
  if (selection.kind === 'ids') inChunks([...new Set(selection.ids)], { sql: '1 = 1', params: [] }, 1);
  else {
    // The whole view summed by SQL, less the unticked rows that are in it.
    const w = withTab(selection.view, zone);
    add(db.prepare(`SELECT t.currency, COUNT(*), SUM(t.amount_cents) ${FROM} WHERE ${w.sql} GROUP BY t.currency`).raw().all(...w.params) as Array<[string, number, number]>, 1);
    inChunks([...new Set(selection.exceptIds)], w, -1);
  }
  const held = [...byCurrency].filter(([, c]) => c.n > 0);
  return {
    count: held.reduce((sum, [, c]) => sum + c.n, 0),
    totals: held.map(([currency, c]) => ({ currency, cents: c.cents })).sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}
