import type { ApprovalPreview, SecondLookReason, SecondLookRow, SkipKind } from '@shared/api/approval';
import { SECOND_LOOK_SHOWN, SKIP_KIND_LABELS, SKIP_KINDS } from '@shared/api/approval';
import type { MatchOutcome } from '@shared/domain';
import type { RowSelection } from '@shared/grid-view';
import type { RowStatus } from '@shared/domain';
import { cents, formatMoney } from '@shared/money';
import type { ReadDb } from '../store/db';
import { hasPayerHistory, newestFirst, outcomeJsons, previewRowFacts, previewTally, viewPage, type PreviewRowFacts, type SelectionSql } from '../store/queries/approval-preview';
import { viewSql } from '../store/queries/grid-view';

// What approving a selection would do, read before anything is decided: the
// count and total the clerk confirms, what the approval leaves alone and the
// rows that deserve a second look. At 100,000 rows no grid row is built: the
// counts and totals are SQL aggregates over the selection, SQL picks the
// second-look candidates (a difference, a first-time payer, an outcome that
// mentions a refund, a learned payer or a typo) and only those are read here.
// Each check below adds {code, text} reasons; a new check (issue 18's anomaly
// flags) is one more function in SECOND_LOOK (and, if SQL cannot see it, one
// more mention in OUTCOME_MENTIONS).

type Facts = Readonly<{ row: Pick<PreviewRowFacts, 'differenceCents' | 'currency' | 'firstTimePayer' | 'payer'>; outcome: () => MatchOutcome | null }>;
type Check = (f: Facts) => SecondLookReason | null;

const LEARNED = 'customer_learned';
const TYPO = 'reference_typo';

/** The candidate the match stands on: the one whose customer and allocations it took. */
function chosenSignals(outcome: MatchOutcome): readonly string[] {
  const key = (c: { customerId: string | null; allocations: MatchOutcome['allocations'] }) => `${c.customerId}|${c.allocations.map((a) => `${a.invoiceNo}:${a.amountCents}`).join(',')}`;
  const want = key(outcome);
  const chosen = outcome.candidates.find((c) => key(c) === want) ?? outcome.candidates[0];
  return chosen?.signals.map((s) => s.signal) ?? [];
}

const SECOND_LOOK: readonly Check[] = [
  ({ row }) =>
    row.differenceCents !== 0
      ? {
          code: 'difference',
          text: `${row.differenceCents > 0 ? 'Pays' : 'Short by'} ${formatMoney(Math.abs(row.differenceCents), row.currency)} ${row.differenceCents > 0 ? 'more than' : 'of'} the invoices' open balance`,
        }
      : null,
  ({ outcome }) => {
    const refundedBy = outcome()?.refundedBy;
    return refundedBy && refundedBy.length > 0 ? { code: 'refunded', text: `PayTrace refunded or voided this sale (${refundedBy.map((id) => `#${id}`).join(', ')})` } : null;
  },
  ({ outcome }) => (outcome() && chosenSignals(outcome()!).includes(LEARNED) ? { code: 'learned_payer', text: 'The payer was recognised from an earlier confirmation, not from the invoice' } : null),
  ({ outcome }) => (outcome() && chosenSignals(outcome()!).includes(TYPO) ? { code: 'reference_typo', text: 'The reference is one character off the invoice number' } : null),
  ({ row }) => (row.firstTimePayer ? { code: 'first_time_payer', text: `First payment from ${row.payer || 'this payer'}: none approved before` } : null),
];

/** The stored outcome, parsed once and only when a check asks for it. */
function lazyOutcome(json: string | null): () => MatchOutcome | null {
  let parsed: MatchOutcome | null | undefined;
  return () => {
    if (parsed === undefined) parsed = json === null ? null : (JSON.parse(json) as MatchOutcome);
    return parsed;
  };
}

const IN_CHUNK = 500;

function inList(ids: readonly number[]): string {
  return `t.transaction_id IN (${ids.map(() => '?').join(',')})`;
}

function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(items.slice(i, i + IN_CHUNK));
  return out;
}

type SelectionParts = Readonly<{
  include: readonly SelectionSql[];
  /** A view's unticked rows that it holds (counted by `include`, taken back). */
  exclude: readonly SelectionSql[];
  excluded: ReadonlySet<number>;
  /** Selected ids from `offset`, at most `limit`, in the grid's order for the selection. */
  page: (offset: number, limit: number) => number[];
}>;

