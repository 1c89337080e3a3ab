import Database from 'better-sqlite3';
import type { Customer, OpenInvoice } from '@shared/domain';
import { centsToDecimalString } from '@shared/money';
import { formatTerms, termsPercent } from '../../../core/erp/terms';

// The sandbox company: a SQLite file with the Sage 100 AR tables, read by the
// connector through unixODBC and the SQLite ODBC driver, exactly as it reads
// ProvideX data through the MAS 90 driver. Seeded once with better-sqlite3 and
// closed before any ODBC connection opens, so two SQLite libraries never hold
// the file together.
//
// Columns follow the real schema, not the reference's guesses:
// - AR_OpenInvoice, AR_CashReceiptsHistory, AR_TermsCode: the column lists of
//   UtahGooner/sage100-ddl (CHI/*.sql @4d2f7b4, DDL of a live Sage 100 company
//   mirrored by the node-sage project): no InvoiceAmt on AR_OpenInvoice (the
//   invoice's amounts are TaxableAmt, NonTaxableAmt, FreightAmt, SalesTaxAmt),
//   CustomerPONo is 30 characters, InvoiceNo 7, the invoice has its own TermsCode
//   and InvoiceDiscountDate.
// - AR_CashReceiptsDeposit / Header / Detail (the unposted entry tables): public
//   SQL Server views over a Sage 100 Premium company read AmountPosted from
//   AR_CashReceiptsDetail (joined to the header on DepositNo, ARDivisionNo,
//   CustomerNo, CheckNo) and CashDepositAmt, CashBalanceAmt, DepositBalance from
//   AR_CashReceiptsDeposit; the header carries no amount in that evidence.
//   Columns not in that evidence are left out rather than guessed.
// Declared widths matter: the driver reports TEXT as a 64 KB LONGVARCHAR and
// the odbc package then allocates that much per cell of every fetched row.
const SCHEMA = `
CREATE TABLE AR_Customer (
  ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, CustomerName VARCHAR(50), AddressLine1 VARCHAR(30),
  City VARCHAR(20), State VARCHAR(2), ZipCode VARCHAR(10), TelephoneNo VARCHAR(17), EmailAddress VARCHAR(250), TermsCode VARCHAR(2),
  CreditLimit NUMERIC(14,2), CurrentBalance NUMERIC(14,2), DateUpdated DATE, PRIMARY KEY (ARDivisionNo, CustomerNo));
CREATE TABLE AR_OpenInvoice (
  ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, InvoiceNo VARCHAR(7) NOT NULL, InvoiceType VARCHAR(2) NOT NULL,
  InvoiceDate DATE, InvoiceDueDate DATE, InvoiceDiscountDate DATE, InvoiceHistoryHeaderSeqNo VARCHAR(6), PostingDate DATE,
  TermsCode VARCHAR(2), Comment VARCHAR(30), CustomerPONo VARCHAR(30), CheckNo VARCHAR(10),
  TaxableAmt NUMERIC(13,2), NonTaxableAmt NUMERIC(13,2), FreightAmt NUMERIC(12,2), SalesTaxAmt NUMERIC(12,2), DiscountAmt NUMERIC(13,2),
  Balance NUMERIC(13,2), DateUpdated DATE,
  PRIMARY KEY (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType));
CREATE TABLE AR_TermsCode (
  TermsCode VARCHAR(2) NOT NULL PRIMARY KEY, TermsCodeDesc VARCHAR(30), DaysBeforeDue NUMERIC(3,0), DaysBeforeDiscountDue NUMERIC(3,0),
  DiscountRate NUMERIC(8,3));
CREATE TABLE AR_CashReceiptsHistory (
  BankCode VARCHAR(1) NOT NULL, DepositDate DATE NOT NULL, DepositNo VARCHAR(5) NOT NULL, DepositType VARCHAR(1) NOT NULL,
  ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, CheckNo VARCHAR(10) NOT NULL, SequenceNo VARCHAR(6) NOT NULL,
  PostingDate DATE, TransactionType VARCHAR(2), InvoiceNo VARCHAR(7), InvoiceType VARCHAR(2), DepositDesc VARCHAR(30), BatchNo VARCHAR(5),
  Last4UnencryptedCreditCardNos VARCHAR(4), CashAmountApplied NUMERIC(12,2), DiscountAmountApplied NUMERIC(12,2),
  InvoiceBalance NUMERIC(13,2), CreditCardEntryNo VARCHAR(6) NOT NULL, PaymentType VARCHAR(5), CardType VARCHAR(1),
  PRIMARY KEY (BankCode, DepositDate, DepositNo, DepositType, ARDivisionNo, CustomerNo, CreditCardEntryNo, CheckNo, SequenceNo));
CREATE INDEX AR_CashReceiptsHistory_KEY4 ON AR_CashReceiptsHistory (CheckNo, DepositDate, BankCode, DepositNo, DepositType, ARDivisionNo, CustomerNo, SequenceNo);
CREATE TABLE AR_CashReceiptsDeposit (
  DepositNo VARCHAR(5) NOT NULL PRIMARY KEY, BatchNo VARCHAR(5), DepositType VARCHAR(1), DepositDate DATE, BankCode VARCHAR(1),
  Description VARCHAR(30), CashDepositAmt NUMERIC(14,2), CashBalanceAmt NUMERIC(14,2), DepositBalance NUMERIC(14,2));
CREATE TABLE AR_CashReceiptsHeader (
  DepositNo VARCHAR(5) NOT NULL, ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, CheckNo VARCHAR(10) NOT NULL,
  BatchNo VARCHAR(5), PRIMARY KEY (DepositNo, ARDivisionNo, CustomerNo, CheckNo));
CREATE TABLE AR_CashReceiptsDetail (
  DepositNo VARCHAR(5) NOT NULL, ARDivisionNo VARCHAR(2) NOT NULL, CustomerNo VARCHAR(20) NOT NULL, CheckNo VARCHAR(10) NOT NULL,
  InvoiceNo VARCHAR(7) NOT NULL, AmountPosted NUMERIC(14,2));
`;

export function createSandboxCompany(file: string, divisionNo: string, customers: readonly Customer[], invoices: readonly OpenInvoice[]): void {
  const db = new Database(file);
  try {
    db.exec(SCHEMA);
    const insertCustomer = db.prepare(
      'INSERT INTO AR_Customer (ARDivisionNo, CustomerNo, CustomerName, EmailAddress, TermsCode, DateUpdated) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertInvoice = db.prepare(
      `INSERT INTO AR_OpenInvoice (ARDivisionNo, CustomerNo, InvoiceNo, InvoiceType, InvoiceDate, InvoiceDueDate, Balance, PostingDate, Comment, CheckNo,
         CustomerPONo, TaxableAmt, NonTaxableAmt, FreightAmt, SalesTaxAmt, DiscountAmt, TermsCode)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, 0, ?, 0, 0, 0, ?)`,
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
