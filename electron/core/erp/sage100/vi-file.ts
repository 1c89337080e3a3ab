import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { centsToDecimalString, type Cents } from '@shared/money';
import { ErpError } from '../errors';

// Visual Integrator import files. One file per receipt, named after its
// CheckNo, so "is a file for this reference still waiting?" is a name check.
// Record types in column 1 drive the chained VI jobs (docs/erp/sage100.md):
//   D  deposit        → AR_CashReceiptsDeposit
//   H  receipt header → AR_CashReceiptsHeader
//   L  applied line   → AR_CashReceiptsDetail (one per invoice, cash in AmountPosted; a credit
//                       memo applied is a line with a negative amount; DiscountApplied = discount taken)
//   M  credit memo    → AR_InvoiceHeader (InvoiceType CM), in its own file.
// Dates are YYYYMMDD; amounts plain decimals; no header row.

export const VI_DEPOSIT_COLUMNS = ['RecordType', 'BatchNo', 'DepositNo', 'DepositType', 'DepositDate', 'BankCode', 'DepositAmount', 'Description'] as const;
export const VI_HEADER_COLUMNS = ['RecordType', 'BatchNo', 'DepositNo', 'ARDivisionNo', 'CustomerNo', 'CheckNo', 'PaymentType', 'PostingAmount', 'PostingComment'] as const;
// The line's cash goes to AR_CashReceiptsDetail.AmountPosted (the column public Sage 100 SQL reads); the discount column's name is unconfirmed.
export const VI_LINE_COLUMNS = ['RecordType', 'BatchNo', 'DepositNo', 'ARDivisionNo', 'CustomerNo', 'CheckNo', 'InvoiceNo', 'InvoiceType', 'AmountPosted', 'DiscountApplied'] as const;
export const VI_CREDIT_MEMO_COLUMNS = ['RecordType', 'ARDivisionNo', 'CustomerNo', 'InvoiceNo', 'InvoiceType', 'InvoiceDate', 'ApplyToInvoiceNo', 'Amount', 'Comment'] as const;

export type ViReceipt = Readonly<{
  batchNo: string;
  depositNo: string;
  depositType: string;
  date: string;
  bankCode: string;
  divisionNo: string;
  customerNo: string;
  checkNo: string;
  paymentType: string;
  amountCents: Cents;
  comment: string;
  /** amountCents < 0: an open credit (CM) applied; discountCents: the early-payment discount taken on the invoice. */
  lines: ReadonlyArray<Readonly<{ invoiceNo: string; invoiceType: string; amountCents: Cents; discountCents?: Cents }>>;
}>;

export type ViCreditMemo = Readonly<{
  divisionNo: string;
  customerNo: string;
  invoiceNo: string;
  date: string;
  applyToInvoiceNo: string;
  amountCents: Cents;
  comment: string;
}>;

export const viDate = (isoDate: string): string => isoDate.replace(/-/g, '');

export function receiptFileName(checkNo: string): string {
  return `TIEOUT-CR-${checkNo}.csv`;
}

export function creditMemoFileName(invoiceNo: string): string {
  return `TIEOUT-CM-${invoiceNo}.csv`;
}

export function renderReceipt(r: ViReceipt): string {
  const money = (c: Cents): string => centsToDecimalString(c);
  const rows: string[][] = [
    ['D', r.batchNo, r.depositNo, r.depositType, viDate(r.date), r.bankCode, money(r.amountCents), `Tieout ${r.date}`],
    ['H', r.batchNo, r.depositNo, r.divisionNo, r.customerNo, r.checkNo, r.paymentType, money(r.amountCents), r.comment],
    ...r.lines.map((l) => ['L', r.batchNo, r.depositNo, r.divisionNo, r.customerNo, r.checkNo, l.invoiceNo, l.invoiceType, money(l.amountCents), money(l.discountCents ?? (0 as Cents))]),
  ];
  return stringify(rows, { record_delimiter: '\r\n' });
}

export function renderCreditMemo(m: ViCreditMemo): string {
  return stringify(
    [['M', m.divisionNo, m.customerNo, m.invoiceNo, 'CM', viDate(m.date), m.applyToInvoiceNo, centsToDecimalString(m.amountCents), m.comment]],
    { record_delimiter: '\r\n' },
  );
}

/** Temp name first, then rename: the VI job never sees half a file. Refuses to replace a pending file. */
export async function writeImportFileAtomically(folder: string, name: string, content: string): Promise<string> {
  if (!folder) throw new ErpError('config', 'Sage 100 setting viFolder (VI import folder) is empty');
  try {
    const s = await stat(folder);
    if (!s.isDirectory()) throw new ErpError('config', `VI import folder ${folder} is not a folder`);
  } catch (e) {
    if (e instanceof ErpError) throw e;
    throw new ErpError('config', `VI import folder ${folder} does not exist or cannot be read`, { cause: e });
  }
  const target = join(folder, name);
  if (existsSync(target)) throw new ErpError('unknown_outcome', `VI file ${name} is still waiting in the import folder`);
  const temp = join(folder, `.${name}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, content, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    // Nothing reached the folder under its real name: safe to retry.
    throw new ErpError('transient', `Could not write VI file ${name} to ${folder}`, { cause: e });
  }
  return target;
}

export function isPending(folder: string, name: string): boolean {
  return folder !== '' && existsSync(join(folder, name));
}

/** The log the site's VI wrapper leaves beside a file it could not import, if any. */
export async function readRejection(folder: string, rejectedSub: string, name: string): Promise<string | null> {
  if (!folder || !rejectedSub) return null;
  try {
    return (await readFile(join(folder, rejectedSub, `${name}.log`), 'utf8')).trim();
  } catch {
    return null;
  }
}

/** Moves an old rejection aside so a corrected retry is judged on its own log. */
export async function archiveRejection(folder: string, rejectedSub: string, name: string): Promise<void> {
  if (!folder || !rejectedSub) return;
  const log = join(folder, rejectedSub, `${name}.log`);
  if (!existsSync(log)) return;
  const archive = join(folder, rejectedSub, 'seen');
  await mkdir(archive, { recursive: true });
  await rename(log, join(archive, `${name}.${Date.now()}.log`));
}
