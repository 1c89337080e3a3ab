import { EXPORT_COLUMN_IDS, isExportColumn, type ExportColumnId } from '@shared/api/export';
import { SORT_KEYS, type GridView, type SortKey, type SortSpec } from '@shared/grid-view';
import { invoke } from '../../api/client';
import { gridApi } from '../../grid/grid-handle';
import { useUi } from '../../state/ui-store';
import { ExportMenu } from './ExportMenu';
import { openJournal, todayIn } from '../print/open-journal';
import { useData } from '../../state/data-store';

// The work queue's export: the view on screen (tab, search, sort) and the
// columns on screen, in their order. When the grid moves to server windows,
// only `currentGridView` changes (the view then lives in the UI store whole).

const isSortKey = (id: string): id is SortKey => (SORT_KEYS as readonly string[]).includes(id);

export function currentGridView(): GridView {
  const { activeTab, quickFilter } = useUi.getState();
  const sort: SortSpec[] = [];
  const state = gridApi()?.getColumnState() ?? [];
  for (const c of [...state].filter((s) => s.sort).sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0))) {
    const key = isSortKey(c.colId) ? c.colId : null;
    if (key && c.sort && sort.length < 3) sort.push({ key, dir: c.sort });
  }
  return { tab: activeTab, search: quickFilter.trim(), filters: [], sort };
}

export function visibleColumns(): ExportColumnId[] {
  const shown = gridApi()?.getAllDisplayedColumns().map((c) => c.getColId()) ?? [];
  const ids = shown.filter(isExportColumn);
  return ids.length > 0 ? ids : [...EXPORT_COLUMN_IDS];
}

export function GridExport({ view = currentGridView, columns = visibleColumns }: Readonly<{ view?: () => GridView; columns?: () => ExportColumnId[] }>) {
  const zone = useData((s) => s.info?.merchantZone);
  return (
    <ExportMenu
      what="transactions in this view"
      testId="export-grid"
      run={(format) => invoke('export:grid', { view: view(), columns: columns(), format })}
      more={[{ label: "Day's journal (PDF)…", testId: 'open-journal', title: 'The cash-receipts journal of the day (what was posted), to print or save as PDF', onSelect: () => openJournal(todayIn(zone)) }]}
    />
  );
}
