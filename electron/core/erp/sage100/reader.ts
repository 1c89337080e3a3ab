import type { Customer, OpenInvoice, PaymentTerms } from '@shared/domain';
import { termsFromParts } from '../terms';
import { cents, type Cents } from '@shared/money';
import type { CreditMemoRecord, ReceiptAllocation, ReceiptRecord } from '../connector';
import { ErpError } from '../errors';
import { checkNoForReference, creditMemoNoForReference } from './check-no';
import type { OdbcRow, OdbcSession } from './odbc-session';
import type { Sage100Options } from './options';
import { dateEscape, money, optionalDate, requiredDate, requiredText, text } from './sql';

// Reads: single-table statements on key columns only, paged by key ranges
// (WHERE key > last ORDER BY key, AND only: no OR) and fetched through a cursor,
// because the ProvideX driver has no JOIN worth trusting, no UNION, no reliable
// LIMIT/TOP, and fails on OR-heavy predicates (providex-sql.ts).

export type Sage100Reader = Readonly<{
  customers(): AsyncIterable<readonly Customer[]>;
  openInvoices(since?: string, pageSize?: number): AsyncIterable<readonly OpenInvoice[]>;
  invoiceForCustomer(customerNo: string, invoiceNo: string): Promise<{ invoiceType: string; balanceCents: Cents } | null>;
  /** An open credit (openCreditTypes, e.g. CM) of the customer; balance negative whichever sign the row stores. */
  creditForCustomer(customerNo: string, invoiceNo: string): Promise<{ invoiceType: string; balanceCents: Cents } | null>;
  customerExists(customerNo: string): Promise<boolean>;
  receiptInHistory(reference: string): Promise<ReceiptRecord | null>;
  receiptUnposted(reference: string): Promise<ReceiptRecord | null>;
  creditMemo(reference: string): Promise<CreditMemoRecord | null>;
}>;

