import type { ApprovalPreview, SecondLookReason, SecondLookRow, SkipKind } from '@shared/api/approval';
import { SECOND_LOOK_SHOWN, SKIP_KIND_LABELS, SKIP_KINDS } from '@shared/api/approval';
import type { MatchOutcome } from '@shared/domain';
import type { RowSelection } from '@shared/grid-view';
import type { RowStatus } from '@shared/domain';
import { cents, formatMoney } from '@shared/money';
import type { ReadDb } from '../store/db';
import { hasPayerHistory, secondLookCandidates, skipTally, type SecondLookCandidate, type SelectionSql, type SkipTally } from '../store/queries/approval-preview';
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

type Facts = Readonly<{ row: SecondLookCandidate; outcome: () => MatchOutcome | null }>;
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

/** The selection as SQL pieces: a view as one statement (its exceptions read apart), explicit ids in IN lists of at most 500. */
function selectionParts(selection: RowSelection, zone: string): { include: SelectionSql[]; exclude: SelectionSql[]; excluded: ReadonlySet<number>; orderBy: string | null } {
  if (selection.kind === 'ids') {
    const ids = [...new Set(selection.ids)];
    const { from } = viewSql({ tab: 'all', search: '', filters: [], sort: [] }, zone);
    return { include: chunked(ids).map((chunk) => ({ from, where: inList(chunk), params: chunk })), exclude: [], excluded: new Set(), orderBy: null };
  }
  const v = viewSql(selection.view, zone);
  const except = [...new Set(selection.exceptIds)];
  return {
    include: [{ from: v.from, where: v.where, params: v.params }],
    exclude: chunked(except).map((chunk) => ({ from: v.from, where: `(${v.where}) AND ${inList(chunk)}`, params: [...v.params, ...chunk] })),
    excluded: new Set(except),
    orderBy: v.orderBy,
  };
}

export function approvalPreview(db: ReadDb, selection: RowSelection, zone: string, undoWindowSeconds: number): ApprovalPreview {
  const parts = selectionParts(selection, zone);
  const tally = new Map<string, SkipTally>();
  const add = (t: SkipTally, sign: 1 | -1) => {
    const key = `${t.kind}|${t.currency}`;
    const was = tally.get(key);
    tally.set(key, { ...t, count: (was?.count ?? 0) + sign * t.count, cents: (was?.cents ?? 0) + sign * t.cents });
  };
  for (const rows of parts.include) for (const t of skipTally(db, rows)) add(t, 1);
  for (const rows of parts.exclude) for (const t of skipTally(db, rows)) add(t, -1);

  let selected = 0;
  let approvable = 0;
  const totals = new Map<string, number>();
  const skipped = new Map<SkipKind, number>();
  for (const t of tally.values()) {
    selected += t.count;
    if (t.kind === 'approve') {
      approvable += t.count;
      if (t.count > 0) totals.set(t.currency, (totals.get(t.currency) ?? 0) + t.cents);
    } else if (t.count > 0) skipped.set(t.kind as SkipKind, (skipped.get(t.kind as SkipKind) ?? 0) + t.count);
  }

  const firstTime = hasPayerHistory(db);
  let candidates = parts.include.flatMap((rows) => secondLookCandidates(db, rows, firstTime, parts.orderBy));
  if (parts.excluded.size > 0) candidates = candidates.filter((c) => !parts.excluded.has(c.transactionId));
  // Explicit ids come in IN-list chunks: the grid's default order across them.
  if (parts.orderBy === null) candidates.sort((a, b) => (a.createdAt === b.createdAt ? b.transactionId - a.transactionId : a.createdAt < b.createdAt ? 1 : -1));

  const secondLook: SecondLookRow[] = [];
  let secondLookCount = 0;
  for (const row of candidates) {
    const listing = secondLook.length < SECOND_LOOK_SHOWN;
    // Past the listed rows only "any reason?" matters: a reason SQL already saw spares parsing the outcome.
    if (!listing && (row.differenceCents !== 0 || row.firstTimePayer)) {
      secondLookCount += 1;
      continue;
    }
    const facts: Facts = { row, outcome: lazyOutcome(row.outcomeJson) };
    const reasons = SECOND_LOOK.map((check) => check(facts)).filter((r): r is SecondLookReason => r !== null);
    if (reasons.length === 0) continue;
    secondLookCount += 1;
    if (listing) {
      secondLook.push({ transactionId: row.transactionId, payer: row.payer, amountCents: cents(row.amountCents), currency: row.currency, status: row.status as RowStatus, reasons });
    }
  }
  return {
    selected,
    approvable,
    totals: [...totals].map(([currency, cents]) => ({ currency, cents })).sort((a, b) => a.currency.localeCompare(b.currency)),
    skipped: SKIP_KINDS.filter((k) => skipped.has(k)).map((kind) => ({ kind, label: SKIP_KIND_LABELS[kind], count: skipped.get(kind)! })),
    secondLook,
    secondLookCount,
    undoWindowSeconds,
  };
}
