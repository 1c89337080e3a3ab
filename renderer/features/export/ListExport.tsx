import type { ListKind } from '@shared/api/export';
import { invoke } from '../../api/client';
import { ExportMenu } from './ExportMenu';

/** A queue's export: the list the queue shows, as CSV or XLSX (export:list; the queue's own role applies). */
export function ListExport({ kind, what, label }: Readonly<{ kind: ListKind; what: string; label?: string }>) {
  return <ExportMenu what={what} testId={`export-${kind}`} {...(label ? { label } : {})} run={(format) => invoke('export:list', { kind, format })} />;
}
