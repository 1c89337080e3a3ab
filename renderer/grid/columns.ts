import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { formatAmount, formatDateTimeInZone, formatScore } from '../format';
import { differenceIsHistorical, differenceNeedsAttention, differenceTooltip } from './difference-cell';
import { StatusPillRenderer } from './status-pill';
import { ReasonRenderer, reasonText } from './reason-cell';
import { StatusFilter } from './StatusFilter';
import { PresenceCellRenderer } from '../features/team/presence-cell';

// Column definitions. Formatting happens in valueFormatter (only visible cells
// are formatted). Sorting and filtering run in the engine (grid:window): a
// column sorts only when SQL can order by it (SORT_KEYS), and its menu offers
// only the filters column-model.ts translates to the engine's search terms.
// The ERP balance and Difference are computed per row after the window is
// read, so they are not sortable.

const money = (pick: (r: GridRow) => number | null): Partial<ColDef<GridRow>> => ({
  type: 'rightAligned',
  cellClass: 'num',
  valueFormatter: (p: ValueFormatterParams<GridRow>) => (p.data ? formatAmount(pick(p.data), p.data.currency) : ''),
});

/** One condition per column: AND/OR combinations are not sent to the engine. */
const textFilter: Partial<ColDef<GridRow>> = {
  filter: 'agTextColumnFilter',
  filterParams: { filterOptions: ['contains'], maxNumConditions: 1, buttons: ['reset'], debounceMs: 300 },
};
const amountFilter: Partial<ColDef<GridRow>> = {
  filter: 'agNumberColumnFilter',
  filterParams: {
    filterOptions: ['greaterThanOrEqual', 'lessThanOrEqual', 'inRange', 'equals', 'greaterThan', 'lessThan'],
    inRangeInclusive: true,
    maxNumConditions: 1,
    buttons: ['reset'],
    debounceMs: 300,
  },
};
const dateFilter: Partial<ColDef<GridRow>> = {
  filter: 'agDateColumnFilter',
  filterParams: { filterOptions: ['inRange', 'equals', 'greaterThan', 'lessThan'], inRangeInclusive: true, maxNumConditions: 1, buttons: ['reset'] },
};

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
      valueFormatter: (p) => (p.value ? formatDateTimeInZone(p.value as string, merchantZone) : ''),
      ...dateFilter,
    },
    { colId: 'transactionId', field: 'transactionId', headerName: 'Transaction', width: 100, cellClass: 'num' },
    { colId: 'payer', field: 'payer', headerName: 'Payer', flex: 1.2, minWidth: 170, tooltipField: 'payer', ...textFilter },
    { colId: 'reference', field: 'reference', headerName: 'Reference (as sent)', width: 140, cellClass: 'mono', tooltipField: 'reference', ...textFilter },
    { colId: 'amount', field: 'amountCents', headerName: 'Amount', width: 104, ...money((r) => r.amountCents), ...amountFilter },
    {
      colId: 'matchedInvoices',
      headerName: 'Matched invoice(s)',
      width: 140,
      cellClass: 'mono',
      sortable: false,
      valueGetter: (p) => (p.data ? p.data.matchedInvoices.join(', ') : ''),
      ...textFilter,
    },
    {
      colId: 'openBalance',
      field: 'openBalanceCents',
      headerName: 'ERP balance',
      headerTooltip: 'ERP open balance of the matched invoice(s); on a posted row, what they owe after this payment',
      width: 110,
      sortable: false,
      ...money((r) => r.openBalanceCents),
    },
    {
      colId: 'difference',
      field: 'differenceCents',
      headerName: 'Difference',
      headerTooltip: 'Payment minus the ERP balance; on a posted row, the difference when it was approved',
      width: 100,
      sortable: false,
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
      filter: StatusFilter,
    },
    {
      // Who else has the payment open (team mode); empty on a single-user store.
      colId: 'presence',
      headerName: 'Open by',
      headerTooltip: 'Someone else on the team has this payment open',
      width: 84,
      sortable: false,
      cellRenderer: PresenceCellRenderer,
    },
    {
      colId: 'score',
      field: 'score',
      headerName: 'Score',
      width: 62,
      type: 'rightAligned',
      cellClass: 'num',
      valueFormatter: (p) => (typeof p.value === 'number' ? formatScore(p.value) : ''),
    },
    {
      colId: 'reason',
      field: 'reason',
      headerName: 'Reason',
      flex: 1.3,
      minWidth: 180,
      sortable: false,
      cellRenderer: ReasonRenderer,
      tooltipValueGetter: (p) => (p.data ? reasonText(p.data) : ''),
    },
  ];
}