/** The selection as SQL pieces: a view as one statement (its exceptions read apart), explicit ids in IN lists of at most 500. */
function selectionParts(db: ReadDb, selection: RowSelection, zone: string): SelectionParts {
  const v = viewSql(selection.kind === 'view' ? selection.view : { tab: 'all', search: '', filters: [], sort: [] }, zone);
  if (selection.kind === 'ids') {
    const ids = [...new Set(selection.ids)];
    let ordered: number[] | null = null;
    return {
      include: chunked(ids).map((chunk) => ({ from: v.from, where: inList(chunk), params: chunk })),
      exclude: [],
      excluded: new Set(),
      page: (offset, limit) => {
        // Explicit ids: the grid's default order (newest first), read once and only if a page is asked for.
        ordered ??= newestFirst(db, ids);
        return ordered.slice(offset, offset + limit);
      },
    };
  }
  const except = [...new Set(selection.exceptIds)];
  return {
    include: [{ from: v.from, where: v.where, params: v.params }],
    exclude: chunked(except).map((chunk) => ({ from: v.from, where: `(${v.where}) AND ${inList(chunk)}`, params: [...v.params, ...chunk] })),
    excluded: new Set(except),
    page: (offset, limit) => viewPage(db, v, offset, limit),
  };
}

function reasonsOf(row: Facts['row'], outcomeJson: string | null): SecondLookReason[] {
  const facts: Facts = { row, outcome: lazyOutcome(outcomeJson) };
  return SECOND_LOOK.map((check) => check(facts)).filter((r): r is SecondLookReason => r !== null);
}

/** The first SECOND_LOOK_SHOWN approvable rows with a reason, in the selection's order, read a page at a time. */
function listedSecondLook(db: ReadDb, parts: SelectionParts, firstTime: boolean): SecondLookRow[] {
  const listed: SecondLookRow[] = [];
  let offset = 0;
  for (let size = 200; listed.length < SECOND_LOOK_SHOWN; size *= 4) {
    const ids = parts.page(offset, size);
    offset += ids.length;
    const facts = new Map(previewRowFacts(db, ids.filter((id) => !parts.excluded.has(id)), firstTime).map((f) => [f.transactionId, f]));
    for (const id of ids) {
      const row = facts.get(id);
      if (!row || row.kind !== 'approve') continue;
      const reasons = reasonsOf(row, row.outcomeJson);
      if (reasons.length === 0) continue;
      listed.push({ transactionId: row.transactionId, payer: row.payer, amountCents: cents(row.amountCents), currency: row.currency, status: row.status as RowStatus, reasons });
      if (listed.length === SECOND_LOOK_SHOWN) break;
    }
    if (ids.length < size) break;
  }
  return listed;
}

export function approvalPreview(db: ReadDb, selection: RowSelection, zone: string, undoWindowSeconds: number): ApprovalPreview {
  const parts = selectionParts(db, selection, zone);
  const firstTime = hasPayerHistory(db);
  const groups = new Map<string, { count: number; cents: number }>();
  let flagged = 0;
  const outcomeOnly = new Set<number>();
  for (const [sign, list] of [[1, parts.include], [-1, parts.exclude]] as const) {
    for (const rows of list) {
      for (const t of previewTally(db, rows, firstTime)) {
        const key = `${t.kind}|${t.currency}`;
        const was = groups.get(key) ?? { count: 0, cents: 0 };
        groups.set(key, { count: was.count + sign * t.count, cents: was.cents + sign * t.cents });
        flagged += sign * t.flagged;
        if (t.outcomeOnlyId !== null) {
          if (sign > 0) outcomeOnly.add(t.outcomeOnlyId);
          else outcomeOnly.delete(t.outcomeOnlyId);
        }
      }
    }
  }

  let selected = 0;
  let approvable = 0;
  const totals = new Map<string, number>();
  const skipped = new Map<SkipKind, number>();
  for (const [key, g] of groups) {
    const [kind, currency] = key.split('|') as [string, string];
    selected += g.count;
    if (kind === 'approve') {
      approvable += g.count;
      if (g.count > 0) totals.set(currency, (totals.get(currency) ?? 0) + g.cents);
    } else if (g.count > 0) skipped.set(kind as SkipKind, (skipped.get(kind as SkipKind) ?? 0) + g.count);
  }

  // Rows SQL did not flag but whose outcome mentions a refund, a learned payer or a typo: their JSON decides.
  const noSqlReason = { differenceCents: 0, currency: '', firstTimePayer: false, payer: '' };
  let outcomeFlagged = 0;
  for (const json of outcomeJsons(db, [...outcomeOnly]).values()) if (reasonsOf(noSqlReason, json).length > 0) outcomeFlagged += 1;

  return {
    selected,
    approvable,
    totals: [...totals].map(([currency, cents]) => ({ currency, cents })).sort((a, b) => a.currency.localeCompare(b.currency)),
    skipped: SKIP_KINDS.filter((k) => skipped.has(k)).map((kind) => ({ kind, label: SKIP_KIND_LABELS[kind], count: skipped.get(kind)! })),
    secondLook: listedSecondLook(db, parts, firstTime),
    secondLookCount: flagged + outcomeFlagged,
    undoWindowSeconds,
  };
}
