import { EXCEPTION_LABELS as ENGINE_EXCEPTION_LABELS, type ExceptionCode, type GridRow, type MatchMarker } from '@shared/domain';
import { formatAmount } from './format';

// Words for the engine's codes, in one place: every exception code needs a
// label here (the Record type makes a new code a type error until it has one).

export const EXCEPTION_LABELS: Record<ExceptionCode, string> = {
  ...ENGINE_EXCEPTION_LABELS,
  // Longer where the grid has room to say more than the reason's opening words.
  not_approved: 'Not approved by PayTrace',
  refunded: 'Refunded or voided in full',
  manual: 'Manual',
};

export function exceptionLabel(code: ExceptionCode | string): string {
  return (EXCEPTION_LABELS as Record<string, string>)[code] ?? code.replace(/[_:.-]+/g, ' ');
}

export const MARKER_LABELS: Record<MatchMarker, string> = {
  short_pay: 'Short pay',
  discount: 'Discount',
  credit_applied: 'Net of credit',
  refund_netted: 'Refund netted',
  no_reference: 'No reference',
};

/** What the marker means, for tooltips and screen readers. */
export const MARKER_HINTS: Record<MatchMarker, string> = {
  short_pay: 'Paid less than the invoice: the rest stays open',
  discount: 'An early-payment discount taken within terms',
  credit_applied: 'Paid net of an open credit (credit memo) applied to the invoice',
  refund_netted: 'A PayTrace refund of this sale is netted into the receipt',
  no_reference: 'The payer sent no reference: the amount and payer decided',
};

export type Chip = Readonly<{ kind: MatchMarker | 'refund_of' | 'refunded_by' | 'refund_unlinked'; text: string; hint: string }>;

/** The small chips shown beside the reason: how the payment was applied, and which sale a refund belongs to. */
export function rowChips(row: Pick<GridRow, 'markers' | 'remainingCents' | 'refundOf' | 'refundedBy' | 'currency' | 'type'>): Chip[] {
  const chips: Chip[] = [];
  if (row.refundedBy && row.refundedBy.length > 0) {
    const ids = row.refundedBy.join(', ');
    chips.push({ kind: 'refunded_by', text: `Refunded by ${ids}`, hint: `PayTrace took money back from this sale (transaction ${ids}): never automatic` });
  }
  const what = row.type.trim().toUpperCase() === 'VOID' ? 'Void' : 'Refund';
  if (typeof row.refundOf === 'number') chips.push({ kind: 'refund_of', text: `${what} of ${row.refundOf}`, hint: `This ${what.toLowerCase()} belongs to sale ${row.refundOf}` });
  else if (row.refundOf === null) chips.push({ kind: 'refund_unlinked', text: `${what}: sale not found`, hint: 'No synced sale matches its invoice, customer and card: link it by hand' });
  for (const m of row.markers ?? []) {
    const text = m === 'short_pay' && typeof row.remainingCents === 'number' && row.remainingCents > 0 ? `Short pay · ${formatAmount(row.remainingCents, row.currency)} open` : MARKER_LABELS[m];
    chips.push({ kind: m, text, hint: MARKER_HINTS[m] });
  }
  return chips;
}
