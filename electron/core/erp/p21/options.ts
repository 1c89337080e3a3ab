import type { ErpOptionField, ErpOptionValue } from '../kind-module';

// Every P21 fact the reference marks unconfirmed ([U]) is a setting here with a
// documented default (docs/erp/p21.md). The defaults are what the sandbox
// speaks, so a fresh install works against it unchanged.

export const P21_OPTION_FIELDS: readonly ErpOptionField[] = [
  { key: 'companyNo', label: 'Company number', default: '', help: "invoice_hdr.company_no to read (e.g. '1'). Empty reads every company." },
  {
    key: 'uiServerDiscovery',
    label: 'Transaction API base',
    default: 'router',
    choices: ['router', 'baseUrl'],
    help: "'router' asks GET /api/ui/router/v1?urlType=external for the UI-server URL; 'baseUrl' sends Transaction API calls to the base URL.",
  },
  { key: 'authVersion', label: 'Token endpoint', default: 'v2', choices: ['v2', 'v1'], help: "'v2' = POST /api/security/token/v2 (JSON body); 'v1' = legacy POST /api/security/token with credentials in headers." },
  { key: 'receiptServiceName', label: 'Cash-receipt service', default: 'CashReceipt', unconfirmed: true, help: 'Transaction API v2 service that creates a cash receipt. Find it with GET /api/v2/services.' },
  {
    key: 'receiptFormDataElement',
    label: 'Receipt header DataElement',
    default: 'TABPAGE_1.tp_1_dw_1',
    unconfirmed: true,
    help: "Form DataElement of the receipt header. Real names are '<tab>.<datawindow>' such as TABPAGE_1.tp_1_dw_1 (every definition in the public 25.2 schema library): tieout erp check prints the receipt service's own.",
  },
  { key: 'receiptFieldCompany', label: 'Receipt field: company', default: 'company_id', unconfirmed: true, help: 'Sent only when companyNo is set.' },
  { key: 'receiptFieldCustomerId', label: 'Receipt field: customer', default: 'customer_id', unconfirmed: true, help: 'Sent first: it triggers the customer defaults.' },
  { key: 'receiptFieldDate', label: 'Receipt field: date received', default: 'date_received', unconfirmed: true, help: 'YYYY-MM-DD.' },
  { key: 'receiptFieldPaymentType', label: 'Receipt field: payment type', default: 'payment_type_id', unconfirmed: true, help: 'Filled with paymentTypeCard or paymentTypeAch, in the form paymentTypeValue says.' },
  { key: 'receiptFieldBankNo', label: 'Receipt field: bank', default: 'bank_no', unconfirmed: true, help: 'Sent only when bankNo is set.' },
  { key: 'receiptFieldAmount', label: 'Receipt field: amount', default: 'payment_amount', unconfirmed: true, help: 'Decimal, e.g. 1234.50.' },
  { key: 'receiptFieldCheckNumber', label: 'Receipt field: check number', default: 'check_number', unconfirmed: true, help: 'Carries the PayTrace transaction id (ar_payment_details.check_number, 30 chars): the idempotency key.' },
  { key: 'receiptFieldMemo', label: 'Receipt field: description', default: 'payment_desc', unconfirmed: true, help: 'Optional memo, cut to 60 characters.' },
  { key: 'receiptLinesDataElement', label: 'Receipt invoice-lines DataElement', default: 'TABPAGE_2.tp_2_dw_2', unconfirmed: true, help: 'List DataElement holding one row per invoice paid (tieout erp check prints the real names).' },
  { key: 'receiptLineFieldInvoiceNo', label: 'Line field: invoice', default: 'invoice_no', unconfirmed: true, help: '' },
  { key: 'receiptLineFieldAmount', label: 'Line field: amount applied', default: 'payment_amount', unconfirmed: true, help: '' },
  { key: 'receiptLineFieldAllowed', label: 'Line field: amount written off', default: 'allowed_amount', unconfirmed: true, help: "Supervisor-approved short-pay write-offs go on the invoice's line as an allowed amount (ar_receipts_detail.allowed_amount)." },
  {
    key: 'receiptLineFieldTerms',
    label: 'Line field: terms (discount) taken',
    default: 'terms_amount',
    unconfirmed: true,
    help: "Early-payment discounts go on the invoice's line as terms taken (ar_receipts_detail.terms_amount, beside allowed_amount [P9]), when discountPosting is 'terms'.",
  },
  {
    key: 'discountPosting',
    label: 'Early-payment discounts post as',
    default: 'terms',
    choices: ['terms', 'allowed'],
    help: "'terms' books a discount as terms taken (receiptLineFieldTerms → invoice_hdr.terms_taken); 'allowed' books it as an allowed amount like a write-off (receiptLineFieldAllowed → invoice_hdr.allowed).",
  },
  {
    key: 'creditApplication',
    label: 'Open credits in a receipt',
    default: 'negative-line',
    choices: ['negative-line', 'off'],
    unconfirmed: true,
    help: "'negative-line' applies an open credit memo as a receipt line with a negative amount against the memo's invoice_no (ar_receipts_detail rows with a negative payment_amount appear in public P21 report SQL); 'off' leaves credits to be applied in P21.",
  },
  { key: 'receiptResultFieldReceiptNo', label: 'Result field: receipt number', default: 'receipt_number', unconfirmed: true, help: 'Where the created receipt number appears in the transaction result (fallback when the OData read-back lags).' },
  { key: 'bankNo', label: 'Bank number', default: '', unconfirmed: true, help: 'P21 bank_no for PayTrace deposits; empty leaves the service default.' },
  {
    key: 'paymentTypeCard',
    label: 'Payment type for cards',
    default: 'Credit Card',
    unconfirmed: true,
    help: "The site's payment_types row for card payments: its description (payment_type_desc) or its number (payment_type_id). tieout erp check lists the rows.",
  },
  { key: 'paymentTypeAch', label: 'Payment type for ACH', default: 'ACH', unconfirmed: true, help: "The site's payment_types row for ACH payments: description or number." },
  {
    key: 'paymentTypeValue',
    label: 'Payment type is sent as',
    default: 'display',
    choices: ['display', 'code'],
    unconfirmed: true,
    help: "'display' sends the payment type's description with UseCodeValues false (P21 then expects display values); 'code' sends its payment_type_id (a system-generated number) with UseCodeValues true.",
  },
  { key: 'paymentTypesTable', label: 'Payment types table', default: 'payment_types', help: 'OData table the payment type is checked against before posting. Empty = send the setting unchecked.' },
  { key: 'creditMemoServiceName', label: 'Credit-memo service', default: 'CreditMemo', unconfirmed: true, help: 'Transaction API v2 service that creates a credit memo (no public recipe).' },
  { key: 'creditMemoFormDataElement', label: 'Credit-memo DataElement', default: 'TABPAGE_1.tp_1_dw_1', unconfirmed: true, help: '' },
  { key: 'creditMemoFieldCustomerId', label: 'Credit-memo field: customer', default: 'customer_id', unconfirmed: true, help: '' },
  { key: 'creditMemoFieldDate', label: 'Credit-memo field: date', default: 'invoice_date', unconfirmed: true, help: '' },
  { key: 'creditMemoFieldAmount', label: 'Credit-memo field: amount', default: 'memo_amount', unconfirmed: true, help: 'Positive decimal; the memo lands as a negative invoice_hdr row.' },
  { key: 'creditMemoFieldReference', label: 'Credit-memo field: reference', default: 'po_no', unconfirmed: true, help: 'Carries the PayTrace refund id; also the invoice_hdr column looked up before posting.' },
  { key: 'creditMemoFieldInvoiceNo', label: 'Credit-memo field: original invoice', default: 'invoice_reference_no', unconfirmed: true, help: '' },
  { key: 'creditMemoFieldReason', label: 'Credit-memo field: reason', default: 'memo_desc', unconfirmed: true, help: '' },
  { key: 'reversalServiceName', label: 'Receipt-reversal service', default: 'CashReceiptReversal', unconfirmed: true, help: 'Transaction API v2 service that reverses a cash receipt (a negative payment that re-opens the invoices). No public recipe.' },
  { key: 'reversalFormDataElement', label: 'Reversal DataElement', default: 'TABPAGE_1.tp_1_dw_1', unconfirmed: true, help: '' },
  { key: 'reversalFieldReceiptNo', label: 'Reversal field: receipt to reverse', default: 'receipt_number', unconfirmed: true, help: 'The P21 receipt number of the posted receipt.' },
  { key: 'reversalFieldCheckNumber', label: 'Reversal field: check number', default: 'check_number', unconfirmed: true, help: "Carries R + the PayTrace id: the reversal's idempotency key, looked up in ar_payment_details.check_number before any send." },
  { key: 'reversalFieldDate', label: 'Reversal field: date', default: 'reversal_date', unconfirmed: true, help: 'YYYY-MM-DD.' },
  { key: 'reversalFieldReason', label: 'Reversal field: reason', default: 'payment_desc', unconfirmed: true, help: "The supervisor's reason, cut to 60 characters." },
  { key: 'transactionMode', label: 'Transaction mode', default: 'sync', choices: ['sync', 'async'], help: "'async' uses POST /api/v2/transaction/async and polls, which avoids pooled-session contamination on busy servers." },
  { key: 'asyncPollMs', label: 'Async poll interval (ms)', default: 500, help: '' },
  { key: 'asyncTimeoutMs', label: 'Async wait limit (ms)', default: 120000, help: 'After this the outcome is unknown and is resolved by the check_number look-up.' },
  { key: 'openBalanceFormula', label: 'Open balance formula', default: 'simple', choices: ['simple', 'full'], help: "'simple' = total_amount − amount_paid; 'full' = … − terms_taken − allowed + memo_amount + bad_debt_amount." },
  { key: 'pageSize', label: 'OData page size', default: 5000, help: '$top per page; paging stops at the first short page (P21 sends no nextLink).' },
  { key: 'sessionRetryCount', label: 'Pooled-session retries', default: 3, help: "Retries after 'Unexpected response window' / 'Object reference not set'; each is preceded by a check_number look-up." },
  { key: 'currency', label: 'Currency', default: 'USD', help: 'invoice_hdr carries no currency in the read recipe.' },
  {
    key: 'termsTable',
    label: 'Terms table',
    default: 'terms',
    help: "OData table with terms_id, discount_pct, discount_days, net_days; each invoice's terms_id is looked up in it. Empty = read no discount terms.",
  },
  {
    key: 'termsDiscountPctUnit',
    label: 'Terms discount_pct unit',
    default: 'percent',
    choices: ['percent', 'fraction'],
    unconfirmed: true,
    help: "'percent' reads discount_pct 2.0 as 2%; 'fraction' reads 0.02 as 2%. Check one terms row on the site.",
  },
];

