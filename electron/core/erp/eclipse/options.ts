import { ErpError } from '../errors';
import type { ErpOptionField, ErpOptionValue } from '../kind-module';
import { optionReader } from '../option-reader';

// Eclipse settings. Confirmed by public clients (docs/erp/eclipse.md lists
// the sources): POST /Sessions, the session token, {metadata, results} paging,
// GET /Customers and GET /SalesOrders (invoices are sales-order generations,
// amounts are {value} objects). Unconfirmed and so settings: the refresh
// route, the cash-receipt resource and the record field names; the site
// checks them in its Swagger UI and `tieout erp check` prints what answers.

export const ECLIPSE_OPTION_FIELDS: readonly ErpOptionField[] = [
  { key: 'loginType', label: 'Login type', default: 'Employee', help: 'loginType sent to POST /Sessions.', choices: ['Employee', 'Developer', 'Partner', 'Customer', 'Vendor', 'Contact', 'Anonymous'] },
  { key: 'pageSize', label: 'Page size', default: 200, help: 'pageSize query parameter on list calls (the sample client uses 200).' },
  {
    key: 'sessionRefreshPath',
    label: 'Session refresh path',
    default: '/Sessions/refresh',
    help: 'POSTed with {sessionId, refreshToken} when Eclipse answers 419 (session timeout), as a public client does; a failed refresh signs in again. A later client of the same author uses /SessionRefresh.',
    unconfirmed: true,
  },
  { key: 'customersPath', label: 'Customers path', default: '/Customers', help: 'Customer list resource (public clients call GET /Customers). Check it in {host}:5000/swagger.' },
  { key: 'openInvoicesPath', label: 'Open invoices path', default: '/SalesOrders', help: 'Sales orders: each invoice is a generation of an order (orderId, generationId, invoiceId; balanceDue.value).' },
  {
    key: 'openInvoicesQuery',
    label: 'Open invoices filter',
    default: 'OrderStatus=Invoice&includeTotalItems=true',
    help: 'Query parameters for the sales-order list (a public client sends OrderStatus=Invoice and includeTotalItems=true). Tieout keeps only generations with a balance due.',
  },
  {
    key: 'invoiceCustomerField',
    label: 'Invoice customer field',
    default: 'billToId',
    help: 'Field of a sales order or generation holding the bill-to (A/R) customer id. Public clients show shipToId; the bill-to field name is not public.',
    unconfirmed: true,
  },
  { key: 'cashReceiptsPath', label: 'Cash receipts path', default: '/CashReceipts', help: 'Cash receipt resource: GET to look up by reference (both posting modes, the read-back), POST to create (API posting mode). No public source shows it.', unconfirmed: true },
  { key: 'creditMemosPath', label: 'Credit memos path', default: '/CreditMemos', help: 'Credit memo resource (GET look-up, POST create). No public source shows it.', unconfirmed: true },
  { key: 'termsField', label: 'Invoice terms field', default: 'terms', help: 'Open-invoice field holding the terms text (e.g. "2% 10 NET 30"); read into discount terms when it states a discount. Empty to skip.', unconfirmed: true },
  { key: 'referenceField', label: 'Reference field', default: 'checkNumber', help: 'Receipt field carrying the PayTrace transaction id; also the query parameter of the look-up.', unconfirmed: true },
  { key: 'referenceMaxLength', label: 'Reference max length', default: 20, help: 'Longest reference the ERP field accepts; longer ones are refused before sending.', unconfirmed: true },
  {
    key: 'discountField',
    label: 'Application field: discount taken',
    default: 'discountAmount',
    help: "Field of a cash receipt application carrying the early-payment (terms) discount taken on that invoice (API mode; lock-box files carry it in their own column). Empty = post no discounts.",
    unconfirmed: true,
  },
  {
    key: 'creditApplication',
    label: 'Open credits in a receipt',
    default: 'negative-line',
    help: "'negative-line' applies an open credit memo as an application (lock-box detail) with a negative amount against the memo's number; 'off' leaves credits to be applied in Eclipse.",
    unconfirmed: true,
    choices: ['negative-line', 'off'],
  },
  {
    key: 'postingMode',
    label: 'Posting mode',
    default: 'api',
    help: "'api': POST to the cash receipts path, then read it back. 'lockbox-file': write a lock-box/EFT file for a clerk to upload in Eclipse; the payment waits as unknown outcome until the read-back shows the applied cash.",
    choices: ['api', 'lockbox-file'],
  },
  { key: 'lockboxFolder', label: 'Lock-box drop folder', default: '', help: 'Folder Eclipse imports lock-box/EFT files from (lockbox-file mode).' },
  { key: 'lockboxLayout', label: 'Lock-box layout', default: 'csv', help: 'File layout; must match the layout configured in Eclipse Cash Receipts (docs/erp/eclipse.md).', unconfirmed: true, choices: ['csv', 'fixed-width'] },
];

