import type { CallContext, MethodName } from '@shared/api-contract';
import type { ExportFile, ExportFormat, ListKind } from '@shared/api/export';
import type { FailedPosting } from '@shared/api/posting';
import type { ConflictView } from '@shared/api/offline';
import type { PendingChangeView } from '@shared/api/admin';
import type { RefundView } from '@shared/api/refunds';
import type { InboxItem, InboxList } from '@shared/api/inbox';
import type { Cell } from './cells';
import type { ExportFiles } from './export-files';
import { exportFileName } from './grid-export';
import { CONTENT_TYPES, openTableSink } from './table-writer';

// A queue's list as its screen shows it: the same method the queue calls
// (so the same role check and the same rows), flattened to columns.

type Column<T> = Readonly<{ header: string; cell: (row: T, zone: string) => Cell }>;
/** `rows`: where the method's reply keeps its rows, when the reply is not the list itself. */
type ListSpec<T> = Readonly<{ method: MethodName; sheet: string; columns: readonly Column<T>[]; rows?: (reply: unknown) => readonly unknown[] }>;

const text = (s: string | null | undefined): Cell => (s ? { kind: 'text', text: s } : { kind: 'empty' });
const int = (n: number | null | undefined): Cell => (n === null || n === undefined ? { kind: 'empty' } : { kind: 'number', value: n, decimals: 0 });
const at = (iso: string | null | undefined, zone: string): Cell => (iso ? { kind: 'dateTime', iso, zone } : { kind: 'empty' });
const money = (cents: number, currency: string): Cell => ({ kind: 'money', cents, currency });

/** A list's spec, typed by its rows where it is written and by `unknown` where it is used. */
function list<T>(spec: ListSpec<T>): ListSpec<unknown> {
  return spec as unknown as ListSpec<unknown>;
}

const LISTS: Readonly<Record<ListKind, ListSpec<unknown>>> = {
  refunds: list<RefundView>({
    method: 'refunds:list',
    sheet: 'Refunds',
    columns: [
      { header: 'Refund', cell: (r) => int(r.id) },
      { header: 'Transaction', cell: (r) => int(r.transactionId) },
      { header: 'Payer', cell: (r) => text(r.payer) },
      { header: 'Amount', cell: (r) => money(r.amountCents, r.currency) },
      { header: 'Reason', cell: (r) => text(r.reasonCode) },
      { header: 'Note', cell: (r) => text(r.note) },
      { header: 'State', cell: (r) => text(r.state) },
      { header: 'Requested by', cell: (r) => text(r.requestedBy) },
      { header: 'Requested at', cell: (r, z) => at(r.requestedAt, z) },
      { header: 'Approved by', cell: (r) => text(r.approvals.map((a) => a.by).join(', ')) },
      { header: 'Executed as', cell: (r) => text(r.method) },
      { header: 'Executed at', cell: (r, z) => at(r.executedAt, z) },
      { header: 'Credit memo', cell: (r) => text(r.creditMemo?.erpDocumentId) },
      { header: 'Last error', cell: (r) => text(r.lastError) },
    ],
  }),
  failed: list<FailedPosting>({
    method: 'posting:failed',
    sheet: 'Failed postings',
    columns: [
      { header: 'Transaction', cell: (r) => int(r.transactionId) },
      { header: 'Payer', cell: (r) => text(r.payer) },
      { header: 'Customer', cell: (r) => text(r.customerId) },
      { header: 'Amount', cell: (r) => money(r.amountCents, r.currency) },
      { header: 'Invoices', cell: (r) => text(r.invoices.join(', ')) },
      { header: 'State', cell: (r) => text(r.state) },
      { header: 'Attempts', cell: (r) => int(r.attempts.length) },
      { header: 'Last error', cell: (r) => text(r.lastError) },
      { header: 'Updated', cell: (r, z) => at(r.updatedAt, z) },
    ],
  }),
  conflicts: list<ConflictView>({
    method: 'conflicts:list',
    sheet: 'Conflicts',
    columns: [
      { header: 'Transaction', cell: (r) => int(r.transactionId) },
      { header: 'Payer', cell: (r) => text(r.payer) },
      { header: 'Amount', cell: (r) => money(r.amountCents, r.currency) },
      { header: 'Conflict', cell: (r) => text(r.kinds.join(', ')) },
      { header: 'Details', cell: (r) => text(r.details.join(' ')) },
      { header: 'Detected', cell: (r, z) => at(r.detectedAt, z) },
    ],
  }),
  inbox: list<InboxItem>({
    method: 'inbox:list',
    sheet: 'Approvals inbox',
    rows: (reply) => (reply as InboxList).items,
    columns: [
      { header: 'Kind', cell: (r) => text(r.kind.replace('_', ' ')) },
      { header: 'Transaction', cell: (r) => int(r.transactionId) },
      { header: 'Payer', cell: (r) => text(r.payer) },
      { header: 'Amount', cell: (r) => money(r.amountCents, r.currency) },
      { header: 'Reason', cell: (r) => text(r.reason) },
      { header: 'Needs', cell: (r) => text(r.needs) },
      { header: 'Requested by', cell: (r) => text(r.requestedBy) },
      { header: 'Requested at', cell: (r, z) => at(r.requestedAt, z) },
      { header: 'Age (minutes)', cell: (r) => int(r.ageMinutes) },
    ],
  }),
  pendingChanges: list<PendingChangeView>({
    method: 'admin:pendingChanges',
    sheet: 'Pending admin changes',
    columns: [
      { header: 'Change', cell: (r) => int(r.id) },
      { header: 'Kind', cell: (r) => text(r.kind) },
      { header: 'Target', cell: (r) => text(r.target) },
      { header: 'Summary', cell: (r) => text(r.summary) },
      { header: 'State', cell: (r) => text(r.state) },
      { header: 'Requested by', cell: (r) => text(r.requestedBy) },
      { header: 'Requested at', cell: (r, z) => at(r.requestedAt, z) },
      { header: 'Decided by', cell: (r) => text(r.decidedBy) },
      { header: 'Decided at', cell: (r, z) => at(r.decidedAt, z) },
    ],
  }),
};

/** Calls a queue's own method as the caller (its role checked), answering its rows. */
export type ListSource = (method: MethodName, context: CallContext) => Promise<unknown>;

export type ListExportRequest = Readonly<{ kind: ListKind; format: ExportFormat; zone: string; owner: string; nowIso: string; context: CallContext }>;

export async function writeListExport(files: ExportFiles, source: ListSource, r: ListExportRequest): Promise<ExportFile> {
  const spec = LISTS[r.kind];
  const reply = await source(spec.method, r.context);
  const rows = spec.rows ? spec.rows(reply) : (reply as readonly unknown[]);
  return files.create(r.owner, exportFileName(r.kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), r.format, r.nowIso, r.zone), CONTENT_TYPES[r.format], async (path) => {
    const sink = openTableSink(r.format, path, spec.columns.map((c) => c.header), spec.sheet);
    await sink.add(rows.map((row) => spec.columns.map((c) => c.cell(row, r.zone))));
    await sink.close();
    return rows.length;
  });
}
