import type { ApprovalPreview, SecondLookReason, SecondLookRow, SkipKind } from '../../../shared/api/approval';
import { SECOND_LOOK_SHOWN, SKIP_KIND_LABELS, SKIP_KINDS } from '../../../shared/api/approval';
import type { GridRow, MatchOutcome } from '../../../shared/domain';
import type { RowSelection } from '../../../shared/grid-view';
import { formatMoney } from '../../../shared/money';
import { actionsFor, rowKind } from '../../../shared/row-actions';
import type { ReadDb } from '../../../electron/core/store/db';
import { knownPayers, outcomesMentioning } from '../../../electron/core/store/queries/approval-preview';
import { selectionIds } from '../../../electron/core/store/queries/grid-view';
import { gridRows } from '../../../electron/core/store/queries/matches';

// The straightforward approval preview (the engine's first version, before
// issue 15's 100k work): every selected row built as a grid row and every
// check run in JS. The oracle the SQL preview (electron/core/approval/preview.ts)
// is compared to (test/integration/approval-preview.test.ts) and the baseline
// of scripts/bench-preview.ts. Its second-look list is in the grid's order for
// the selection (the view's order, or newest first for explicit ids).

type Facts = Readonly<{ row: GridRow; known: ReturnType<typeof knownPayers>; outcomeJson: string | undefined }>;
type Check = (f: Facts) => SecondLookReason | null;

const LEARNED = 'customer_learned';
const TYPO = 'reference_typo';

/** The candidate the match stands on: the one whose customer and allocations it took. */
function chosenSignals(json: string): readonly string[] {
  const outcome = JSON.parse(json) as MatchOutcome;
  const key = (c: { customerId: string | null; allocations: MatchOutcome['allocations'] }) => `${c.customerId}|${c.allocations.map((a) => `${a.invoiceNo}:${a.amountCents}`).join(',')}`;
  const want = key(outcome);
  const chosen = outcome.candidates.find((c) => key(c) === want) ?? outcome.candidates[0];
  return chosen?.signals.map((s) => s.signal) ?? [];
}

const SECOND_LOOK: readonly Check[] = [
  ({ row }) =>
    row.differenceCents !== null && row.differenceCents !== 0
      ? { code: 'difference', text: `${row.differenceCents > 0 ? 'Pays' : 'Short by'} ${formatMoney(Math.abs(row.differenceCents), row.currency)} ${row.differenceCents > 0 ? 'more than' : 'of'} the invoices' open balance` }
      : null,
  ({ row }) =>
    row.refundedBy && row.refundedBy.length > 0
      ? { code: 'refunded', text: `PayTrace refunded or voided this sale (${row.refundedBy.map((id) => `#${id}`).join(', ')})` }
      : null,
  ({ outcomeJson }) => (outcomeJson && chosenSignals(outcomeJson).includes(LEARNED) ? { code: 'learned_payer', text: 'The payer was recognised from an earlier confirmation, not from the invoice' } : null),
  ({ outcomeJson }) => (outcomeJson && chosenSignals(outcomeJson).includes(TYPO) ? { code: 'reference_typo', text: 'The reference is one character off the invoice number' } : null),
  // Only against a history: on a store with no approved payment yet, every payer is new and the flag would say nothing.
  ({ row, known }) =>
    (known.customers.size > 0 || known.names.size > 0) &&
    (row.customerId === null || !known.customers.has(row.customerId)) && !known.names.has(row.payer.trim().toLowerCase())
      ? { code: 'first_time_payer', text: `First payment from ${row.payer || 'this payer'}: none approved before` }
      : null,
];

function skipKind(row: GridRow): SkipKind | null {
  if (rowKind(row) !== 'sale') return 'not_a_sale';
  if (row.status === 'exception' || row.matchedInvoices.length === 0 || row.customerId === null) return 'exception';
  if (!actionsFor(row).approve) return 'decided';
  return null;
}

export function approvalPreviewOracle(db: ReadDb, selection: RowSelection, zone: string, undoWindowSeconds: number): ApprovalPreview {
  const ids = selectionIds(db, selection, zone);
  const byId = new Map(gridRows(db, ids).map((r) => [r.transactionId, r]));
  const rows = selection.kind === 'view'
    ? ids.map((id) => byId.get(id)).filter((r): r is GridRow => r !== undefined)
    : [...byId.values()].sort((a, b) => (a.createdAt === b.createdAt ? b.transactionId - a.transactionId : a.createdAt < b.createdAt ? 1 : -1));
  const skipped = new Map<SkipKind, number>();
  const approvable: GridRow[] = [];
  for (const row of rows) {
    const kind = skipKind(row);
    if (kind) skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
    else approvable.push(row);
  }
  const totals = new Map<string, number>();
  for (const r of approvable) totals.set(r.currency, (totals.get(r.currency) ?? 0) + r.amountCents);

  const known = knownPayers(db);
  const outcomes = outcomesMentioning(
    db,
    approvable.map((r) => r.transactionId),
    [LEARNED, TYPO],
  );
  const secondLook: SecondLookRow[] = [];
  let secondLookCount = 0;
  for (const row of approvable) {
    const facts: Facts = { row, known, outcomeJson: outcomes.get(row.transactionId) };
    const reasons = SECOND_LOOK.map((check) => check(facts)).filter((r): r is SecondLookReason => r !== null);
    if (reasons.length === 0) continue;
    secondLookCount += 1;
    if (secondLook.length < SECOND_LOOK_SHOWN) {
      secondLook.push({ transactionId: row.transactionId, payer: row.payer, amountCents: row.amountCents, currency: row.currency, status: row.status, reasons });
    }
  }
  return {
    selected: rows.length,
    approvable: approvable.length,
    totals: [...totals].map(([currency, cents]) => ({ currency, cents })).sort((a, b) => a.currency.localeCompare(b.currency)),
    skipped: SKIP_KINDS.filter((k) => skipped.has(k)).map((kind) => ({ kind, label: SKIP_KIND_LABELS[kind], count: skipped.get(kind)! })),
    secondLook,
    secondLookCount,
    undoWindowSeconds,
  };
}
