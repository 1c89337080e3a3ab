import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { CashLine } from '../receipt-request';
import type { CreditMemoRecord, CreditMemoRequest, ReceiptAllocation, ReceiptRecord, ReceiptRequest } from '../connector';
import { ErpError } from '../errors';
import type { ExportFormat } from './options';

// Receipts and credit memos as files for the ERP's own import: one file per
// PayTrace reference (so the look-up is a file read and a second export of
// the same reference is impossible), one line per allocation. Files appear
// whole or not at all: temp file, then a hard link that refuses to replace.

export const RECEIPT_COLUMNS = [
  'reference', 'receipt_date', 'customer_id', 'payment_method', 'card_brand', 'currency', 'receipt_amount',
  'unapplied_amount', 'invoice_no', 'applied_amount', 'bank_code', 'deposit_no', 'memo',
  // Cash application (after the original columns, so layouts built on them keep their positions):
  // the early-payment discount and any other write-off closing the invoice with this line; an open
  // credit applied is a line with a negative applied_amount naming the credit memo in invoice_no.
  'discount_amount', 'discount_gl_account', 'write_off_amount', 'write_off_reason',
  // From a saved payment mapping (Settings → Payment mapping), empty without one: the payment type and
  // G/L account the mapping preview shows, for the receiving import to use.
  'payment_type', 'gl_account',
] as const;
export const CREDIT_MEMO_COLUMNS = ['reference', 'original_reference', 'memo_date', 'customer_id', 'currency', 'amount', 'invoice_no', 'reason'] as const;

export const receiptBase = (reference: string): string => `receipt-${reference}`;
export const creditMemoBase = (reference: string): string => `credit-memo-${reference}`;

function fsWriteError(folder: string, e: unknown): ErpError {
  const code = (e as { code?: string }).code ?? '';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new ErpError('permission', `Cannot write to the receipts folder ${folder} (${code})`, { cause: e });
  }
  // A file where the folder should be never fixes itself: the setting (or the file in the way) must change.
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
    return new ErpError('config', `The receipts folder ${folder} is not a folder (${code}): a file of that name is in the way. Fix the folder in Settings or move the file.`, { cause: e });
  }
  // A share that went away, a full disk: nothing was written under the real name, so a retry is safe.
  return new ErpError('transient', `Could not write to the receipts folder ${folder} (${code || (e as Error).message})`, { cause: e });
}

