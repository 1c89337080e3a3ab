import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { centsToDecimalString } from '@shared/money';
import { formatAmount, formatDateTimeInZone, formatScore, groupedDecimal } from '../format';
import { differenceIsHistorical, differenceNeedsAttention, differenceTooltip } from './difference-cell';
import { StatusPillRenderer, statusLabel } from './status-pill';
import { ReasonRenderer, reasonText } from './reason-cell';
import { PresenceCellRenderer, presenceFilterText } from '../features/team/presence-cell';

// Column definitions. Formatting happens in valueFormatter (only visible cells
// are formatted); quick-filter text includes both "1234.50" and "$1,234.50" so
// clerks can search amounts the way they type them.

function moneyText(cents: number | null): string {
  if (cents === null) return '';
  return `${centsToDecimalString(cents)} ${groupedDecimal(cents)}`;
}

const money = (pick: (r: GridRow) => number | null): Partial<ColDef<GridRow>> => ({
  type: 'rightAligned',
  cellClass: 'num',
  valueFormatter: (p: ValueFormatterParams<GridRow>) => (p.data ? formatAmount(pick(p.data), p.data.currency) : ''),
  getQuickFilterText: (p) => moneyText(pick(p.data)),
  comparator: (a: number | null, b: number | null) => (a ?? Number.NEGATIVE_INFINITY) - (b ?? Number.NEGATIVE_INFINITY),
});

export function buildColumns(merchantZone: string): ColDef<GridRow>[] {
  return [
    {
      colId: 'createdAt',
      field: 'createdAt',
      headerName: 'Date',
      headerTooltip: `Date and time of the payment in the merchant's zone (${merchantZone})`,
      // Wide enough for the longest value ("12/31/2026 12:59 PM") so the time is never cut off.
      width: 184,
      minWidth: 184,
      sort: 'desc',
      cellClass: 'num',
      valueFormatter: (p) => formatDateTimeInZone(p.value as string, merchantZone),
      getQuickFilterText: (p) => formatDateTimeInZone(p.value as string, merchantZone),
    },
    { colId: 'transactionId', field: 'transactionId', headerName: 'Transaction', width: 100, cellClass: 'num' },
    { colId: 'payer', field: 'payer', headerName: 'Payer', flex: 1.2, minWidth: 170, tooltipField: 'payer' },
    { colId: 'reference', field: 'reference', headerName: 'Reference (as sent)', width: 140, cellClass: 'mono', tooltipField: 'reference' },
    { colId: 'amount', field: 'amountCents', headerName: 'Amount', width: 104, ...money((r) => r.amountCents) },
    {
      colId: 'matchedInvoices',
      headerName: 'Matched invoice(s)',
      width: 140,
      cellClass: 'mono',
      valueGetter: (p) => (p.data ? p.data.matchedInvoices.join(', ') : ''),
    },
    { colId: 'openBalance', field: 'openBalanceCents', headerName: 'ERP balance', headerTooltip: 'ERP open balance of the matched invoice(s); on a posted row, what they owe after this payment', width: 110, ...money((r) => r.openBalanceCents) },
    {
      colId: 'difference',
      field: 'differenceCents',
      headerName: 'Difference',
      headerTooltip: 'Payment minus the ERP balance; on a posted row, the difference when it was approved',
      width: 100,
      ...money((r) => r.differenceCents),
      // Posted rows: the difference at approval, neutral (see difference-cell.ts and docs/ui.md).
      cellClassRules: {
        'diff-nonzero': (p) => differenceNeedsAttention(p.data),
        'diff-posted': (p) => differenceIsHistorical(p.data),
      },
      tooltipValueGetter: (p) => differenceTooltip(p.data),
    },
    {
      colId: 'status',
      field: 'status',
      headerName: 'Status',
      width: 106,
      cellRenderer: StatusPillRenderer,
      getQuickFilterText: (p) => statusLabel(p.data.status),
    },
    {
      // Who else has the payment open (team mode); empty on a single-user store.
      colId: 'presence',
      headerName: 'Open by',
      headerTooltip: 'Someone else on the team has this payment open',
      width: 84,
      sortable: false,
      cellRenderer: PresenceCellRenderer,
      getQuickFilterText: (p) => presenceFilterText(p.data),
    },
    {
      colId: 'score',
      field: 'score',
      headerName: 'Score',
      width: 62,
      type: 'rightAligned',
      cellClass: 'num',
      valueFormatter: (p) => (typeof p.value === 'number' ? formatScore(p.value) : ''),
      getQuickFilterText: () => '',
    },
    {
      colId: 'reason',
      field: 'reason',
      headerName: 'Reason',
      flex: 1.3,
      minWidth: 180,
      cellRenderer: ReasonRenderer,
      tooltipValueGetter: (p) => (p.data ? reasonText(p.data) : ''),
      getQuickFilterText: (p) => reasonText(p.data),
    },
  ];
}
