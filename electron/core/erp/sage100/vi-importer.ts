import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type odbc from 'odbc';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';

// The sandbox's stand-in for the site's Visual Integrator job plus the Cash
// Receipts Journal update: it takes TIEOUT-*.csv files from the import folder,
// validates them the way Sage would, writes history and reduces balances in
// one transaction, and moves each file to imported/ or rejected/ (+ .log).
// It writes through ODBC so the same SQLite library guards the file.

const FILE_PATTERN = /^TIEOUT-(CR|CM)-[A-Z0-9]+\.csv$/;

export type ImportResult = Readonly<{ file: string; ok: boolean; message: string }>;

class Rejection extends Error {}

function toIso(viDate: string): string {
  if (!/^\d{8}$/.test(viDate)) throw new Rejection(`date "${viDate}" is not YYYYMMDD`);
  return `${viDate.slice(0, 4)}-${viDate.slice(4, 6)}-${viDate.slice(6, 8)}`;
}

function amount(text: string | undefined, what: string): Cents {
  try {
    return parseDecimalToCents(text ?? '');
  } catch {
    throw new Rejection(`${what} "${text}" is not an amount`);
  }
}

async function one(connection: odbc.Connection, sql: string, params: string[]): Promise<Record<string, unknown> | undefined> {
  const rows = await connection.query<Record<string, unknown>>(sql, params);
  return rows[0];
}

/**
 * How the next import behaves, for the sandbox's real failure modes:
 * - post: VI imports and the Cash Receipts Journal update posts to history (normal);
 * - unposted: VI imports into the entry tables (Header/Detail) and nobody has run the update yet;
 * - nothing: the job runs and ends without importing a record (accepted-not-booked);
 * - drop-last-line: VI rejects the last detail line, imports the rest, and says so in the job log;
 * - refuse: the job log carries this error and nothing is imported.
 */
export type ImportBehaviour = Readonly<{ kind: 'post' } | { kind: 'unposted' } | { kind: 'nothing' } | { kind: 'drop-last-line' } | { kind: 'refuse'; log: string }>;

const POST: ImportBehaviour = { kind: 'post' };

