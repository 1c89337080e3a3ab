import { useCallback, useEffect, useMemo } from 'react';
import { AgGridReact } from 'ag-grid-react';
import {
  AllCommunityModule,
  ModuleRegistry,
  type CellFocusedEvent,
  type ColDef,
  type FilterChangedEvent,
  type GetRowIdParams,
  type GridApi,
  type GridReadyEvent,
  type IDatasource,
  type IGetRowsParams,
  type RowSelectionOptions,
  type SortChangedEvent,
} from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { ApiCallError, errorMessage, invoke } from '../api/client';
import { setGridRefresher, useData } from '../state/data-store';
import { toast } from '../state/toast-store';
import { useUi } from '../state/ui-store';
import { buildColumns } from './columns';
import { translateColumns } from './column-model';
import { usePresence } from '../features/team/presence-store';
import { gridApi, setGridApi, syncCheckboxes, takeCheckboxChanges } from './grid-handle';
import { SelectAllHeader } from './SelectAllHeader';
import { gridTheme } from './theme';
import { styleNonce } from './style-nonce';

ModuleRegistry.registerModules([AllCommunityModule]);

// The work queue in windows (AG Grid's infinite row model): the grid asks the
// engine for the rows it is about to show (grid:window with the view: tab,
// search, column filters, sort), about 150 at a time, and keeps a few such
// blocks. No reply carries the whole day. The selection lives in the UI store
// (a whole view can be selected without loading it); checkboxes mirror it.

const BLOCK = 150;

const rowSelection: RowSelectionOptions<GridRow> = {
  mode: 'multiRow',
  checkboxes: true,
  // Drawn by SelectAllHeader: AG Grid cannot select rows the infinite model has not loaded.
  headerCheckbox: false,
  enableClickSelection: false,
};

const selectionColumnDef: ColDef<GridRow> = { headerComponent: SelectAllHeader, width: 44, pinned: 'left', sortable: false, resizable: false };

const localeText = { noRowsToShow: 'No transactions in this view.' };

const getRowId = (p: GetRowIdParams<GridRow>): string => String(p.data.transactionId);

/** After a view change the first window moves focus to its first row (the detail panel follows focus). */
let focusFirstOnLoad = false;

function focusFirstRow(api: GridApi<GridRow>, first: GridRow | undefined): void {
  if (!first) {
    api.clearFocusedCell();
    useUi.getState().setFocusedId(null);
    return;
  }
  api.ensureIndexVisible(0);
  const cell = api.getFocusedCell();
  // Someone typing (the search box, a column menu) keeps the keyboard: only the panel follows the first row.
  if (cell && !typingSomewhere()) api.setFocusedCell(0, cell.column);
  else useUi.getState().setFocusedId(first.transactionId);
}

function typingSomewhere(): boolean {
  const el = document.activeElement;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  return el instanceof HTMLInputElement && el.type !== 'checkbox' && el.type !== 'radio';
}

const datasource: IDatasource = {
  getRows(params: IGetRowsParams) {
    const ui = useUi.getState();
    const columns = translateColumns(params.sortModel, params.filterModel);
    if ('problem' in columns) {
      ui.setSearchProblem(columns.problem);
      params.failCallback();
      return;
    }
    const view = { ...ui.view, sort: columns.sort, filters: columns.filters };
    const api = gridApi();
    invoke('grid:window', { view, offset: params.startRow, limit: params.endRow - params.startRow }).then(
      ({ rows, total }) => {
        params.successCallback(rows as GridRow[], total);
        performance.mark('tieout:grid-window');
        const data = useData.getState();
        if (!data.rowsLoaded || data.viewTotal !== total || (params.startRow === 0 && data.firstRowId !== (rows[0]?.transactionId ?? null))) {
          useData.setState({ rowsLoaded: true, viewTotal: total, ...(params.startRow === 0 ? { firstRowId: rows[0]?.transactionId ?? null } : {}) });
        }
        if (useUi.getState().searchProblem !== null) useUi.getState().setSearchProblem(null);
        if (api && !api.isDestroyed()) {
          syncCheckboxes(api);
          if (params.startRow === 0 && focusFirstOnLoad) {
            focusFirstOnLoad = false;
            focusFirstRow(api, rows[0]);
          }
        }
        // The bench measures "action → rows painted" up to this mark.
        requestAnimationFrame(() => performance.mark('tieout:grid-painted'));
      },
      (err: unknown) => {
        params.failCallback();
        if (err instanceof ApiCallError && err.code === 'invalid_args') useUi.getState().setSearchProblem(err.message);
        else toast('error', 'Could not load transactions', [errorMessage(err)]);
      },
    );
  },
};