async function writeNoClobber(folder: string, name: string, content: string | Buffer): Promise<void> {
  const target = join(folder, name);
  const temp = join(folder, `.${name}.${process.pid}.${Date.now()}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(temp, content, { flag: 'wx' });
  } catch (e) {
    throw fsWriteError(folder, e);
  }
  try {
    await link(temp, target);
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') throw new ErpError('duplicate', `${name} already exists in ${folder}`, { existingDocumentId: name });
    throw fsWriteError(folder, e);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

async function xlsxBuffer(columns: readonly string[], rows: readonly string[][], sheet: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const ws = workbook.addWorksheet(sheet);
  ws.addRow([...columns]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function writeDocument(folder: string, base: string, format: ExportFormat, columns: readonly string[], rows: string[][], sheet: string): Promise<string> {
  const names: string[] = [];
  // With both formats the XLSX goes first: the CSV is the one the look-up trusts most.
  if (format !== 'csv') {
    await writeNoClobber(folder, `${base}.xlsx`, await xlsxBuffer(columns, rows, sheet));
    names.push(`${base}.xlsx`);
  }
  if (format !== 'xlsx') {
    await writeNoClobber(folder, `${base}.csv`, stringify([[...columns], ...rows], { record_delimiter: '\r\n' }));
    names.push(`${base}.csv`);
  }
  return names[names.length - 1]!;
}

const money = (c: number): string => centsToDecimalString(c);

export async function exportReceipt(folder: string, format: ExportFormat, r: ReceiptRequest, lines: readonly CashLine[]): Promise<string> {
  const common = [r.reference, r.date, r.customerId, r.paymentMethod, r.cardBrand ?? '', r.currency, money(r.amountCents), money(r.unappliedCents ?? 0)];
  const tail = [r.bankCode ?? '', r.depositNo ?? '', r.memo ?? ''];
  const mapped = [r.paymentTypeCode ?? '', r.glAccount ?? ''];
  const optional = (c: number): string => (c > 0 ? money(c) : '');
  const rows =
    lines.length > 0
      ? lines.map((l) => [
          ...common, l.invoiceNo, money(l.amountCents), ...tail,
          optional(l.discountCents), l.discountCents > 0 ? (r.discountGlAccount ?? '') : '', optional(l.writeOffCents), l.writeOffReason, ...mapped,
        ])
      : [[...common, '', '', ...tail, '', '', '', '', ...mapped]];
  return writeDocument(folder, receiptBase(r.reference), format, RECEIPT_COLUMNS, rows, 'Receipts');
}

export async function exportCreditMemo(folder: string, format: ExportFormat, m: CreditMemoRequest): Promise<string> {
  const rows = [[m.reference, m.originalReference, m.date, m.customerId, m.currency, money(m.amountCents), m.invoiceNo ?? '', m.reason]];
  return writeDocument(folder, creditMemoBase(m.reference), format, CREDIT_MEMO_COLUMNS, rows, 'Credit memos');
}

/** Rows of an exported file as column → value, CSV preferred over XLSX. */
async function readDocument(folder: string, base: string): Promise<{ name: string; rows: Array<Record<string, string>> } | null> {
  const csv = join(folder, `${base}.csv`);
  const xlsx = join(folder, `${base}.xlsx`);
  try {
    if (existsSync(csv)) {
      const rows = parse(await readFile(csv, 'utf8'), { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>;
      return { name: `${base}.csv`, rows };
    }
    if (existsSync(xlsx)) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(xlsx);
      const ws = workbook.worksheets[0];
      const all: string[][] = [];
      ws?.eachRow((row) => {
        const cells: string[] = [];
        for (let c = 1; c <= row.cellCount; c++) cells.push(String(row.getCell(c).value ?? ''));
        all.push(cells);
      });
      const [header = [], ...body] = all;
      return { name: `${base}.xlsx`, rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']))) };
    }
  } catch (e) {
    throw new ErpError('malformed', `Exported file ${base} in ${folder} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  return null;
}

function amount(value: string | undefined, file: string, field: string): Cents {
  try {
    return parseDecimalToCents(value ?? '');
  } catch {
    throw new ErpError('malformed', `${file}: ${field} "${value}" is not an amount`);
  }
}

/** What a receipt and a credit memo file both say in their first row; the columns of amount and date differ. */
function documentHead(reference: string, file: string, first: Readonly<Record<string, string>>, amountColumn: string, dateColumn: string) {
  return { reference, erpDocumentId: file, customerId: first['customer_id'] ?? '', amountCents: amount(first[amountColumn], file, amountColumn), date: first[dateColumn] ?? '' };
}

export async function readExportedReceipt(folder: string, reference: string): Promise<ReceiptRecord | null> {
  const doc = await readDocument(folder, receiptBase(reference));
  if (!doc) return null;
  const first = doc.rows[0];
  if (!first || first['reference'] !== reference) {
    throw new ErpError('malformed', `${doc.name} does not carry reference ${reference}: edited by hand? Check it before posting again.`);
  }
  const allocations: ReceiptAllocation[] = doc.rows
    .filter((r) => (r['invoice_no'] ?? '') !== '')
    .map((r) => ({ invoiceNo: r['invoice_no'] ?? '', amountCents: amount(r['applied_amount'], doc.name, 'applied_amount') }));
  return { ...documentHead(reference, doc.name, first, 'receipt_amount', 'receipt_date'), allocations };
}

export async function readExportedCreditMemo(folder: string, reference: string): Promise<CreditMemoRecord | null> {
  const doc = await readDocument(folder, creditMemoBase(reference));
  const first = doc?.rows[0];
  if (!doc || !first) return null;
  return documentHead(reference, doc.name, first, 'amount', 'memo_date');
}
