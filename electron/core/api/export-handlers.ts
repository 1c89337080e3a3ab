import { ApiFailure } from '@shared/api-contract';
import type { exportMethods } from '@shared/api/export';
import { cashReceiptsJournal } from '../export/cash-receipts-journal';
import { ExportFiles, ExportNotFound } from '../export/export-files';
import { writeGridExport } from '../export/grid-export';
import { writeListExport, type ListSource } from '../export/list-export';
import { ERP_LABELS } from '../erp/connector';
import { SearchNotUnderstood } from '../store/queries/grid-view';
import { currentMapping } from '../store/queries/erp-mappings';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

/** Exports and the day's journal: files are written by the engine and handed to the shell by a one-time token. */
export function exportHandlers(d: HandlerDeps, listSource: ListSource, files = new ExportFiles(d.dataDir, d.clock)): DomainHandlers<keyof typeof exportMethods> {
  const zone = () => d.settings().sync.merchantZone;
  return {
    'export:grid': async ({ view, columns, format }, ctx) => {
      try {
        return await writeGridExport(d.db, files, { view, columns, format, zone: zone(), owner: d.actor(ctx), nowIso: d.clock.iso() });
      } catch (e) {
        if (e instanceof SearchNotUnderstood) throw new ApiFailure('invalid_args', e.message);
        throw e;
      }
    },
    'export:list': ({ kind, format }, ctx) => writeListExport(files, listSource, { kind, format, zone: zone(), owner: d.actor(ctx), nowIso: d.clock.iso(), context: ctx }),
    'export:claim': ({ token }, ctx) => {
      try {
        return files.claim(token, d.actor(ctx));
      } catch (e) {
        if (e instanceof ExportNotFound) throw new ApiFailure('not_found', e.message);
        throw e;
      }
    },
    'report:cashReceiptsJournal': ({ date }, ctx) => {
      const kind = d.settings().erp.kind;
      return cashReceiptsJournal(d.db, {
        date,
        zone: zone(),
        erpLabel: ERP_LABELS[kind],
        companyCode: currentMapping(d.db, kind).mapping.companyCode,
        generatedAt: d.clock.iso(),
        generatedBy: d.actor(ctx),
      });
    },
  };
}