export function ReconGrid() {
  const rowsLoaded = useData((s) => s.rowsLoaded);
  const total = useData((s) => s.viewTotal);
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');

  const columnDefs = useMemo(() => buildColumns(zone), [zone]);
  const defaultColDef = useMemo<ColDef<GridRow>>(() => ({ sortable: true, resizable: true, suppressHeaderMenuButton: true, suppressHeaderFilterButton: false }), []);

  // A new tab or search: the loaded windows belong to another view.
  useEffect(
    () =>
      useUi.subscribe((now, before) => {
        if (now.view.tab === before.view.tab && now.view.search === before.view.search) return;
        const api = gridApi();
        if (!api) return;
        focusFirstOnLoad = true;
        api.ensureIndexVisible(0);
        api.purgeInfiniteCache();
      }),
    [],
  );
  // The checkboxes follow the selection (Ctrl+A, the header box, Space, a cleared selection).
  useEffect(
    () =>
      useUi.subscribe((now, before) => {
        const api = gridApi();
        if (api && now.selection !== before.selection) syncCheckboxes(api);
      }),
    [],
  );

  const onGridReady = useCallback((e: GridReadyEvent<GridRow>) => {
    setGridApi(e.api);
    focusFirstOnLoad = true;
    e.api.setGridOption('datasource', datasource);
    // Pushed changes reload the loaded windows in place: scroll position and focus stay.
    setGridRefresher(() => {
      const api = gridApi();
      if (!api) return;
      // An empty view has no window to refresh: ask for the first one again.
      if (useData.getState().viewTotal === 0) api.purgeInfiniteCache();
      else api.refreshInfiniteCache();
    });
  }, []);
  useEffect(
    () => () => {
      setGridApi(null);
      setGridRefresher(null);
    },
    [],
  );
  // The presence column reads the presence store: redrawn (that column only) when it changes.
  useEffect(() => usePresence.subscribe(() => gridApi()?.refreshCells({ columns: ['presence'], force: true })), []);

  // Column sort and filters are part of the view (the selection summary, counts and approvals use it).
  const onSortChanged = useCallback((e: SortChangedEvent<GridRow>) => {
    const columns = translateColumns(e.api.getColumnState().flatMap((c) => (c.sort ? [{ colId: c.colId, sort: c.sort, index: c.sortIndex ?? 0 }] : [])).sort((a, b) => a.index - b.index), e.api.getFilterModel());
    if (!('problem' in columns)) useUi.getState().setSort(columns.sort);
    focusFirstOnLoad = true;
  }, []);
  const onFilterChanged = useCallback((e: FilterChangedEvent<GridRow>) => {
    const columns = translateColumns([], e.api.getFilterModel());
    if ('problem' in columns) useUi.getState().setSearchProblem(columns.problem);
    else useUi.getState().setFilters(columns.filters);
    focusFirstOnLoad = true;
  }, []);

  const onSelectionChanged = useCallback(() => {
    const api = gridApi();
    if (api) takeCheckboxChanges(api);
  }, []);

  const onCellFocused = useCallback((e: CellFocusedEvent<GridRow>) => {
    if (e.rowIndex === null || e.rowIndex === undefined) return;
    const node = e.api.getDisplayedRowAtIndex(e.rowIndex);
    if (node?.data) useUi.getState().setFocusedId(node.data.transactionId);
  }, []);

  const onRowDoubleClicked = useCallback(() => useUi.getState().setPanelOpen(true), []);

  return (
    <div className="grid-host" data-testid="grid" data-row-count={total} data-loaded={rowsLoaded ? 'true' : 'false'}>
      <AgGridReact<GridRow>
        theme={gridTheme}
        styleNonce={styleNonce()}
        rowModelType="infinite"
        cacheBlockSize={BLOCK}
        maxBlocksInCache={8}
        infiniteInitialRowCount={1}
        maxConcurrentDatasourceRequests={2}
        columnDefs={columnDefs}
        defaultColDef={defaultColDef}
        getRowId={getRowId}
        rowSelection={rowSelection}
        selectionColumnDef={selectionColumnDef}
        onGridReady={onGridReady}
        onSortChanged={onSortChanged}
        onFilterChanged={onFilterChanged}
        onSelectionChanged={onSelectionChanged}
        onCellFocused={onCellFocused}
        onRowDoubleClicked={onRowDoubleClicked}
        suppressFieldDotNotation
        animateRows={false}
        suppressDragLeaveHidesColumns
        suppressMultiSort={false}
        tooltipShowDelay={600}
        loading={!rowsLoaded}
        localeText={localeText}
      />
    </div>
  );
}
