import { ErpError } from '../errors';
import type { ErpOptionField } from '../kind-module';
import { optionReader, type RawOptions } from '../option-reader';

// abas settings. The REST mechanics (obj/data/{db}:{group}, criteria,
// headFields/tableFields, offset/limit, the working-set editor, customers 0:1
// with nummer/such/name) are confirmed (reference §5, the abas ERP REST
// OpenAPI v1.2.0); the open-item and payment objects and their
// field names are not, so each is a setting with a documented default
// (docs/erp/abas.md). The site finds the real ones in its database overview.

export const ABAS_OPTION_FIELDS: readonly ErpOptionField[] = [
  { key: 'tenant', label: 'Tenant (client)', default: '', help: 'The {tenant} in /mw/r/{tenant}/, e.g. "test" or "client@host".' },
  { key: 'authMode', label: 'Authentication', default: 'basic', help: "'basic' (user + abas password) or 'oauth2' (client credentials; the credential user name is the client id, the password the secret).", choices: ['basic', 'oauth2'] },
  { key: 'basicUser', label: 'Basic auth user', default: '', help: 'User name for Basic auth; the vendor samples leave it empty and send only the abas password.' },
  { key: 'tokenUrl', label: 'OAuth2 token endpoint', default: '', help: 'Keycloak token URL for client credentials, e.g. https://host/auth/realms/abas/protocol/openid-connect/token.' },
  { key: 'oauthScope', label: 'OAuth2 scope', default: '', help: 'Optional scope for the token request (the sample token carries "abas-fusion openid").' },
  { key: 'language', label: 'Accept-Language', default: 'en', help: "'en' keeps decimals as 1234.50; 'de' would send German formats.", choices: ['en', 'de'] },
  { key: 'pageSize', label: 'Page size (limit)', default: 200, help: 'limit query parameter per page.' },
  { key: 'offsetParam', label: 'Paging parameter', default: 'offset', help: 'Query parameter that skips rows on later pages: offset in the abas ERP REST OpenAPI (getList: offset, limit default 20, 0 = all).' },
  { key: 'customersObject', label: 'Customers database:group', default: '0:1', help: 'Customers (fields nummer, such, name).' },
  { key: 'openItemsObject', label: 'Open items database:group', default: '7:5', help: 'Open items (Offene Posten) of customers.', unconfirmed: true },
  { key: 'openItemsCriteria', label: 'Open items criteria', default: '', help: 'Extra abas selection (field=from!to;...) limiting open items to receivables.', unconfirmed: true },
  { key: 'opInvoiceField', label: 'Open item: invoice no. field', default: 'nummer', help: 'Invoice number field of an open item.', unconfirmed: true },
  { key: 'opCustomerField', label: 'Open item: customer field', default: 'kunde', help: 'Customer number field of an open item.', unconfirmed: true },
  { key: 'opDateField', label: 'Open item: date field', default: 'datum', help: 'Invoice date field.', unconfirmed: true },
  { key: 'opDueField', label: 'Open item: due date field', default: 'faellig', help: 'Due date field.', unconfirmed: true },
  { key: 'opAmountField', label: 'Open item: amount field', default: 'betrag', help: 'Original amount field.', unconfirmed: true },
  { key: 'opOpenField', label: 'Open item: open amount field', default: 'offen', help: 'Open amount field.', unconfirmed: true },
  { key: 'opCurrencyField', label: 'Open item: currency field', default: 'waehr', help: 'Currency field.', unconfirmed: true },
  { key: 'opPoField', label: 'Open item: PO field', default: 'bestnr', help: 'Customer order/PO number field.', unconfirmed: true },
  // abas states cash discount (Skonto) per open item; the field names are not public, so these start empty (no terms read).
  { key: 'opDiscountPercentField', label: 'Open item: discount % field', default: '', help: 'Cash discount (Skonto) percent of an open item, e.g. 2 for 2%. Empty = read no discount terms.', unconfirmed: true },
  { key: 'opDiscountDaysField', label: 'Open item: discount days field', default: '', help: 'Days after the invoice date the cash discount is allowed.', unconfirmed: true },
  { key: 'opNetDaysField', label: 'Open item: net days field', default: '', help: 'Days after the invoice date the item is due net; empty = the discount days.', unconfirmed: true },
  { key: 'paymentObject', label: 'Payment database:group', default: '8:1', help: 'Object created for an incoming payment through the editor (commands/NEW).', unconfirmed: true },
  { key: 'creditMemoObject', label: 'Credit memo database:group', default: '8:2', help: 'Object created for a credit memo.', unconfirmed: true },
  { key: 'payCustomerField', label: 'Payment: customer field', default: 'kunde', help: 'Head field for the customer.', unconfirmed: true },
  { key: 'payAmountField', label: 'Payment: amount field', default: 'betrag', help: 'Head field for the amount.', unconfirmed: true },
  { key: 'payDateField', label: 'Payment: date field', default: 'datum', help: 'Head field for the payment date (sent as YYYYMMDD).', unconfirmed: true },
  { key: 'payCurrencyField', label: 'Payment: currency field', default: 'waehr', help: 'Head field for the currency.', unconfirmed: true },
  { key: 'payReferenceField', label: 'Payment: reference field', default: 'verwzweck', help: 'Head field carrying the PayTrace id (Verwendungszweck); the idempotency look-up queries it.', unconfirmed: true },
  { key: 'rowInvoiceField', label: 'Payment row: invoice field', default: 'rechnr', help: 'Table field naming the invoice a row pays.', unconfirmed: true },
  { key: 'rowAmountField', label: 'Payment row: amount field', default: 'zbetrag', help: 'Table field with the amount applied.', unconfirmed: true },
  {
    key: 'rowDiscountField',
    label: 'Payment row: cash discount (Skonto) field',
    default: 'skonto',
    help: "Table field with the cash discount (Skonto) taken on the row's invoice, beside the amount paid. Empty = post no discounts. Not used by MT940 files, which cannot carry a discount.",
    unconfirmed: true,
  },
  {
    key: 'creditApplication',
    label: 'Open credits in a payment',
    default: 'negative-row',
    help: "'negative-row' applies an open credit (a credit memo's open item) as a payment row with a negative amount naming it; 'off' leaves credits to be offset in abas. Not used by MT940 files.",
    unconfirmed: true,
    choices: ['negative-row', 'off'],
  },
  { key: 'referenceMaxLength', label: 'Reference max length', default: 30, help: 'Longest reference the payment reference field holds.', unconfirmed: true },
  {
    key: 'dialogAnswers',
    label: 'Editor dialog answers',
    default: '',
    help: "Dialogs abas may ask while a payment is entered, with the answer that is known safe at this site, as dialogId=answer;dialogId=answer. Any other dialog cancels the payment with abas's question in the error (nothing committed).",
  },
  { key: 'postingMode', label: 'Posting mode', default: 'api', help: "'api': editor flow. 'mt940-file': write an MT940 statement for abas's bank-statement import and confirm by reading the payment back.", choices: ['api', 'mt940-file'] },
  { key: 'mt940Folder', label: 'MT940 import folder', default: '', help: 'Folder abas imports bank statements from (mt940-file mode).' },
  { key: 'mt940Account', label: 'MT940 account (:25:)', default: 'TIEOUT-CLEARING', help: 'Account identification the bank-statement import maps to the PayTrace clearing account.', unconfirmed: true },
  { key: 'mt940ConfirmTimeoutMs', label: 'Import confirm timeout (ms)', default: 300_000, help: 'How long to wait for the imported payment before reporting an unknown outcome.' },
  { key: 'mt940PollIntervalMs', label: 'Import poll interval (ms)', default: 5_000, help: 'How often to look for the imported payment.' },
];

