import { EXPORT_COLUMN_IDS, isExportColumn, type ExportColumnId } from '@shared/api/export';
import type { GridView } from '@shared/grid-view';
import { invoke } from '../../api/client';
import { gridApi } from '../../grid/grid-handle';
import { useUi } from '../../state/ui-store';
import { ExportMenu } from './ExportMenu';
import { openJournal, todayIn } from '../print/open-journal';
import { useData } from '../../state/data-store';

// The work queue's export: the view on screen (tab, search, column filters,
// sort: the UI store holds it whole) and the columns on screen, in their order.

export function currentGridView(): GridView {
  return useUi.getState().view;
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