async function importReceipt(
  connection: odbc.Connection,
  records: string[][],
  ownTransaction: boolean,
  behaviour: ImportBehaviour,
  writeLog: (text: string) => Promise<void>,
): Promise<string> {
  if (behaviour.kind === 'refuse') throw new Rejection(behaviour.log);
  const deposit = records.find((r) => r[0] === 'D');
  const header = records.find((r) => r[0] === 'H');
  const allLines = records.filter((r) => r[0] === 'L');
  // VI validates each record on its own: a line it refuses is logged and skipped, the rest import.
  const dropped = behaviour.kind === 'drop-last-line' && allLines.length > 1 ? allLines[allLines.length - 1] : undefined;
  const lines = dropped ? allLines.slice(0, -1) : allLines;
  if (!deposit || !header) throw new Rejection('file needs one D (deposit) and one H (receipt header) record');
  const [, batchNo = '', depositNo = '', depositType = '', depositDate = '', bankCode = '', depositAmount, description = ''] = deposit;
  const [, , , division = '', customerNo = '', checkNo = '', paymentType = '', postingAmount] = header;
  // The job ran and ended cleanly: no log in rejected/, nothing booked.
  if (behaviour.kind === 'nothing') return `job ran: 0 records imported for ${checkNo}`;
  const date = toIso(depositDate);
  const total = amount(postingAmount, 'PostingAmount');
  amount(depositAmount, 'DepositAmount');
  if (!checkNo || checkNo.length > 10) throw new Rejection(`CheckNo "${checkNo}" must be 1-10 characters`);
  const customer = await one(connection, 'SELECT CustomerNo FROM AR_Customer WHERE ARDivisionNo = ? AND CustomerNo = ?', [division, customerNo]);
  if (!customer) throw new Rejection(`Customer ${division}-${customerNo} not on file`);

  let applied = 0;
  const updates: Array<{ invoiceNo: string; invoiceType: string; cents: Cents; discount: Cents; newBalance: number }> = [];
  for (const l of lines) {
    const [, , , , lineCustomer = '', lineCheck = '', invoiceNo = '', invoiceType = '', cash, discountText] = l;
    if (lineCustomer !== customerNo || lineCheck !== checkNo) throw new Rejection(`line for ${invoiceNo} does not belong to the header`);
    const cents = amount(cash, `CashApplied for ${invoiceNo}`);
    const discount = discountText ? amount(discountText, `DiscountApplied for ${invoiceNo}`) : (0 as Cents);
    const row = await one(
      connection,
      'SELECT Balance FROM AR_OpenInvoice WHERE ARDivisionNo = ? AND CustomerNo = ? AND InvoiceNo = ? AND InvoiceType = ?',
      [division, customerNo, invoiceNo, invoiceType],
    );
    if (!row) throw new Rejection(`Invoice ${invoiceNo} (${invoiceType}) not open for ${customerNo}`);
    const balance = parseDecimalToCents(row['Balance'] as number);
    if (discount < 0) throw new Rejection(`Invoice ${invoiceNo}: DiscountApplied ${centsToDecimalString(discount)} is negative`);
    if (cents < 0 || balance < 0) {
      // A credit memo applied in Cash Receipts Entry: a negative line against a negative balance, no discount.
      if (!(cents < 0 && balance < 0)) throw new Rejection(`Invoice ${invoiceNo} (${invoiceType}): a negative amount only applies a credit (balance ${centsToDecimalString(balance)})`);
      if (discount !== 0) throw new Rejection(`Invoice ${invoiceNo} (${invoiceType}): no discount on a credit`);
      if (cents < balance) throw new Rejection(`Credit ${invoiceNo}: applying ${centsToDecimalString(cents)} exceeds balance ${centsToDecimalString(balance)}`);
    } else if (cents + discount > balance) {
      throw new Rejection(`Invoice ${invoiceNo}: applying ${centsToDecimalString(cents)}${discount ? ` and discount ${centsToDecimalString(discount)}` : ''} exceeds balance ${centsToDecimalString(balance)}`);
    }
    applied += cents;
    updates.push({ invoiceNo, invoiceType, cents, discount, newBalance: balance - cents - discount });
  }
  if (applied > total) throw new Rejection('lines apply more than the posting amount');

  if (ownTransaction) await connection.beginTransaction();
  try {
    const existingDeposit = await one(connection, 'SELECT CashDepositAmt FROM AR_CashReceiptsDeposit WHERE DepositNo = ?', [depositNo]);
    if (existingDeposit) {
      const sum = parseDecimalToCents(existingDeposit['CashDepositAmt'] as number) + total;
      await connection.query('UPDATE AR_CashReceiptsDeposit SET CashDepositAmt = ? WHERE DepositNo = ?', [centsToDecimalString(sum), depositNo]);
    } else {
      await connection.query(
        `INSERT INTO AR_CashReceiptsDeposit (DepositNo, BatchNo, DepositType, DepositDate, BankCode, Description, CashDepositAmt, CashBalanceAmt, DepositBalance)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)`,
        [depositNo, batchNo, depositType, date, bankCode, description, centsToDecimalString(total)],
      );
    }
    if (behaviour.kind === 'unposted') {
      // Imported into Cash Receipts Entry, journal not yet updated: header + one detail row per line, AmountPosted per line.
      await connection.query('INSERT INTO AR_CashReceiptsHeader (DepositNo, ARDivisionNo, CustomerNo, CheckNo, BatchNo) VALUES (?, ?, ?, ?, ?)', [
        depositNo, division, customerNo, checkNo, batchNo,
      ]);
      const detail = (invoiceNo: string, cents: number): Promise<unknown> =>
        connection.query('INSERT INTO AR_CashReceiptsDetail (DepositNo, ARDivisionNo, CustomerNo, CheckNo, InvoiceNo, AmountPosted) VALUES (?, ?, ?, ?, ?, ?)', [
          depositNo, division, customerNo, checkNo, invoiceNo, centsToDecimalString(cents),
        ]);
      for (const u of updates) await detail(u.invoiceNo, u.cents);
      if (total - applied > 0) await detail(checkNo, total - applied);
      if (ownTransaction) await connection.commit();
      return `imported receipt ${checkNo} into deposit ${depositNo} (not yet posted)`;
    }
    const seqRow = await one(connection, 'SELECT COUNT(*) AS n FROM AR_CashReceiptsHistory WHERE DepositNo = ?', [depositNo]);
    let seq = Number(seqRow?.['n'] ?? 0);
    const history = async (invoiceNo: string, invoiceType: string, cents: number, balance: number, discount = 0): Promise<void> => {
      seq += 1;
      await connection.query(
        `INSERT INTO AR_CashReceiptsHistory (BankCode, DepositDate, DepositNo, DepositType, ARDivisionNo, CustomerNo, CheckNo, SequenceNo,
           PostingDate, InvoiceNo, InvoiceType, DepositDesc, BatchNo, CashAmountApplied, DiscountAmountApplied, InvoiceBalance,
           CreditCardEntryNo, PaymentType, CardType, Last4UnencryptedCreditCardNos)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '000000', ?, '', '')`,
        [bankCode, date, depositNo, depositType, division, customerNo, checkNo, String(seq).padStart(6, '0'), date, invoiceNo, invoiceType,
          description, batchNo, centsToDecimalString(cents), centsToDecimalString(discount), centsToDecimalString(balance), paymentType],
      );
    };
    for (const u of updates) {
      await connection.query(
        'UPDATE AR_OpenInvoice SET Balance = ? WHERE ARDivisionNo = ? AND CustomerNo = ? AND InvoiceNo = ? AND InvoiceType = ?',
        [centsToDecimalString(u.newBalance), division, customerNo, u.invoiceNo, u.invoiceType],
      );
      await history(u.invoiceNo, u.invoiceType, u.cents, u.newBalance, u.discount);
    }
    const unapplied = total - applied;
    if (unapplied > 0) {
      // Sage keeps unapplied cash as a prepayment (PP) open item with a negative balance.
      await connection.query(
        `INSERT INTO AR_OpenInvoice (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType, InvoiceDate, InvoiceDueDate, Balance, PostingDate, Comment, CheckNo, CustomerPONo)
         VALUES (?, ?, ?, 'PP', ?, '1753-01-01', ?, ?, 'Unapplied cash', ?, '')`,
        [division, customerNo, checkNo, date, centsToDecimalString(-unapplied), date, checkNo],
      );
      await history(checkNo, 'PP', unapplied, -unapplied);
    }
    // The job log is on disk before the booking shows, as a job writes its log while it runs; the file itself leaves the folder last.
    if (dropped) {
      const [, , , , , , invoiceNo = '', invoiceType = ''] = dropped;
      await writeLog(`Line for InvoiceNo ${invoiceNo} (${invoiceType}) rejected: Invoice is not on file or is already paid. Records Imported: ${lines.length}, Records Failed: 1`);
    }
    if (ownTransaction) await connection.commit();
  } catch (e) {
    if (ownTransaction) await connection.rollback();
    throw e;
  }
  return `imported receipt ${checkNo} into deposit ${depositNo}${dropped ? ' without its last line' : ''}`;
}

