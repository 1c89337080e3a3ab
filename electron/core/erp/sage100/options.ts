import { ErpError } from '../errors';
import type { ErpOptionField } from '../kind-module';
import { optionReader, refuseRetiredOptions, type RawOptions, type RetiredOption } from '../option-reader';

// Sage 100 settings. Table/column names follow the live schema (public DDL and
// production SQL, docs/erp/sage100.md); what public evidence could not settle
// (VI layouts, payment codes, the invoice-total formula) is a documented default
// the site checks, and tieout erp check lists the columns that really exist.

export const SAGE100_OPTION_FIELDS: readonly ErpOptionField[] = [
  { key: 'divisionNo', label: 'A/R division', default: '00', help: 'ARDivisionNo used for every read and import; "00" when divisions are off.' },
  { key: 'currency', label: 'Currency', default: 'USD', help: 'Sage 100 keeps one currency per company; receipts in another currency are refused.' },
  { key: 'pageSize', label: 'Page size', default: 500, help: 'Rows fetched per key-range page from AR_OpenInvoice / AR_Customer.' },
  { key: 'invoiceTypes', label: 'Open invoice types', default: 'IN,DM,FC', help: 'AR_OpenInvoice.InvoiceType values listed as open invoices (PP, PY, CM carry negative balances).' },
  { key: 'openCreditTypes', label: 'Open credit types', default: 'CM,PP', help: 'AR_OpenInvoice.InvoiceType values read as open credits with a negative balance: credit memos (CM) and prepayments / payments on account (PP). Empty to read none.', unconfirmed: true },
  { key: 'termsTable', label: 'Terms code table', default: 'AR_TermsCode', help: 'Table with TermsCode, DaysBeforeDue, DaysBeforeDiscountDue, DiscountRate (percent); empty to read no discount terms.' },
  { key: 'invoiceTermsColumn', label: 'Invoice terms code column', default: 'TermsCode', help: "AR_OpenInvoice column holding the invoice's own terms code (TermsCode in the live schema); empty uses the customer's AR_Customer.TermsCode, the default for new invoices only." },
  { key: 'invoiceAmountColumns', label: 'Invoice total columns', default: 'TaxableAmt+NonTaxableAmt+FreightAmt+SalesTaxAmt', help: 'AR_OpenInvoice has no invoice-total column: the total is the sum of these columns ("+"-separated). Empty reports the balance as the total. tieout erp check lists which exist.', unconfirmed: true },
  { key: 'poNumberColumn', label: 'PO number column', default: 'CustomerPONo', help: 'AR_OpenInvoice column holding the customer PO (30 characters); empty to skip.' },
  { key: 'unpostedDetailTable', label: 'Unposted receipt lines table', default: 'AR_CashReceiptsDetail', help: 'Cash Receipts Entry lines (AmountPosted per line) the duplicate look-up also reads for receipts imported but not yet posted; empty to skip.' },
  { key: 'viFolder', label: 'VI import folder', default: '', help: 'Folder the Visual Integrator cash-receipt job imports from. Files are written atomically (temp name, then rename).' },
  { key: 'viRejectedFolder', label: 'VI rejected folder', default: 'rejected', help: 'Sub-folder where the site\'s VI wrapper moves files it could not import, with a .log beside them.', unconfirmed: true },
  { key: 'batchPrefix', label: 'Batch prefix', default: 'T', help: 'One letter; the daily batch is <prefix><MMDD> (e.g. T0312).', unconfirmed: true },
  { key: 'bankCode', label: 'Bank code', default: 'A', help: 'Sage bank code for deposits when the receipt does not name one.' },
  { key: 'depositTypeCard', label: 'Deposit type (card)', default: 'R', help: 'DepositType for card receipts (R = credit card; C = cash/check).', unconfirmed: true },
  { key: 'depositTypeAch', label: 'Deposit type (ACH)', default: 'C', help: 'DepositType for ACH receipts: C (cash/check), as public integrations file ACH; the payment type tells it apart.', unconfirmed: true },
  { key: 'paymentTypeCard', label: 'Payment type (card)', default: 'CC', help: 'PaymentType code for card receipts (A/R Payment Type Maintenance).', unconfirmed: true },
  { key: 'paymentTypeAch', label: 'Payment type (ACH)', default: 'ACH', help: 'PaymentType code for ACH receipts.', unconfirmed: true },
  { key: 'sageHomeFolder', label: 'Sage MAS90\\Home folder', default: '', help: 'Path of ..\\MAS90\\Home (holds Pvxwin32.exe). With viJobProgram, Tieout checks the VI job exists before posting and shows the unattended command line.' },
  { key: 'viJobProgram', label: 'VI job program (VIWIxx)', default: '', help: 'Compiled file name of the chained cash-receipt import job, VIWI + two characters, shown in Import Job Maintenance.' },
  { key: 'companyCode', label: 'Sage company code', default: '', help: 'Company code (3 characters) the VI command line logs on to.' },
  { key: 'confirmTimeoutMs', label: 'Import confirm timeout (ms)', default: 120_000, help: 'How long to wait for the receipt to appear in AR_CashReceiptsHistory before reporting an unknown outcome.' },
  { key: 'confirmPollMs', label: 'Import poll interval (ms)', default: 2_000, help: 'How often to look for the imported receipt.' },
];

