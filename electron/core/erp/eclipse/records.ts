import { MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type { CreditMemoRecord, CreditMemoRequest, ReceiptAllocation, ReceiptRecord, ReceiptRequest } from '../connector';
import { centsToDecimalString } from '@shared/money';
import { ErpError } from '../errors';
import { parseTermsText } from '../terms';
import { isCalendarDate } from '../calendar-date';

// The JSON shapes Tieout assumes for Eclipse's AR resources. Only the list
// envelope ({metadata, results}) is confirmed; the record field names are
// unconfirmed (docs/erp/eclipse.md lists them) and are read defensively:
// a record missing a field is a typed `malformed` error naming the field.

export type EclipsePage = Readonly<{ startIndex: number; pageSize: number; totalItems: number; results: readonly unknown[] }>;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parsePage(body: unknown, what: string): EclipsePage {
  if (!isObj(body) || !isObj(body.metadata) || !Array.isArray(body.results)) {
    throw new ErpError('malformed', `${what}: expected {metadata, results} from Eclipse`);
  }
  const m = body.metadata;
  // A number or its digits only: Number() also read [7], true and "" as whole numbers (fuzz finding).
  const num = (k: string): number => {
    const raw = m[k];
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v < 0) throw new ErpError('malformed', `${what}: metadata.${k} is not a whole number`);
    return v;
  };
  return { startIndex: num('startIndex'), pageSize: num('pageSize'), totalItems: num('totalItems'), results: body.results as unknown[] };
}

function text(o: Obj, key: string, what: string, optional = false): string {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (optional) return '';
    throw new ErpError('malformed', `${what}: field "${key}" is missing`);
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new ErpError('malformed', `${what}: field "${key}" is not text`);
  return String(v);
}

function money(o: Obj, key: string, what: string): Cents {
  try {
    return parseDecimalToCents(o[key]);
  } catch (e) {
    if (e instanceof MoneyParseError) throw new ErpError('malformed', `${what}: field "${key}" is not an amount (${JSON.stringify(o[key])})`);
    throw e;
  }
}

function date(o: Obj, key: string, what: string, optional = false): string {
  const v = text(o, key, what, optional);
  if (v === '') return '';
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(v);
  if (!m || !isCalendarDate(m[1]!)) throw new ErpError('malformed', `${what}: field "${key}" is not a date (${v})`);
  return m[1]!;
}

function record(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new ErpError('malformed', `${what}: a result is not an object`);
  return v;
}

export function toCustomer(v: unknown): Customer {
  const o = record(v, 'Eclipse customer');
  const customerId = text(o, 'id', 'Eclipse customer');
  const email = text(o, 'email', 'Eclipse customer', true);
  return { customerId, name: text(o, 'name', `Eclipse customer ${customerId}`), ...(email ? { email } : {}) };
}

/**
 * An open AR item. Open credits (credit memos, unapplied cash) are assumed to
 * come from the same resource with a negative openAmount (unconfirmed); the
 * terms text is read only when it states a discount, and never for a credit.
 */
export function toOpenInvoice(v: unknown, termsField = ''): OpenInvoice {
  const o = record(v, 'Eclipse invoice');
  const invoiceNo = text(o, 'invoiceNumber', 'Eclipse invoice');
  const what = `Eclipse invoice ${invoiceNo}`;
  const customerName = text(o, 'customerName', what, true);
  const due = date(o, 'dueDate', what, true);
  const open = money(o, 'openAmount', what);
  const terms = termsField && open > 0 ? parseTermsText(text(o, termsField, what, true)) : null;
  return {
    invoiceNo,
    customerId: text(o, 'customerId', what),
    ...(customerName ? { customerName } : {}),
    invoiceDate: date(o, 'invoiceDate', what),
    dueDate: due === '' ? null : due,
    amountCents: money(o, 'originalAmount', what),
    openBalanceCents: open,
    currency: text(o, 'currency', what, true) || 'USD',
    poNo: text(o, 'poNumber', what, true),
    ...(terms ? { terms } : {}),
  };
}

export function toReceiptRecord(v: unknown, referenceField: string): ReceiptRecord {
  const o = record(v, 'Eclipse cash receipt');
  const id = text(o, 'id', 'Eclipse cash receipt');
  const what = `Eclipse cash receipt ${id}`;
  const apps = Array.isArray(o.applications) ? o.applications : [];
  const allocations: ReceiptAllocation[] = apps.map((a) => {
    const ao = record(a, what);
    return { invoiceNo: text(ao, 'invoiceNumber', what), amountCents: money(ao, 'amount', what) };
  });
  return {
    reference: text(o, referenceField, what),
    erpDocumentId: id,
    customerId: text(o, 'customerId', what),
    amountCents: money(o, 'amount', what),
    date: date(o, 'receiptDate', what),
    allocations,
  };
}

export function toCreditMemoRecord(v: unknown, referenceField: string): CreditMemoRecord {
  const o = record(v, 'Eclipse credit memo');
  const id = text(o, 'id', 'Eclipse credit memo');
  const what = `Eclipse credit memo ${id}`;
  return {
    reference: text(o, referenceField, what),
    erpDocumentId: id,
    customerId: text(o, 'customerId', what),
    amountCents: money(o, 'amount', what),
    date: date(o, 'memoDate', what),
  };
}

/**
 * The cash receipt sent to Eclipse: one application per allocation (an open
 * credit applied has a negative amount), the early-payment discount taken on
 * an invoice in `discountField` of its first application.
 */
export function receiptBody(r: ReceiptRequest, referenceField: string, discounts: ReadonlyMap<string, Cents> = new Map(), discountField = ''): Obj {
  const pending = new Map(discounts);
  const discountOf = (invoiceNo: string, amount: Cents): Obj => {
    const d = amount > 0 ? pending.get(invoiceNo.trim()) : undefined;
    if (d === undefined || !discountField) return {};
    pending.delete(invoiceNo.trim());
    return { [discountField]: centsToDecimalString(d) };
  };
  return {
    customerId: r.customerId,
    receiptDate: r.date,
    amount: centsToDecimalString(r.amountCents),
    currency: r.currency,
    paymentType: r.paymentMethod === 'ach' ? 'EFT' : r.cardBrand ? `CC-${r.cardBrand}` : 'CC',
    [referenceField]: r.reference,
    ...(r.bankCode ? { bankCode: r.bankCode } : {}),
    ...(r.depositNo ? { depositNumber: r.depositNo } : {}),
    applications: r.allocations.map((a) => ({ invoiceNumber: a.invoiceNo, amount: centsToDecimalString(a.amountCents), ...discountOf(a.invoiceNo, a.amountCents) })),
    unappliedAmount: centsToDecimalString(r.unappliedCents ?? 0),
    ...(r.memo ? { memo: r.memo } : {}),
  };
}

export function creditMemoBody(m: CreditMemoRequest, referenceField: string): Obj {
  return {
    customerId: m.customerId,
    memoDate: m.date,
    amount: centsToDecimalString(m.amountCents),
    currency: m.currency,
    [referenceField]: m.reference,
    originalReference: m.originalReference,
    ...(m.invoiceNo ? { invoiceNumber: m.invoiceNo } : {}),
    reason: m.reason,
  };
}
