import Database from 'better-sqlite3';
import type { Customer, OpenInvoice } from '@shared/domain';
import { centsToDecimalString } from '@shared/money';
import { formatTerms, termsPercent } from '../../../core/erp/terms';

// The sandbox company: a SQLite file with the Sage 100 AR tables and column
// names from the reference (§4), read by the connector through unixODBC and
// the SQLite ODBC driver, exactly as it reads ProvideX data through the
// MAS 90 driver. Seeded once with better-sqlite3 and closed before any ODBC
// connection opens, so two SQLite libraries never hold the file together.

// Declared widths matter: the driver reports TEXT as a 64 KB LONGVARCHAR and
// the odbc package then allocates that much per cell of every fetched row.
// Widths follow the v4.40 layouts where known; dates are DATE as in ProvideX.
const SCHEMA = `
CREATE TABLE AR_Customer (
  ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, CustomerName VARCHAR(50), AddressLine1 VARCHAR(30),
  City VARCHAR(20), State VARCHAR(2), ZipCode VARCHAR(10), TelephoneNo VARCHAR(17), EmailAddress VARCHAR(250), TermsCode VARCHAR(2),
  CreditLimit NUMERIC(14,2), CurrentBalance NUMERIC(14,2), DateUpdated DATE, PRIMARY KEY (ARDivisionNo, CustomerNo));
CREATE TABLE AR_OpenInvoice (
  ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, InvoiceNo VARCHAR(10) NOT NULL, InvoiceType VARCHAR(2) NOT NULL,
  InvoiceDate DATE, InvoiceDueDate DATE, Balance NUMERIC(14,2), InvoiceHistoryHeaderSeqNo VARCHAR(6), PostingDate DATE,
  Comment VARCHAR(30), CheckNo VARCHAR(10), CustomerPONo VARCHAR(15), InvoiceAmt NUMERIC(14,2), TermsCode VARCHAR(2),
  PRIMARY KEY (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType));
CREATE TABLE AR_TermsCode (
  TermsCode VARCHAR(2) NOT NULL PRIMARY KEY, TermsCodeDesc VARCHAR(30), DaysBeforeDue NUMERIC(3,0), DaysBeforeDiscountDue NUMERIC(3,0),
  DiscountRate NUMERIC(6,3));
CREATE TABLE AR_CashReceiptsHistory (
  DepositNo VARCHAR(5) NOT NULL, DepositType VARCHAR(1), DepositDate DATE, SequenceNo VARCHAR(6) NOT NULL, ARDivisionNo VARCHAR(2),
  CustomerNo VARCHAR(20), PostingDate DATE, InvoiceNo VARCHAR(10), InvoiceType VARCHAR(2), CashAmountApplied NUMERIC(14,2),
  DiscountAmountApplied NUMERIC(14,2), InvoiceBalance NUMERIC(14,2), CheckNo VARCHAR(10), PaymentType VARCHAR(5), CardType VARCHAR(1),
  Last4UnencryptedCreditCardNos VARCHAR(4), PRIMARY KEY (DepositNo, SequenceNo));
CREATE TABLE AR_CashReceiptsHeader (
  DepositNo VARCHAR(5) NOT NULL, BatchNo VARCHAR(5), ARDivisionNo VARCHAR(2), CustomerNo VARCHAR(20), CheckNo VARCHAR(10),
  AmountPosted NUMERIC(14,2), CashDepositAmt NUMERIC(14,2), CashBalanceAmt NUMERIC(14,2), DepositBalance NUMERIC(14,2));
CREATE TABLE AR_CashReceiptsDeposit (
  DepositNo VARCHAR(5) NOT NULL PRIMARY KEY, BatchNo VARCHAR(5), DepositType VARCHAR(1), DepositDate DATE, BankCode VARCHAR(1),
  CashDepositAmt NUMERIC(14,2), Description VARCHAR(30));
`;

export function createSandboxCompany(file: string, divisionNo: string, customers: readonly Customer[], invoices: readonly OpenInvoice[]): void {
  const db = new Database(file);
  try {
    db.exec(SCHEMA);
    const insertCustomer = db.prepare(
      'INSERT INTO AR_Customer (ARDivisionNo, CustomerNo, CustomerName, EmailAddress, TermsCode, DateUpdated) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertInvoice = db.prepare(
      `INSERT INTO AR_OpenInvoice (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType, InvoiceDate, InvoiceDueDate, Balance, PostingDate, Comment, CheckNo, CustomerPONo, InvoiceAmt, TermsCode)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?)`,
    );
    const insertTerms = db.prepare('INSERT INTO AR_TermsCode (TermsCode, TermsCodeDesc, DaysBeforeDue, DaysBeforeDiscountDue, DiscountRate) VALUES (?, ?, ?, ?, ?)');
    // Terms master: 30 = Net 30, and one code per distinct discount terms in the seed.
    const termsCodes = new Map<string, string>([['Net 30', '30']]);
    const termsCodeOf = (i: OpenInvoice): string => {
      if (!i.terms) return '30';
      const desc = formatTerms(i.terms);
      if (!termsCodes.has(desc)) {
        const code = `D${termsCodes.size}`;
        termsCodes.set(desc, code);
        insertTerms.run(code, desc, i.terms.netDays, i.terms.discountDays, termsPercent(i.terms));
      }
      return termsCodes.get(desc)!;
    };
    db.transaction(() => {
      insertTerms.run('30', 'Net 30', 30, 0, '0.000');
      for (const c of customers) insertCustomer.run(divisionNo, c.customerId, c.name, c.email ?? '', '30', '2026-01-01');
      for (const i of invoices) {
        // An open credit memo is a CM row with a negative balance and total.
        const type = i.openBalanceCents < 0 ? 'CM' : 'IN';
        insertInvoice.run(divisionNo, i.customerId, i.invoiceNo, type, i.invoiceDate, i.dueDate ?? '1753-01-01', centsToDecimalString(i.openBalanceCents), i.invoiceDate, i.poNo, centsToDecimalString(i.amountCents), termsCodeOf(i));
      }
    })();
  } finally {
    db.close();
  }
}