export type Sage100Options = Readonly<{
  divisionNo: string;
  currency: string;
  pageSize: number;
  invoiceTypes: readonly string[];
  openCreditTypes: readonly string[];
  termsTable: string;
  invoiceTermsColumn: string;
  invoiceAmountColumns: readonly string[];
  poNumberColumn: string;
  unpostedDetailTable: string;
  viFolder: string;
  viRejectedFolder: string;
  batchPrefix: string;
  bankCode: string;
  depositTypeCard: string;
  depositTypeAch: string;
  paymentTypeCard: string;
  paymentTypeAch: string;
  sageHomeFolder: string;
  viJobProgram: string;
  companyCode: string;
  confirmTimeoutMs: number;
  confirmPollMs: number;
}>;

type Raw = RawOptions;

const { str, positiveInt } = optionReader(SAGE100_OPTION_FIELDS, 'Sage 100');

// Table and column names end up in SQL text, so they must be plain identifiers.
function identifier(options: Raw, key: string, allowEmpty: boolean): string {
  const v = str(options, key);
  if (v === '' && allowEmpty) return v;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v)) throw new ErpError('config', `Sage 100 setting ${key} must be a table/column name (got "${v}")`);
  return v;
}

function identifierList(options: Raw, key: string): string[] {
  const v = str(options, key);
  if (v.trim() === '') return [];
  const names = v.split('+').map((n) => n.trim());
  if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(n))) {
    throw new ErpError('config', `Sage 100 setting ${key} must be column names joined by "+" (got "${v}")`);
  }
  return names;
}

// Both end up on a command line: letters and digits only, so nothing can be injected.
function viJobProgram(options: Raw): string {
  const v = str(options, 'viJobProgram').trim().toUpperCase();
  if (v !== '' && !/^VIWI[A-Z0-9]{2}$/.test(v)) throw new ErpError('config', `Sage 100 setting viJobProgram must be VIWI and two letters or digits, e.g. VIWI0A (got "${v}")`);
  return v;
}

function companyCode(options: Raw): string {
  const v = str(options, 'companyCode').trim().toUpperCase();
  if (v !== '' && !/^[A-Z0-9]{3}$/.test(v)) throw new ErpError('config', `Sage 100 setting companyCode must be 3 letters or digits (got "${v}")`);
  return v;
}

function code(options: Raw, key: string, max: number): string {
  const v = str(options, key);
  if (v.length === 0 || v.length > max || /[",\r\n]/.test(v)) {
    throw new ErpError('config', `Sage 100 setting ${key} must be 1-${max} characters without quotes or commas (got "${v}")`);
  }
  return v;
}

/** Settings renamed in issue 13 because the real schema has other columns (docs/erp/sage100.md). */
const RETIRED: readonly RetiredOption[] = [
  { key: 'invoiceAmountColumn', oldDefault: 'InvoiceAmt', replacedBy: 'invoiceAmountColumns', why: 'AR_OpenInvoice has no single total column; the total is a sum of columns.' },
  { key: 'unpostedHeaderTable', oldDefault: 'AR_CashReceiptsHeader', replacedBy: 'unpostedDetailTable', why: 'the amounts posted are on the Cash Receipts detail lines, not the header.' },
];

export function parseSage100Options(options: Raw): Sage100Options {
  refuseRetiredOptions(options, RETIRED, 'Sage 100');
  const batchPrefix = str(options, 'batchPrefix');
  if (!/^[A-Z0-9]$/i.test(batchPrefix)) throw new ErpError('config', 'Sage 100 setting batchPrefix must be one letter or digit');
  const invoiceTypes = str(options, 'invoiceTypes')
    .split(',')
    .map((t) => t.trim().toUpperCase())
    .filter((t) => t.length > 0);
  if (invoiceTypes.length === 0 || invoiceTypes.some((t) => !/^[A-Z]{2}$/.test(t))) {
    throw new ErpError('config', 'Sage 100 setting invoiceTypes must be a comma-separated list of two-letter types (e.g. IN,DM,FC)');
  }
  const openCreditTypes = str(options, 'openCreditTypes')
    .split(',')
    .map((t) => t.trim().toUpperCase())
    .filter((t) => t.length > 0);
  if (openCreditTypes.some((t) => !/^[A-Z]{2}$/.test(t) || invoiceTypes.includes(t))) {
    throw new ErpError('config', 'Sage 100 setting openCreditTypes must be two-letter types (e.g. CM,PP) not also listed in invoiceTypes');
  }
  return {
    divisionNo: code(options, 'divisionNo', 2),
    currency: code(options, 'currency', 3).toUpperCase(),
    pageSize: positiveInt(options, 'pageSize'),
    invoiceTypes,
    openCreditTypes,
    termsTable: identifier(options, 'termsTable', true),
    invoiceTermsColumn: identifier(options, 'invoiceTermsColumn', true),
    invoiceAmountColumns: identifierList(options, 'invoiceAmountColumns'),
    poNumberColumn: identifier(options, 'poNumberColumn', true),
    unpostedDetailTable: identifier(options, 'unpostedDetailTable', true),
    viFolder: str(options, 'viFolder'),
    viRejectedFolder: str(options, 'viRejectedFolder'),
    batchPrefix: batchPrefix.toUpperCase(),
    bankCode: code(options, 'bankCode', 1),
    depositTypeCard: code(options, 'depositTypeCard', 1),
    depositTypeAch: code(options, 'depositTypeAch', 1),
    paymentTypeCard: code(options, 'paymentTypeCard', 5),
    paymentTypeAch: code(options, 'paymentTypeAch', 5),
    sageHomeFolder: str(options, 'sageHomeFolder'),
    viJobProgram: viJobProgram(options),
    companyCode: companyCode(options),
    confirmTimeoutMs: positiveInt(options, 'confirmTimeoutMs'),
    confirmPollMs: positiveInt(options, 'confirmPollMs'),
  };
}