export function createSage100Reader(session: OdbcSession, options: Sage100Options): Sage100Reader {
  const div = options.divisionNo;
  const names = new Map<string, string>();

  async function* customers(): AsyncIterable<readonly Customer[]> {
    let after = '';
    for (;;) {
      const rows = await session.query(
        'SELECT CustomerNo, CustomerName, EmailAddress FROM AR_Customer WHERE ARDivisionNo = ? AND CustomerNo > ? ORDER BY CustomerNo',
        [div, after],
        options.pageSize,
      );
      const page: Customer[] = rows.map((row) => {
        const customerId = requiredText(row, 'CustomerNo', { table: 'AR_Customer', key: `${div}-?` });
        const name = text(row, 'CustomerName');
        names.set(customerId, name);
        const email = text(row, 'EmailAddress');
        return email ? { customerId, name, email } : { customerId, name };
      });
      if (page.length > 0) yield page;
      const last = page[page.length - 1];
      if (rows.length < options.pageSize || !last) return;
      after = last.customerId;
    }
  }

  const customerTerms = new Map<string, string>();

  async function customerName(customerNo: string): Promise<string | undefined> {
    const known = names.get(customerNo);
    if (known !== undefined && customerTerms.has(customerNo)) return known || undefined;
    const rows = await session.query('SELECT CustomerName, TermsCode FROM AR_Customer WHERE ARDivisionNo = ? AND CustomerNo = ?', [div, customerNo], 1);
    const row = rows[0];
    const name = row ? text(row, 'CustomerName') : '';
    names.set(customerNo, name);
    customerTerms.set(customerNo, row ? text(row, 'TermsCode') : '');
    return name || undefined;
  }

  /**
   * AR_TermsCode → discount terms (a small master table, read once per open-item
   * read). DiscountRate is a percent (2.000 = 2%) and the day counts run from the
   * invoice date [public SQL over ar_termscode; the rate's unit is unconfirmed].
   */
  async function termsCodes(): Promise<Map<string, PaymentTerms>> {
    const out = new Map<string, PaymentTerms>();
    if (!options.termsTable) return out;
    const rows = await session.query(`SELECT TermsCode, DaysBeforeDue, DaysBeforeDiscountDue, DiscountRate FROM ${options.termsTable}`, [], 10_000);
    for (const row of rows) {
      const t = termsFromParts({ rate: row['DiscountRate'], discountDays: row['DaysBeforeDiscountDue'], netDays: row['DaysBeforeDue'] });
      if (t) out.set(text(row, 'TermsCode'), t);
    }
    return out;
  }

  /**
   * The original total: the sum of `invoiceAmountColumns` (AR_OpenInvoice has no
   * InvoiceAmt; its amount columns are TaxableAmt, NonTaxableAmt, FreightAmt,
   * SalesTaxAmt [UtahGooner/sage100-ddl CHI/AR_OpenInvoice.sql]). A prepayment row
   * has no invoice amounts, so a credit without them is its balance.
   */
  function total(row: OdbcRow, ctx: { table: string; key: string }, credit: boolean, balance: Cents): Cents {
    if (options.invoiceAmountColumns.length === 0) return balance;
    let amount = 0;
    for (const column of options.invoiceAmountColumns) amount += money(row, column, ctx);
    if (!Number.isSafeInteger(amount)) throw new ErpError('malformed', `${ctx.table} ${ctx.key}: invoice amounts add up to more than an amount can hold`);
    if (!credit) return cents(amount);
    return amount === 0 ? balance : cents(-Math.abs(amount));
  }

  /**
   * Every AR_OpenInvoice row with a balance, in key order, a page at a time.
   * Paged without OR: the ProvideX driver fails on OR-heavy predicates, so the
   * usual `(a > ? OR (a = ? AND b > ?))` key range becomes two AND-only reads:
   * finish the current customer (`CustomerNo = ? AND InvoiceNo >= ?`, rows up to
   * the last key skipped here), then move on (`CustomerNo > ?`).
   */
  async function* openItemRows(columns: string, sinceClause: string, size: number): AsyncIterable<readonly OdbcRow[]> {
    const base = `SELECT ${columns} FROM AR_OpenInvoice WHERE ARDivisionNo = ? AND Balance <> 0${sinceClause}`;
    let last: { customer: string; invoice: string; type: string } | null = null;
    let withinCustomer = false;
    for (;;) {
      let rows: OdbcRow[];
      if (!last) {
        rows = await session.query(`${base} ORDER BY CustomerNo, InvoiceNo, InvoiceType`, [div], size);
      } else if (withinCustomer) {
        rows = await session.query(`${base} AND CustomerNo = ? AND InvoiceNo >= ? ORDER BY InvoiceNo, InvoiceType`, [div, last.customer, last.invoice], size);
      } else {
        rows = await session.query(`${base} AND CustomerNo > ? ORDER BY CustomerNo, InvoiceNo, InvoiceType`, [div, last.customer], size);
      }
      const after = withinCustomer ? last : null;
      const fresh = after
        ? rows.filter((r) => {
            const invoice = text(r, 'InvoiceNo');
            return invoice > after.invoice || (invoice === after.invoice && text(r, 'InvoiceType').toUpperCase() > after.type);
          })
        : rows;
      if (fresh.length > 0) yield fresh;
      const tail = rows[rows.length - 1];
      if (rows.length < size || !tail) {
        if (!withinCustomer || !last) return;
        withinCustomer = false; // this customer is done; the next read starts after it
        continue;
      }
      if (withinCustomer && fresh.length === 0) {
        throw new ErpError('config', `Sage 100 setting pageSize (${size}) is smaller than the open items of one invoice number of customer ${last?.customer}`);
      }
      last = { customer: text(tail, 'CustomerNo'), invoice: text(tail, 'InvoiceNo'), type: text(tail, 'InvoiceType').toUpperCase() };
      withinCustomer = true;
    }
  }

  async function* openInvoices(since?: string, pageSize?: number): AsyncIterable<readonly OpenInvoice[]> {
    const size = pageSize ?? options.pageSize;
    const po = options.poNumberColumn ? `, ${options.poNumberColumn}` : '';
    const totalCols = options.invoiceAmountColumns.map((c) => `, ${c}`).join('');
    const termsCol = options.invoiceTermsColumn ? `, ${options.invoiceTermsColumn}` : '';
    const terms = await termsCodes();
    // The since filter goes in as a date escape, not a bound parameter: ProvideX compares dates reliably that way.
    const sinceClause = since ? ` AND InvoiceDate >= ${dateEscape(since.slice(0, 10))}` : '';
    const wanted = new Set(options.invoiceTypes);
    const creditTypes = new Set(options.openCreditTypes);
    const columns = `CustomerNo, InvoiceNo, InvoiceType, InvoiceDate, InvoiceDueDate, Balance${totalCols}${po}${termsCol}`;
    for await (const rows of openItemRows(columns, sinceClause, size)) {
      const page: OpenInvoice[] = [];
      for (const row of rows) {
        const customerId = requiredText(row, 'CustomerNo', { table: 'AR_OpenInvoice', key: `${div}-?` });
        const invoiceNo = requiredText(row, 'InvoiceNo', { table: 'AR_OpenInvoice', key: `${div}-${customerId}-?` });
        const invoiceType = text(row, 'InvoiceType').toUpperCase();
        const ctx = { table: 'AR_OpenInvoice', key: `${div}-${customerId}-${invoiceNo}-${invoiceType}` };
        const invoiceDate = requiredDate(row, 'InvoiceDate', ctx);
        const dueDate = optionalDate(row, 'InvoiceDueDate', ctx);
        const rawBalance = money(row, 'Balance', ctx);
        const credit = creditTypes.has(invoiceType);
        if (!wanted.has(invoiceType) && !credit) continue;
        // A credit is negative whichever sign the row stores (PP is negative; CM is unconfirmed).
        const balance = credit ? cents(-Math.abs(rawBalance)) : rawBalance;
        const name = await customerName(customerId);
        const termsCode = options.invoiceTermsColumn ? text(row, options.invoiceTermsColumn) : (customerTerms.get(customerId) ?? '');
        const itemTerms = credit || balance <= 0 ? undefined : terms.get(termsCode);
        page.push({
          invoiceNo,
          customerId,
          ...(name ? { customerName: name } : {}),
          invoiceDate,
          dueDate,
          amountCents: total(row, ctx, credit, balance),
          openBalanceCents: balance,
          currency: options.currency,
          poNo: options.poNumberColumn ? text(row, options.poNumberColumn) : '',
          ...(itemTerms ? { terms: itemTerms } : {}),
        });
      }
      if (page.length > 0) yield page;
    }
  }

  /** One AR_OpenInvoice row of the customer whose type is one of `types`; the whole row is parsed strictly (a receipt is never built on data we could not read). */
  async function openItemForCustomer(customerNo: string, invoiceNo: string, types: readonly string[]): Promise<{ invoiceType: string; balanceCents: Cents } | null> {
    const rows = await session.query(
      'SELECT InvoiceType, InvoiceDate, Balance FROM AR_OpenInvoice WHERE ARDivisionNo = ? AND CustomerNo = ? AND InvoiceNo = ?',
      [div, customerNo, invoiceNo],
    );
    const ctx = { table: 'AR_OpenInvoice', key: `${div}-${customerNo}-${invoiceNo}` };
    for (const row of rows) {
      const invoiceType = text(row, 'InvoiceType').toUpperCase();
      requiredDate(row, 'InvoiceDate', ctx);
      if (types.includes(invoiceType)) return { invoiceType, balanceCents: money(row, 'Balance', ctx) };
    }
    return null;
  }

  const invoiceForCustomer = (customerNo: string, invoiceNo: string) => openItemForCustomer(customerNo, invoiceNo, options.invoiceTypes);

  /** An open credit of the customer, its balance negative whatever sign Sage stores. */
  async function creditForCustomer(customerNo: string, invoiceNo: string): Promise<{ invoiceType: string; balanceCents: Cents } | null> {
    const credit = await openItemForCustomer(customerNo, invoiceNo, options.openCreditTypes);
    return credit && { invoiceType: credit.invoiceType, balanceCents: cents(-Math.abs(credit.balanceCents)) };
  }

  async function customerExists(customerNo: string): Promise<boolean> {
    const rows = await session.query('SELECT CustomerNo FROM AR_Customer WHERE ARDivisionNo = ? AND CustomerNo = ?', [div, customerNo], 1);
    return rows.length > 0;
  }

  function recordFromHistory(reference: string, checkNo: string, rows: readonly OdbcRow[]): ReceiptRecord {
    const first = rows[0];
    if (!first) throw new Error('recordFromHistory needs rows');
    const ctx = { table: 'AR_CashReceiptsHistory', key: `CheckNo ${checkNo}` };
    let total = 0;
    const allocations: ReceiptAllocation[] = [];
    for (const row of rows) {
      const amount = money(row, 'CashAmountApplied', ctx);
      total += amount;
      // PP rows are the unapplied remainder Sage keeps on account.
      if (text(row, 'InvoiceType').toUpperCase() !== 'PP') allocations.push({ invoiceNo: requiredText(row, 'InvoiceNo', ctx), amountCents: amount });
    }
    // Each amount is safe; their sum need not be (fuzz finding): a malformed reply, not a MoneyParseError.
    if (!Number.isSafeInteger(total)) throw new ErpError('malformed', `${ctx.table} ${ctx.key}: applied amounts add up to more than an amount can hold`);
    return {
      reference,
      erpDocumentId: `${text(first, 'DepositNo')}-${checkNo}`,
      customerId: requiredText(first, 'CustomerNo', ctx),
      amountCents: cents(total),
      date: requiredDate(first, 'DepositDate', ctx),
      allocations,
    };
  }

  async function receiptInHistory(reference: string): Promise<ReceiptRecord | null> {
    const checkNo = checkNoForReference(reference);
    // History has an index led by CheckNo (KEY4 in the live DDL [UtahGooner/sage100-ddl]), so this is a keyed read.
    const rows = await session.query(
      'SELECT DepositNo, DepositDate, CustomerNo, InvoiceNo, InvoiceType, CashAmountApplied, CheckNo FROM AR_CashReceiptsHistory WHERE CheckNo = ?',
      [checkNo],
    );
    if (rows.length === 0) return null;
    // One CheckNo could be reused by a paper check of another customer; the first deposit's rows form the receipt.
    const firstDeposit = text(rows[0]!, 'DepositNo');
    const firstCustomer = text(rows[0]!, 'CustomerNo');
    return recordFromHistory(reference, checkNo, rows.filter((r) => text(r, 'DepositNo') === firstDeposit && text(r, 'CustomerNo') === firstCustomer));
  }

  /**
   * A receipt imported into Cash Receipts Entry but not yet posted by the journal
   * update: its AR_CashReceiptsDetail rows (AmountPosted per line, keyed with the
   * header by DepositNo, ARDivisionNo, CustomerNo, CheckNo [public SQL views over
   * a Sage 100 company]). The header itself carries no amount.
   */
  async function receiptUnposted(reference: string): Promise<ReceiptRecord | null> {
    if (!options.unpostedDetailTable) return null;
    const checkNo = checkNoForReference(reference);
    const rows = await session.query(
      `SELECT DepositNo, CustomerNo, CheckNo, InvoiceNo, AmountPosted FROM ${options.unpostedDetailTable} WHERE CheckNo = ?`,
      [checkNo],
    );
    const first = rows[0];
    if (!first) return null;
    const deposit = text(first, 'DepositNo');
    const customer = text(first, 'CustomerNo');
    const ctx = { table: options.unpostedDetailTable, key: `CheckNo ${checkNo}` };
    let amount = 0;
    const allocations: ReceiptAllocation[] = [];
    for (const row of rows.filter((r) => text(r, 'DepositNo') === deposit && text(r, 'CustomerNo') === customer)) {
      const posted = money(row, 'AmountPosted', ctx);
      amount += posted;
      const invoiceNo = requiredText(row, 'InvoiceNo', ctx);
      // Cash left on account is a line naming the receipt's own CheckNo (a prepayment to be).
      if (invoiceNo !== checkNo) allocations.push({ invoiceNo, amountCents: posted });
    }
    if (!Number.isSafeInteger(amount)) throw new ErpError('malformed', `${ctx.table} ${ctx.key}: posted amounts add up to more than an amount can hold`);
    return {
      reference,
      erpDocumentId: `unposted:${deposit}-${checkNo}`,
      customerId: requiredText(first, 'CustomerNo', ctx),
      amountCents: cents(amount),
      date: '',
      allocations,
    };
  }

  async function creditMemo(reference: string): Promise<CreditMemoRecord | null> {
    const invoiceNo = creditMemoNoForReference(reference);
    const rows = await session.query(
      "SELECT CustomerNo, InvoiceNo, InvoiceDate, Balance FROM AR_OpenInvoice WHERE ARDivisionNo = ? AND InvoiceNo = ? AND InvoiceType = 'CM'",
      [div, invoiceNo],
      1,
    );
    const row = rows[0];
    if (!row) return null;
    const ctx = { table: 'AR_OpenInvoice', key: `${div}-?-${invoiceNo}-CM` };
    return {
      reference,
      erpDocumentId: `CM-${invoiceNo}`,
      customerId: requiredText(row, 'CustomerNo', ctx),
      amountCents: cents(Math.abs(money(row, 'Balance', ctx))),
      date: requiredDate(row, 'InvoiceDate', ctx),
    };
  }

  return { customers, openInvoices, invoiceForCustomer, creditForCustomer, customerExists, receiptInHistory, receiptUnposted, creditMemo };
}

export function assertIsoDate(value: string, field: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ErpError('validation', `${field} must be YYYY-MM-DD (got "${value}")`);
}