export type AbasOptions = Readonly<{
  tenant: string;
  authMode: 'basic' | 'oauth2';
  basicUser: string;
  tokenUrl: string;
  oauthScope: string;
  language: string;
  pageSize: number;
  offsetParam: string;
  customersObject: string;
  openItemsObject: string;
  openItemsCriteria: string;
  op: Readonly<{ invoice: string; customer: string; date: string; due: string; amount: string; open: string; currency: string; po: string }>;
  /** Optional discount-terms fields of an open item ('' = not read). */
  opTerms: Readonly<{ percent: string; days: string; netDays: string }>;
  paymentObject: string;
  creditMemoObject: string;
  pay: Readonly<{ customer: string; amount: string; date: string; currency: string; reference: string; rowInvoice: string; rowAmount: string }>;
  /** Table field for the cash discount (Skonto) of a row; '' = discounts not posted. */
  rowDiscount: string;
  creditApplication: 'negative-row' | 'off';
  referenceMaxLength: number;
  /** Dialog id → the answer known safe at this site; any other dialog cancels the edit. */
  dialogAnswers: ReadonlyMap<string, string>;
  postingMode: 'api' | 'mt940-file';
  mt940Folder: string;
  mt940Account: string;
  mt940ConfirmTimeoutMs: number;
  mt940PollIntervalMs: number;
}>;

