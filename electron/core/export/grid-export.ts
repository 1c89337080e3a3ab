import { DateTime } from 'luxon';
import type { ExportColumnId, ExportFile, ExportFormat } from '@shared/api/export';
import type { GridView } from '@shared/grid-view';
import type { ReadDb } from '../store/db';
import { selectionIds } from '../store/queries/grid-view';
import { gridRows } from '../store/queries/matches';
import { cellOf, headerOf } from './cells';
import type { ExportFiles } from './export-files';
import { CONTENT_TYPES, openTableSink } from './table-writer';

// The work queue's view as a file: the view's ids in its order (one SQL
// statement, a number per row), then the rows a batch at a time, so the
// engine never holds 100,000 GridRows at once.

const BATCH = 500;

export type GridExportRequest = Readonly<{ view: GridView; columns: readonly ExportColumnId[]; format: ExportFormat; zone: string; owner: string; nowIso: string }>;

export function exportFileName(stem: string, format: ExportFormat, nowIso: string, zone: string): string {
  const at = DateTime.fromISO(nowIso, { zone: 'utc' }).setZone(zone);
  return `tieout-${stem}-${(at.isValid ? at : DateTime.fromISO(nowIso)).toFormat('yyyy-MM-dd-HHmm')}.${format}`;
}

export async function writeGridExport(db: ReadDb, files: ExportFiles, r: GridExportRequest): Promise<ExportFile> {
  const ids = selectionIds(db, { kind: 'view', view: r.view, exceptIds: [] }, r.zone);
  const stem = r.view.tab === 'all' ? 'transactions' : `transactions-${r.view.tab}`;
  return files.create(r.owner, exportFileName(stem, r.format, r.nowIso, r.zone), CONTENT_TYPES[r.format], async (path) => {
    const sink = openTableSink(r.format, path, r.columns.map(headerOf), 'Transactions');
    let written = 0;
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      const byId = new Map(gridRows(db, chunk).map((row) => [row.transactionId, row]));
      const batch = chunk.flatMap((id) => {
        const row = byId.get(id);
        return row ? [r.columns.map((c) => cellOf(row, c, r.zone))] : [];
      });
      written += batch.length;
      await sink.add(batch);
    }
    await sink.close();
    return written;
  });
}
