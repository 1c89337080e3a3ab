import { z } from 'zod';
import { gridViewSchema, type GridView } from '../grid-view';
import { method } from './define';

// Exports (issue 15 point 4): the work queue's rows as CSV or XLSX, exactly
// the view and columns on screen, and the cash-receipts journal of a day (the
// print page a controller files as PDF). Large files never ride in a reply:
// the engine streams them to a private temporary file and hands back a
// one-time token the shell turns into a download (web host) or a save dialog
// (desktop).

/** Grid columns an export can carry, by the grid's column ids (renderer/grid/columns.ts), with the header the grid shows. */
export const EXPORT_COLUMNS = {
  createdAt: { header: 'Date', kind: 'dateTime' },
  transactionId: { header: 'Transaction', kind: 'integer' },
  payer: { header: 'Payer', kind: 'text' },
  reference: { header: 'Reference (as sent)', kind: 'text' },
  amount: { header: 'Amount', kind: 'money' },
  matchedInvoices: { header: 'Matched invoice(s)', kind: 'text' },
  openBalance: { header: 'ERP balance', kind: 'money' },
  difference: { header: 'Difference', kind: 'money' },
  status: { header: 'Status', kind: 'text' },
  score: { header: 'Score', kind: 'decimal' },
  reason: { header: 'Reason', kind: 'text' },
  customer: { header: 'Customer', kind: 'text' },
  method: { header: 'Method', kind: 'text' },
  erpDocument: { header: 'ERP document', kind: 'text' },
  owner: { header: 'Owner', kind: 'text' },
  note: { header: 'Note', kind: 'text' },
} as const satisfies Record<string, { header: string; kind: 'dateTime' | 'integer' | 'money' | 'text' | 'decimal' }>;

export type ExportColumnId = keyof typeof EXPORT_COLUMNS;
export const EXPORT_COLUMN_IDS = Object.keys(EXPORT_COLUMNS) as ExportColumnId[];
export const isExportColumn = (id: string): id is ExportColumnId => Object.prototype.hasOwnProperty.call(EXPORT_COLUMNS, id);

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Queues whose list an export can carry as shown (small lists: the queue's own rows). */
export const LIST_KINDS = ['refunds', 'failed', 'conflicts', 'pendingChanges', 'inbox'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** A file the engine wrote, waiting to be fetched once (GET /api/download/<token> on the web host, a save dialog on the desktop). */
export type ExportFile = Readonly<{ token: string; fileName: string; contentType: string; bytes: number; rows: number }>;

/** What the shell needs to hand an export file over; the file is the caller's from then on (deleted by the shell after the copy). */
export type ClaimedExport = Readonly<{ path: string; fileName: string; contentType: string; bytes: number }>;

export type JournalLine = Readonly<{
  transactionId: number;
  payer: string;
  customerId: string | null;
  customerName: string | null;
  amountCents: number;
  currency: string;
  /** 'card' | 'ach', with the card brand when the posting carried it ("card VISA"). */
  method: string;
  invoices: readonly string[];
  erpDocumentId: string | null;
  /** The GL account the receipt was posted to; null: the posting carried none (the ERP's own default account applied). */
  glAccount: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  postedAt: string;
}>;

export type JournalTotal = Readonly<{ key: string; currency: string; count: number; cents: number }>;

export type CashReceiptsJournal = Readonly<{
  date: string;
  zone: string;
  erpLabel: string;
  companyCode: string;
  generatedAt: string;
  generatedBy: string;
  lines: readonly JournalLine[];
  byMethod: readonly JournalTotal[];
  byGlAccount: readonly JournalTotal[];
  totals: readonly JournalTotal[];
  count: number;
}>;

/** The label the journal uses for receipts posted without a GL account of their own (the ERP's default for the payment type). */
export const NO_GL_ACCOUNT_LABEL = 'ERP default';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
const token = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'an export token');

export const exportMethods = {
  /** The view's rows (every one, in its order) with the given columns, written as CSV or XLSX to a private temporary file. */
  'export:grid': method<z.ZodType<{ view: GridView; columns: ExportColumnId[]; format: ExportFormat }>, ExportFile>({
    role: 'clerk',
    args: z
      .object({
        view: gridViewSchema,
        columns: z.array(z.enum(EXPORT_COLUMN_IDS as [ExportColumnId, ...ExportColumnId[]])).min(1).max(EXPORT_COLUMN_IDS.length),
        format: z.enum(EXPORT_FORMATS),
      })
      .strict(),
  }),
  /** A queue's list as it shows it (refunds, failed postings, conflicts, pending admin changes); each kind needs the role its queue needs. */
  'export:list': method<z.ZodType<{ kind: ListKind; format: ExportFormat }>, ExportFile>({
    role: 'clerk',
    args: z.object({ kind: z.enum(LIST_KINDS), format: z.enum(EXPORT_FORMATS) }).strict(),
  }),
  /** The shell takes an export file over (once; the same user who made it). */
  'export:claim': method<z.ZodType<{ token: string }>, ClaimedExport>({ role: 'clerk', args: z.object({ token }).strict() }),
  /** What was posted to the ERP on a day (merchant zone), with totals by payment method and GL account. */
  'report:cashReceiptsJournal': method<z.ZodType<{ date: string }>, CashReceiptsJournal>({ role: 'clerk', args: z.object({ date: isoDay }).strict() }),
} as const;
