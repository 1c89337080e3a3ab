import type { ErpOptionField, ErpOptionValue } from '../kind-module';
import { ErpError } from '../errors';
import { alphaIn, type SoapDateFormat } from './sap-values';

// Every SAP fact the reference marks unconfirmed is a setting here, with the
// default documented in docs/erp/sap-ecc.md.

export const DEFAULT_WRAPPER_FUNCTION = 'Z_TIEOUT_POST_INCOMING_PAYMENT';
export const DEFAULT_CUSTOMER_LIST_FUNCTION = 'BAPI_CUSTOMER_GETLIST';

export const REFERENCE_FIELDS = ['REF_DOC_NO', 'ALLOC_NMBR', 'both'] as const;
export const INVOICE_NUMBER_FIELDS = ['REF_DOC_NO', 'ALLOC_NMBR', 'BILL_DOC', 'DOC_NO'] as const;
export const POSTING_MODES = ['wrapper', 'bapi'] as const;

export type ReferenceField = (typeof REFERENCE_FIELDS)[number];
export type InvoiceNumberField = (typeof INVOICE_NUMBER_FIELDS)[number];
export type PostingMode = (typeof POSTING_MODES)[number];

export const sapEccOptionFields: readonly ErpOptionField[] = [
  { key: 'sapClient', label: 'SAP client (sap-client)', default: '100', help: 'Three-digit client number sent as ?sap-client=.' },
  { key: 'companyCode', label: 'Company code (BUKRS)', default: '1000', help: 'The company code whose receivables Tieout reads and posts to.' },
  {
    key: 'customerNumbers',
    label: 'Customer numbers to read',
    default: '',
    help: 'Comma-separated customer numbers (KUNNR). When set, only these are read and the customer-list function is not called.',
  },
  {
    key: 'customerListFunction',
    label: 'Customer-list function',
    default: DEFAULT_CUSTOMER_LIST_FUNCTION,
    unconfirmed: true,
    help: 'RFC that lists customers, paged with IDRANGE (SIGN I, OPTION GT, LOW = last number) and MAXROWS; rows from ADDRESSDATA (CUSTOMER, NAME).',
  },
  { key: 'customerPageSize', label: 'Customers per page', default: 200, help: 'MAXROWS per customer-list call.' },
  {
    key: 'keyDate',
    label: 'Open-items key date',
    default: 'today',
    help: '"today" (the connector machine\'s local date) or a fixed YYYY-MM-DD. Items posted after the key date are not read.',
  },
  {
    key: 'soapDateFormat',
    label: 'Date format on the wire',
    default: 'YYYY-MM-DD',
    choices: ['YYYY-MM-DD', 'YYYYMMDD'],
    unconfirmed: true,
    help: 'How DATS values are written in SOAP requests. Replies are read in either form.',
  },
  {
    key: 'invoiceNumberField',
    label: 'Invoice number is in',
    default: 'REF_DOC_NO',
    choices: INVOICE_NUMBER_FIELDS,
    unconfirmed: true,
    help: 'Which open-item field (BAPI3007_2) holds the invoice number customers quote: REF_DOC_NO (XBLNR), ALLOC_NMBR (ZUONR), BILL_DOC or DOC_NO (BELNR).',
  },
  { key: 'bankGlAccount', label: 'Bank clearing G/L account (HKONT)', default: '113100', unconfirmed: true, help: 'Debited with each receipt; zero-padded to 10.' },
  {
    key: 'creditMemoGlAccount',
    label: 'Credit-memo offset G/L account (HKONT)',
    default: '113100',
    unconfirmed: true,
    help: 'Debited by a credit memo (refunds leave through the bank clearing account by default); zero-padded to 10.',
  },
  { key: 'docTypePayment', label: 'Payment document type (BLART)', default: 'DZ', unconfirmed: true, help: 'Document type for incoming payments.' },
  { key: 'docTypeCreditMemo', label: 'Credit-memo document type (BLART)', default: 'DG', unconfirmed: true, help: 'Document type for credit memos.' },
  {
    key: 'postingMode',
    label: 'Posting mode',
    default: 'wrapper',
    choices: POSTING_MODES,
    help: '"wrapper": one call to a site-built RFC that posts, clears and commits (safe). "bapi": BAPI_ACC_DOCUMENT_POST then BAPI_TRANSACTION_COMMIT in separate HTTP calls (unsafe over SOAP-RFC, no clearing).',
  },
  {
    key: 'wrapperFunction',
    label: 'Wrapper function name',
    default: DEFAULT_WRAPPER_FUNCTION,
    unconfirmed: true,
    help: 'The site\'s RFC-enabled function module; contract in docs/erp/sap-ecc.md.',
  },
  {
    key: 'referenceField',
    label: 'PayTrace id goes into',
    default: 'REF_DOC_NO',
    choices: REFERENCE_FIELDS,
    unconfirmed: true,
    help: 'REF_DOC_NO (BKPF-XBLNR, 16), ALLOC_NMBR (BSEG-ZUONR of the customer lines, 18) or both. The look-up matches the same field(s).',
  },
  {
    key: 'lookupDays',
    label: 'Look-up window for cleared receipts (days)',
    default: 120,
    help: 'How far back BAPI_AR_ACC_GETBALANCEDITEMS searches clearings when checking whether a receipt already exists.',
  },
  { key: 'currency', label: 'Currency', default: 'USD', help: 'Document currency (WAERS) of receipts.' },
];