async function importCreditMemo(connection: odbc.Connection, records: string[][]): Promise<string> {
  const m = records.find((r) => r[0] === 'M');
  if (!m) throw new Rejection('file needs one M (credit memo) record');
  const [, division = '', customerNo = '', invoiceNo = '', invoiceType = '', invoiceDate = '', , amountText, comment = ''] = m;
  if (invoiceType !== 'CM') throw new Rejection(`InvoiceType must be CM (got ${invoiceType})`);
  if (!invoiceNo || invoiceNo.length > 7) throw new Rejection(`InvoiceNo "${invoiceNo}" must be 1-7 characters`);
  const date = toIso(invoiceDate);
  const cents = amount(amountText, 'Amount');
  const customer = await one(connection, 'SELECT CustomerNo FROM AR_Customer WHERE ARDivisionNo = ? AND CustomerNo = ?', [division, customerNo]);
  if (!customer) throw new Rejection(`Customer ${division}-${customerNo} not on file`);
  const clash = await one(connection, 'SELECT InvoiceNo FROM AR_OpenInvoice WHERE ARDivisionNo = ? AND CustomerNo = ? AND InvoiceNo = ? AND InvoiceType = ?', [
    division, customerNo, invoiceNo, 'CM',
  ]);
  if (clash) throw new Rejection(`Credit memo ${invoiceNo} already on file`);
  await connection.query(
    `INSERT INTO AR_OpenInvoice (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType, InvoiceDate, InvoiceDueDate, Balance, PostingDate, Comment, CheckNo, CustomerPONo)
     VALUES (?, ?, ?, 'CM', ?, '1753-01-01', ?, ?, ?, '', '')`,
    [division, customerNo, invoiceNo, date, centsToDecimalString(-cents), date, comment],
  );
  return `imported credit memo ${invoiceNo}`;
}

/**
 * Imports every waiting file once, oldest name first. With `ownTransactions`
 * false the caller has opened a transaction and decides when to commit.
 */
export async function importWaitingFiles(
  connection: odbc.Connection,
  folder: string,
  rejectedSub: string,
  ownTransactions = true,
  nextBehaviour: () => ImportBehaviour = () => POST,
): Promise<ImportResult[]> {
  const names = (await readdir(folder)).filter((n) => FILE_PATTERN.test(n)).sort();
  const results: ImportResult[] = [];
  for (const name of names) {
    const path = join(folder, name);
    let message: string;
    try {
      const records = parse(await readFile(path, 'utf8'), { relax_column_count: true, skip_empty_lines: true }) as string[][];
      if (name.startsWith('TIEOUT-CR-')) {
        // The job log of a partial import sits where the site's wrapper leaves logs.
        const writeLog = async (text: string): Promise<void> => {
          await mkdir(join(folder, rejectedSub), { recursive: true });
          await writeFile(join(folder, rejectedSub, `${name}.log`), `${text}\n`);
        };
        message = await importReceipt(connection, records, ownTransactions, nextBehaviour(), writeLog);
      } else {
        message = await importCreditMemo(connection, records);
      }
    } catch (e) {
      if (!(e instanceof Rejection)) throw e; // a locked or broken database: leave the file for the next run
      await mkdir(join(folder, rejectedSub), { recursive: true });
      await writeFile(join(folder, rejectedSub, `${name}.log`), `${e.message}\n`);
      await rename(path, join(folder, rejectedSub, name));
      results.push({ file: name, ok: false, message: e.message });
      continue;
    }
    await mkdir(join(folder, 'imported'), { recursive: true });
    await rename(path, join(folder, 'imported', `${Date.now()}-${name}`));
    results.push({ file: name, ok: true, message });
  }
  return results;
}