export type P21Options = Readonly<{
  companyNo: string;
  uiServerDiscovery: 'router' | 'baseUrl';
  authVersion: 'v2' | 'v1';
  receiptServiceName: string;
  receiptFormDataElement: string;
  receiptFieldCompany: string;
  receiptFieldCustomerId: string;
  receiptFieldDate: string;
  receiptFieldPaymentType: string;
  receiptFieldBankNo: string;
  receiptFieldAmount: string;
  receiptFieldCheckNumber: string;
  receiptFieldMemo: string;
  receiptLinesDataElement: string;
  receiptLineFieldInvoiceNo: string;
  receiptLineFieldAmount: string;
  receiptLineFieldAllowed: string;
  receiptLineFieldTerms: string;
  discountPosting: 'terms' | 'allowed';
  creditApplication: 'negative-line' | 'off';
  receiptResultFieldReceiptNo: string;
  reversalServiceName: string;
  reversalFormDataElement: string;
  reversalFieldReceiptNo: string;
  reversalFieldCheckNumber: string;
  reversalFieldDate: string;
  reversalFieldReason: string;
  bankNo: string;
  paymentTypeCard: string;
  paymentTypeAch: string;
  paymentTypeValue: 'display' | 'code';
  paymentTypesTable: string;
  creditMemoServiceName: string;
  creditMemoFormDataElement: string;
  creditMemoFieldCustomerId: string;
  creditMemoFieldDate: string;
  creditMemoFieldAmount: string;
  creditMemoFieldReference: string;
  creditMemoFieldInvoiceNo: string;
  creditMemoFieldReason: string;
  transactionMode: 'sync' | 'async';
  asyncPollMs: number;
  asyncTimeoutMs: number;
  openBalanceFormula: 'simple' | 'full';
  pageSize: number;
  sessionRetryCount: number;
  currency: string;
  termsTable: string;
  termsDiscountPctUnit: 'percent' | 'fraction';
}>;

/** ar_payment_details.check_number is varchar(30) [C, P9]. */
export const P21_REFERENCE_MAX_LENGTH = 30;
export const P21_MEMO_MAX_LENGTH = 60;

export class P21OptionError extends Error {}

function pick(raw: Readonly<Record<string, ErpOptionValue>>, field: ErpOptionField): ErpOptionValue {
  const v = raw[field.key];
  if (v === undefined || v === null) return field.default;
  if (typeof field.default === 'number') {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new P21OptionError(`P21 option ${field.key} must be a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  }
  const s = String(v);
  if (field.choices && !field.choices.includes(s)) {
    throw new P21OptionError(`P21 option ${field.key} must be one of ${field.choices.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return s;
}

/** Fills defaults and checks choices/numbers; throws P21OptionError naming the bad option. */
export function resolveP21Options(raw: Readonly<Record<string, ErpOptionValue>> = {}): P21Options {
  const out: Record<string, ErpOptionValue> = {};
  for (const f of P21_OPTION_FIELDS) out[f.key] = pick(raw, f);
  const opts = out as unknown as P21Options;
  if (opts.pageSize < 1) throw new P21OptionError('P21 option pageSize must be at least 1');
  return opts;
}