export type SapEccSettings = Readonly<{
  sapClient: string;
  companyCode: string;
  customerNumbers: readonly string[];
  customerListFunction: string;
  customerPageSize: number;
  keyDate: string;
  soapDateFormat: SoapDateFormat;
  invoiceNumberField: InvoiceNumberField;
  bankGlAccount: string;
  creditMemoGlAccount: string;
  docTypePayment: string;
  docTypeCreditMemo: string;
  postingMode: PostingMode;
  wrapperFunction: string;
  referenceField: ReferenceField;
  lookupDays: number;
  currency: string;
}>;

function pick<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ErpError('config', `SAP ECC setting ${key} must be one of ${allowed.join(', ')} (got "${value}")`);
}

const FM_NAME = /^[A-Z0-9_/]{1,30}$/;

export function resolveSettings(options: Readonly<Record<string, ErpOptionValue>>): SapEccSettings {
  const defaults = Object.fromEntries(sapEccOptionFields.map((f) => [f.key, f.default]));
  const get = (key: string): string => String(options[key] ?? defaults[key] ?? '').trim();
  const num = (key: string): number => {
    const n = Number(get(key));
    if (!Number.isInteger(n) || n <= 0) throw new ErpError('config', `SAP ECC setting ${key} must be a positive whole number`);
    return n;
  };
  const sapClient = get('sapClient');
  if (!/^\d{3}$/.test(sapClient)) throw new ErpError('config', `SAP ECC setting sapClient must be three digits (got "${sapClient}")`);
  const companyCode = get('companyCode').toUpperCase();
  if (!/^[A-Z0-9]{1,4}$/.test(companyCode)) throw new ErpError('config', `SAP ECC setting companyCode must be 1-4 characters (got "${companyCode}")`);
  const keyDate = get('keyDate');
  if (keyDate !== 'today' && !/^\d{4}-\d{2}-\d{2}$/.test(keyDate)) {
    throw new ErpError('config', `SAP ECC setting keyDate must be "today" or YYYY-MM-DD (got "${keyDate}")`);
  }
  const wrapperFunction = get('wrapperFunction').toUpperCase();
  const customerListFunction = get('customerListFunction').toUpperCase();
  for (const [key, name] of [['wrapperFunction', wrapperFunction], ['customerListFunction', customerListFunction]] as const) {
    if (!FM_NAME.test(name)) throw new ErpError('config', `SAP ECC setting ${key} is not a valid function module name ("${name}")`);
  }
  return {
    sapClient,
    companyCode,
    customerNumbers: get('customerNumbers')
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((c) => alphaIn(c, 10)),
    customerListFunction,
    customerPageSize: num('customerPageSize'),
    keyDate,
    soapDateFormat: pick('soapDateFormat', get('soapDateFormat'), ['YYYY-MM-DD', 'YYYYMMDD'] as const),
    invoiceNumberField: pick('invoiceNumberField', get('invoiceNumberField'), INVOICE_NUMBER_FIELDS),
    bankGlAccount: alphaIn(get('bankGlAccount'), 10),
    creditMemoGlAccount: alphaIn(get('creditMemoGlAccount'), 10),
    docTypePayment: get('docTypePayment').toUpperCase(),
    docTypeCreditMemo: get('docTypeCreditMemo').toUpperCase(),
    postingMode: pick('postingMode', get('postingMode'), POSTING_MODES),
    wrapperFunction,
    referenceField: pick('referenceField', get('referenceField'), REFERENCE_FIELDS),
    lookupDays: num('lookupDays'),
    currency: get('currency').toUpperCase(),
  };
}

/** The longest PayTrace reference the configured field(s) can carry. */
export function referenceMaxLength(field: ReferenceField): number {
  return field === 'ALLOC_NMBR' ? 18 : 16;
}
