import type { GridRow } from '@shared/domain';
import { formatAmount } from '../format';

// The Difference column tells one story with the ERP balance beside it.
// Before posting, the balance is the invoices' open balance in the ERP and the
// difference is payment minus that balance: non-zero needs the clerk's eye, so
// it is red. Once posted, the ERP balance already includes this payment (it is
// what the invoices still owe now, often $0.00), so payment minus balance would
// be meaningless; the difference shown is the one recorded when the row was
// approved (the part of the payment not applied to its invoices), in neutral
// type with a tooltip saying so: it is history, not something to fix.

/** A difference that still needs attention (red): any non-zero difference on a row not yet posted. */
export function differenceNeedsAttention(row: Pick<GridRow, 'status' | 'differenceCents'> | undefined): boolean {
  return !!row && row.status !== 'posted' && typeof row.differenceCents === 'number' && row.differenceCents !== 0;
}

/** A posted row's difference: the one at approval, shown neutral. */
export function differenceIsHistorical(row: Pick<GridRow, 'status' | 'differenceCents'> | undefined): boolean {
  return !!row && row.status === 'posted' && row.differenceCents !== null;
}

export function differenceTooltip(row: Pick<GridRow, 'status' | 'differenceCents' | 'currency'> | undefined): string {
  if (!row || row.differenceCents === null) return '';
  if (row.status === 'posted') {
    const amount = formatAmount(row.differenceCents, row.currency);
    return row.differenceCents === 0
      ? 'Difference when approved: none; the payment was applied in full. The ERP balance is what the invoices owe now, after posting.'
      : `Difference when approved: ${amount} of the payment was not applied to its invoices. The ERP balance is what the invoices owe now, after posting.`;
  }
  return 'Payment amount minus the ERP open balance of the matched invoice(s)';
}