type Raw = RawOptions;

const { str, positiveInt, url } = optionReader(ABAS_OPTION_FIELDS, 'abas');

function dbGroup(o: Raw, key: string): string {
  const v = str(o, key);
  if (!/^\d+:\d+$/.test(v)) throw new ErpError('config', `abas setting ${key} must look like database:group, e.g. 0:1 (got "${v}")`);
  return v;
}

function optionalFieldName(o: Raw, key: string): string {
  return str(o, key) === '' ? '' : fieldName(o, key);
}

function fieldName(o: Raw, key: string): string {
  const v = str(o, key);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(v)) throw new ErpError('config', `abas setting ${key} must be a field name (got "${v}")`);
  return v;
}

function dialogAnswers(o: Raw): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of str(o, 'dialogAnswers').split(';').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ErpError('config', `abas setting dialogAnswers must list dialogId=answer pairs separated by ; (got "${part}")`);
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export function parseAbasOptions(o: Raw): AbasOptions {
  const tenant = str(o, 'tenant');
  if (!tenant) throw new ErpError('config', 'abas needs the tenant setting (the client name in /mw/r/{tenant}/)');
  const authMode = str(o, 'authMode');
  if (authMode !== 'basic' && authMode !== 'oauth2') throw new ErpError('config', `abas authMode must be 'basic' or 'oauth2' (got "${authMode}")`);
  const tokenUrl = url(o, 'tokenUrl');
  if (authMode === 'oauth2' && !tokenUrl) throw new ErpError('config', 'abas OAuth2 needs the tokenUrl setting');
  const postingMode = str(o, 'postingMode');
  if (postingMode !== 'api' && postingMode !== 'mt940-file') throw new ErpError('config', `abas postingMode must be 'api' or 'mt940-file' (got "${postingMode}")`);
  const creditApplication = str(o, 'creditApplication');
  if (creditApplication !== 'negative-row' && creditApplication !== 'off') throw new ErpError('config', `abas creditApplication must be 'negative-row' or 'off' (got "${creditApplication}")`);
  const mt940Folder = str(o, 'mt940Folder');
  if (postingMode === 'mt940-file' && !mt940Folder) throw new ErpError('config', 'abas mt940-file posting needs the mt940Folder setting');
  return {
    tenant,
    authMode,
    basicUser: str(o, 'basicUser'),
    tokenUrl,
    oauthScope: str(o, 'oauthScope'),
    language: str(o, 'language') || 'en',
    pageSize: positiveInt(o, 'pageSize'),
    offsetParam: fieldName(o, 'offsetParam'),
    customersObject: dbGroup(o, 'customersObject'),
    openItemsObject: dbGroup(o, 'openItemsObject'),
    openItemsCriteria: str(o, 'openItemsCriteria'),
    op: {
      invoice: fieldName(o, 'opInvoiceField'),
      customer: fieldName(o, 'opCustomerField'),
      date: fieldName(o, 'opDateField'),
      due: fieldName(o, 'opDueField'),
      amount: fieldName(o, 'opAmountField'),
      open: fieldName(o, 'opOpenField'),
      currency: fieldName(o, 'opCurrencyField'),
      po: fieldName(o, 'opPoField'),
    },
    opTerms: { percent: optionalFieldName(o, 'opDiscountPercentField'), days: optionalFieldName(o, 'opDiscountDaysField'), netDays: optionalFieldName(o, 'opNetDaysField') },
    paymentObject: dbGroup(o, 'paymentObject'),
    creditMemoObject: dbGroup(o, 'creditMemoObject'),
    pay: {
      customer: fieldName(o, 'payCustomerField'),
      amount: fieldName(o, 'payAmountField'),
      date: fieldName(o, 'payDateField'),
      currency: fieldName(o, 'payCurrencyField'),
      reference: fieldName(o, 'payReferenceField'),
      rowInvoice: fieldName(o, 'rowInvoiceField'),
      rowAmount: fieldName(o, 'rowAmountField'),
    },
    rowDiscount: optionalFieldName(o, 'rowDiscountField'),
    creditApplication,
    referenceMaxLength: positiveInt(o, 'referenceMaxLength'),
    dialogAnswers: dialogAnswers(o),
    postingMode,
    mt940Folder,
    mt940Account: str(o, 'mt940Account'),
    mt940ConfirmTimeoutMs: positiveInt(o, 'mt940ConfirmTimeoutMs'),
    mt940PollIntervalMs: positiveInt(o, 'mt940PollIntervalMs'),
  };
}
