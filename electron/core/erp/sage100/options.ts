import { ErpError } from '../errors';
import type { ErpOptionField } from '../kind-module';
import { optionReader, type RawOptions } from '../option-reader';

// Sage 100 settings. Reading over ODBC and the AR_* table/column names are
// confirmed (reference §4); everything about Visual Integrator layouts, payment
// codes and CheckNo formatting is a documented default the site checks
// (docs/erp/sage100.md).

export const SAGE100_OPTION_FIELDS: readonly ErpOptionField[] = [
  { key: 'divisionNo', label: 'A/R division', default: '00', help: 'ARDivisionNo used for every read and import; "00" when divisions are off.' },
  { key: 'currency', label: 'Currency', default: 'USD', help: 'Sage 100 keeps one currency per company; receipts in another currency are refused.' },
  { key: 'pageSize', label: 'Page size', default: 500, help: 'Rows fetched per key-range page from AR_OpenInvoice / AR_Customer.' },
  { key: 'invoiceTypes', label: 'Open invoice types', default: 'IN,DM,FC', help: 'AR_OpenInvoice.InvoiceType values listed as open invoices (PP, PY, CM carry negative balances).' },
  { key: 'openCreditTypes', label: 'Open credit types', default: 'CM,PP', help: 'AR_OpenInvoice.InvoiceType values read as open credits with a negative balance: credit memos (CM) and prepayments / payments on account (PP). Empty to read none.', unconfirmed: true },
  { key: 'termsTable', label: 'Terms code table', default: 'AR_TermsCode', help: 'Table with TermsCode, DaysBeforeDue, DaysBeforeDiscountDue, DiscountRate (percent); empty to read no discount terms.' },
  { key: 'invoiceTermsColumn', label: 'Invoice terms code column', default: '', help: "AR_OpenInvoice column holding the invoice's own terms code; empty uses the customer's AR_Customer.TermsCode (the default for new invoices, so older invoices may differ).", unconfirmed: true },
  { key: 'invoiceAmountColumn', label: 'Invoice total column', default: 'InvoiceAmt', help: 'AR_OpenInvoice column holding the original invoice total; empty to report the balance as the total.', unconfirmed: true },
  { key: 'poNumberColumn', label: 'PO number column', default: 'CustomerPONo', help: 'AR_OpenInvoice column holding the customer PO; empty to skip.', unconfirmed: true },
  { key: 'unpostedHeaderTable', label: 'Unposted receipts table', default: 'AR_CashReceiptsHeader', help: 'Checked by the duplicate look-up for receipts imported but not yet posted; empty to skip.', unconfirmed: true },
  { key: 'viFolder', label: 'VI import folder', default: '', help: 'Folder the Visual Integrator cash-receipt job imports from. Files are written atomically (temp name, then rename).' },
  { key: 'viRejectedFolder', label: 'VI rejected folder', default: 'rejected', help: 'Sub-folder where the site\'s VI wrapper moves files it could not import, with a .log beside them.', unconfirmed: true },
  { key: 'batchPrefix', label: 'Batch prefix', default: 'T', help: 'One letter; the daily batch is <prefix><MMDD> (e.g. T0312).', unconfirmed: true },
  { key: 'bankCode', label: 'Bank code', default: 'A', help: 'Sage bank code for deposits when the receipt does not name one.' },
  { key: 'depositTypeCard', label: 'Deposit type (card)', default: 'R', help: 'DepositType for card receipts.', unconfirmed: true },
  { key: 'depositTypeAch', label: 'Deposit type (ACH)', default: 'A', help: 'DepositType for ACH receipts.', unconfirmed: true },
  { key: 'paymentTypeCard', label: 'Payment type (card)', default: 'CC', help: 'PaymentType code for card receipts (A/R Payment Type Maintenance).', unconfirmed: true },
  { key: 'paymentTypeAch', label: 'Payment type (ACH)', default: 'ACH', help: 'PaymentType code for ACH receipts.', unconfirmed: true },
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
  invoiceAmountColumn: string;
  poNumberColumn: string;
  unpostedHeaderTable: string;
  viFolder: string;
  viRejectedFolder: string;
  batchPrefix: string;
  bankCode: string;
  depositTypeCard: string;
  depositTypeAch: string;
  paymentTypeCard: string;
  paymentTypeAch: string;
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

function code(options: Raw, key: string, max: number): string {
  const v = str(options, key);
  if (v.length === 0 || v.length > max || /[",\r\n]/.test(v)) {
    throw new ErpError('config', `Sage 100 setting ${key} must be 1-${max} characters without quotes or commas (got "${v}")`);
  }
  return v;
}

export function parseSage100Options(options: Raw): Sage100Options {
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
    invoiceAmountColumn: identifier(options, 'invoiceAmountColumn', true),
    poNumberColumn: identifier(options, 'poNumberColumn', true),
    unpostedHeaderTable: identifier(options, 'unpostedHeaderTable', true),
    viFolder: str(options, 'viFolder'),
    viRejectedFolder: str(options, 'viRejectedFolder'),
    batchPrefix: batchPrefix.toUpperCase(),
    bankCode: code(options, 'bankCode', 1),
    depositTypeCard: code(options, 'depositTypeCard', 1),
    depositTypeAch: code(options, 'depositTypeAch', 1),
    paymentTypeCard: code(options, 'paymentTypeCard', 5),
    paymentTypeAch: code(options, 'paymentTypeAch', 5),
    confirmTimeoutMs: positiveInt(options, 'confirmTimeoutMs'),
    confirmPollMs: positiveInt(options, 'confirmPollMs'),
  };
}
