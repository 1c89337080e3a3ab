import { useCallback, useEffect, useMemo, useRef } from 'react';
import { AgGridReact } from 'ag-grid-react';
import {
  AllCommunityModule,
  ModuleRegistry,
  type CellFocusedEvent,
  type GetRowIdParams,
  type GridReadyEvent,
  type IRowNode,
  type RowDataUpdatedEvent,
  type RowSelectionOptions,
} from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { useData } from '../state/data-store';
import { useUi, type TabId } from '../state/ui-store';
import { buildColumns } from './columns';
import { usePresence } from '../features/team/presence-store';
import { gridApi, setGridApi } from './grid-handle';
import { warmQuickFilter } from './quick-filter-warmup';
import { gridTheme } from './theme';
import { styleNonce } from './style-nonce';

ModuleRegistry.registerModules([AllCommunityModule]);

const rowSelection: RowSelectionOptions<GridRow> = {
  mode: 'multiRow',
  checkboxes: true,
  headerCheckbox: true,
  // The header checkbox and Ctrl+A select what the tab and search show, never hidden rows.
  selectAll: 'filtered',
  enableClickSelection: false,
};

const localeText = { noRowsToShow: 'No transactions yet. They appear after the first sync.', noMatchingRows: 'No transactions in this view.' };

const getRowId = (p: GetRowIdParams<GridRow>): string => String(p.data.transactionId);

export function ReconGrid() {
  const rows = useData((s) => s.rows);
  const rowsLoaded = useData((s) => s.rowsLoaded);
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');
  const activeTab = useUi((s) => s.activeTab);
  const quickFilter = useUi((s) => s.quickFilter);
  const tabRef = useRef<TabId>(activeTab);

  const columnDefs = useMemo(() => buildColumns(zone), [zone]);
  const defaultColDef = useMemo(() => ({ sortable: true, resizable: true, suppressHeaderMenuButton: true }), []);

  useEffect(() => {
    tabRef.current = activeTab;
    const api = gridApi();
    if (!api) return;
    // Selection never spans tabs: approving must only touch what is on screen.
    api.deselectAll();
    api.onFilterChanged();
    // The detail panel follows the focused row, so focus moves into the new tab.
    const first = api.getDisplayedRowAtIndex(0);
    if (first?.data) {
      api.ensureIndexVisible(0);
      const cell = api.getFocusedCell();
      if (cell) api.setFocusedCell(0, cell.column);
      else useUi.getState().setFocusedId(first.data.transactionId);
    } else {
      api.clearFocusedCell();
      useUi.getState().setFocusedId(null);
    }
  }, [activeTab]);

  const isExternalFilterPresent = useCallback(() => tabRef.current !== 'all', []);
  const doesExternalFilterPass = useCallback((node: IRowNode<GridRow>) => node.data?.status === tabRef.current, []);

  const onGridReady = useCallback((e: GridReadyEvent<GridRow>) => setGridApi(e.api), []);
  useEffect(() => () => setGridApi(null), []);
  // The presence column reads the presence store: redrawn (that column only) when it changes.
  useEffect(() => usePresence.subscribe(() => gridApi()?.refreshCells({ columns: ['presence'], force: true })), []);

  const onSelectionChanged = useCallback(() => {
    const api = gridApi();
    if (!api) return;
    useUi.getState().setSelectedIds(api.getSelectedRows().map((r) => r.transactionId));
  }, []);

  const onCellFocused = useCallback((e: CellFocusedEvent<GridRow>) => {
    if (e.rowIndex === null || e.rowIndex === undefined) return;
    const node = e.api.getDisplayedRowAtIndex(e.rowIndex);
    if (node?.data) useUi.getState().setFocusedId(node.data.transactionId);
  }, []);

  const onRowDoubleClicked = useCallback(() => useUi.getState().setPanelOpen(true), []);

  const onRowDataUpdated = useCallback((e: RowDataUpdatedEvent<GridRow>) => {
    performance.mark('tieout:grid-row-data');
    // The first search would otherwise build every row's search text (half a second at 100k rows).
    warmQuickFilter(e.api, () => performance.mark('tieout:quick-filter-warm'));
  }, []);

  const onModelUpdated = useCallback(() => {
    // Rows that left the tab (approved, posted...) must not stay selected invisibly.
    const api = gridApi();
    if (!api) return;
    const stale: IRowNode<GridRow>[] = [];
    for (const node of api.getSelectedNodes()) {
      if (tabRef.current !== 'all' && node.data?.status !== tabRef.current) stale.push(node);
    }
    if (stale.length > 0) api.setNodesSelected({ nodes: stale, newValue: false });
  }, []);

  return (
    <div className="grid-host" data-testid="grid" data-row-count={rows.length}>
      <AgGridReact<GridRow>
        theme={gridTheme}
        styleNonce={styleNonce()}
        rowData={rows as GridRow[]}
        columnDefs={columnDefs}
        defaultColDef={defaultColDef}
        getRowId={getRowId}
        rowSelection={rowSelection}
        quickFilterText={quickFilter}
        cacheQuickFilter
        isExternalFilterPresent={isExternalFilterPresent}
        doesExternalFilterPass={doesExternalFilterPass}
        onGridReady={onGridReady}
        onSelectionChanged={onSelectionChanged}
        onCellFocused={onCellFocused}
        onRowDoubleClicked={onRowDoubleClicked}
        onModelUpdated={onModelUpdated}
        onRowDataUpdated={onRowDataUpdated}
        suppressFieldDotNotation
        animateRows={false}
        suppressDragLeaveHidesColumns
        tooltipShowDelay={600}
        loading={!rowsLoaded}
        localeText={localeText}
      />
    </div>
  );
}