export type EclipseOptions = Readonly<{
  loginType: string;
  pageSize: number;
  sessionRefreshPath: string;
  customersPath: string;
  openInvoicesPath: string;
  openInvoicesQuery: Readonly<Record<string, string>>;
  invoiceCustomerField: string;
  cashReceiptsPath: string;
  creditMemosPath: string;
  termsField: string;
  referenceField: string;
  referenceMaxLength: number;
  discountField: string;
  creditApplication: 'negative-line' | 'off';
  postingMode: 'api' | 'lockbox-file';
  lockboxFolder: string;
  lockboxLayout: 'csv' | 'fixed-width';
}>;

const { str, positiveInt } = optionReader(ECLIPSE_OPTION_FIELDS, 'Eclipse');

function path(options: Readonly<Record<string, ErpOptionValue>>, key: string): string {
  const p = str(options, key);
  if (!p.startsWith('/')) throw new ErpError('config', `Eclipse setting ${key} must start with "/" (got "${p}")`);
  return p.replace(/\/+$/, '');
}

/** "a=1&b=2" as parameters; paging parameters stay Tieout's. */
function query(options: Readonly<Record<string, ErpOptionValue>>, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(str(options, key).replace(/^\?/, ''))) {
    if (k === 'startIndex' || k === 'pageSize') throw new ErpError('config', `Eclipse setting ${key} must not set ${k}: Tieout pages the list itself`);
    out[k] = v;
  }
  return out;
}

export function parseEclipseOptions(options: Readonly<Record<string, ErpOptionValue>>): EclipseOptions {
  const postingMode = str(options, 'postingMode');
  if (postingMode !== 'api' && postingMode !== 'lockbox-file') throw new ErpError('config', `Eclipse postingMode must be 'api' or 'lockbox-file' (got "${postingMode}")`);
  const lockboxLayout = str(options, 'lockboxLayout');
  if (lockboxLayout !== 'csv' && lockboxLayout !== 'fixed-width') throw new ErpError('config', `Eclipse lockboxLayout must be 'csv' or 'fixed-width' (got "${lockboxLayout}")`);
  const creditApplication = str(options, 'creditApplication');
  if (creditApplication !== 'negative-line' && creditApplication !== 'off') throw new ErpError('config', `Eclipse creditApplication must be 'negative-line' or 'off' (got "${creditApplication}")`);
  const lockboxFolder = str(options, 'lockboxFolder');
  if (postingMode === 'lockbox-file' && lockboxFolder === '') throw new ErpError('config', 'Eclipse lockbox-file posting needs the lockboxFolder setting');
  return {
    loginType: str(options, 'loginType'),
    pageSize: positiveInt(options, 'pageSize'),
    sessionRefreshPath: path(options, 'sessionRefreshPath'),
    customersPath: path(options, 'customersPath'),
    openInvoicesPath: path(options, 'openInvoicesPath'),
    openInvoicesQuery: query(options, 'openInvoicesQuery'),
    invoiceCustomerField: str(options, 'invoiceCustomerField') || 'billToId',
    cashReceiptsPath: path(options, 'cashReceiptsPath'),
    creditMemosPath: path(options, 'creditMemosPath'),
    termsField: str(options, 'termsField'),
    referenceField: str(options, 'referenceField'),
    referenceMaxLength: positiveInt(options, 'referenceMaxLength'),
    discountField: str(options, 'discountField'),
    creditApplication,
    postingMode,
    lockboxFolder,
    lockboxLayout,
  };
}
