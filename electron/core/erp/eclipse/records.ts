import { MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type { CreditMemoRecord, CreditMemoRequest, ReceiptAllocation, ReceiptRecord, ReceiptRequest } from '../connector';
import { centsToDecimalString } from '@shared/money';
import { ErpError } from '../errors';
import { parseTermsText } from '../terms';
import { isCalendarDate } from '../calendar-date';

// The JSON shapes Tieout reads from Eclipse (docs/erp/eclipse.md cites each).
// Confirmed by public clients: the list envelope {metadata, results}; sales
// orders carrying `generations[]` (an invoice is one generation of an order:
// orderId, generationId, invoiceId); amounts as objects ({"value": 12.5},
// read as `salesTotal.value`). The other field names are unconfirmed and are
// read defensively: a record missing a field is a typed error naming it.

/** totalItems is null when Eclipse does not count (public clients ask with includeTotalItems=true; one reads it at the top level). */
export type EclipsePage = Readonly<{ startIndex: number; pageSize: number; totalItems: number | null; results: readonly unknown[] }>;

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
  const num = (k: string, raw: unknown = m[k]): number => {
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v < 0) throw new ErpError('malformed', `${what}: metadata.${k} is not a whole number`);
    return v;
  };
  const total = m.totalItems ?? body.totalItems;
  return { startIndex: num('startIndex'), pageSize: num('pageSize'), totalItems: total === undefined || total === null ? null : num('totalItems', total), results: body.results as unknown[] };
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

/**
 * An Eclipse amount: the object form the REST API sends ({"value": 12.5},
 * public clients read `salesTotal.value`), or a plain decimal string or number.
 * Anything else (an object without a value, extra money-looking keys, an
 * array) is refused with the reason rather than guessed at.
 */
export function amountOf(raw: unknown, key: string, what: string): Cents {
  let v = raw;
  if (isObj(raw)) {
    if (!('value' in raw)) throw new ErpError('malformed', `${what}: field "${key}" is an object without a value (${JSON.stringify(raw)})`);
    v = raw.value;
    if (isObj(v) || Array.isArray(v)) throw new ErpError('malformed', `${what}: field "${key}.value" is not an amount (${JSON.stringify(v)})`);
  }
  try {
    return parseDecimalToCents(v);
  } catch (e) {
    if (e instanceof MoneyParseError) throw new ErpError('malformed', `${what}: field "${key}" is not an amount (${JSON.stringify(raw)})`);
    throw e;
  }
}

function money(o: Obj, key: string, what: string): Cents {
  return amountOf(o[key], key, what);
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

/** A customer: id, name, and the first of `emails[{address}]` (what a public client reads from GET /Customers/{id}), or a plain `email`. */
export function toCustomer(v: unknown): Customer {
  const o = record(v, 'Eclipse customer');
  const customerId = text(o, 'id', 'Eclipse customer');
  const first = Array.isArray(o.emails) && isObj(o.emails[0]) ? o.emails[0] : null;
  const email = (first ? text(first, 'address', `Eclipse customer ${customerId}`, true) : '') || text(o, 'email', 'Eclipse customer', true);
  return { customerId, name: text(o, 'name', `Eclipse customer ${customerId}`), ...(email ? { email } : {}) };
}

/**
 * The invoice number of a generation: fullInvoiceID (or invoiceId) as sent;
 * invoiceNumber only when it is the full "S105418530.001" form (a public
 * client shows it may be the bare generation "001"); else order id + "." +
 * the generation zero-padded to 3, the number Eclipse prints.
 */
export function generationInvoiceNo(orderId: string, generationId: string, gen: Readonly<Record<string, unknown>>): string {
  for (const k of ['fullInvoiceID', 'invoiceId', 'invoiceNumber']) {
    const v = gen[k];
    const t = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
    if (t !== '' && (k !== 'invoiceNumber' || t.includes('.'))) return t;
  }
  if (!/^\d{1,6}$/.test(generationId)) throw new ErpError('malformed', `Eclipse sales order ${orderId}: generationId "${generationId}" is not a generation number`);
  return `${orderId}.${generationId.padStart(3, '0')}`;
}

/** The first of several plausible spellings that is present (the customer of an order is unconfirmed). */
function firstText(o: Obj, keys: readonly string[]): string {
  for (const k of keys) {
    const path = k.split('.');
    let v: unknown = o;
    for (const p of path) v = isObj(v) ? v[p] : undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return '';
}

const PO_KEYS = ['poNumber', 'customerPurchaseOrderNumber'] as const;

/**
 * The open items of one result of the sales-order list: a sales order with
 * `generations[]` gives one item per generation; a flat row carrying its own
 * orderId/generationId is one item. An item is open when balanceDue is not
 * zero; a negative balance is an open credit (a return/credit generation),
 * whose terms are never read. Returns every generation, open or not: the
 * caller drops the settled ones.
 */
export function toOpenInvoices(v: unknown, termsField = '', customerField = 'billToId'): OpenInvoice[] {
  // The bill-to is the A/R customer; the setting's spelling first, then the other plausible ones (never the ship-to).
  const customerKeys = [...new Set([customerField, 'billToId', 'billTo.id', 'customerId'])];
  const order = record(v, 'Eclipse sales order');
  const orderId = firstText(order, ['orderId', 'id']);
  if (orderId === '') throw new ErpError('malformed', 'Eclipse sales order: field "id" is missing');
  const generations: unknown[] = Array.isArray(order.generations) ? order.generations : 'generationId' in order ? [order] : [];
  if (!Array.isArray(order.generations) && !('generationId' in order)) throw new ErpError('malformed', `Eclipse sales order ${orderId}: no generations`);
  return generations.map((g) => {
    const gen = record(g, `Eclipse sales order ${orderId}`);
    const invoiceNo = generationInvoiceNo(orderId, text(gen, 'generationId', `Eclipse sales order ${orderId}`), gen);
    const what = `Eclipse invoice ${invoiceNo}`;
    const customerId = firstText(gen, customerKeys) || firstText(order, customerKeys);
    if (customerId === '') {
      throw new ErpError('config', `${what}: no bill-to customer (${customerKeys.join(', ')}); set the invoiceCustomerField setting to the field this Eclipse sends (tieout erp check prints the shape)`);
    }
    const customerName = firstText(gen, ['billToName', 'billTo.name', 'customerName']) || firstText(order, ['billToName', 'billTo.name', 'customerName']);
    const due = date(gen, 'dueDate', what, true);
    for (const key of ['balanceDue', 'salesTotal'] as const) {
      if (!(key in gen)) {
        // Absent, not malformed: this Eclipse names the field otherwise, a shape to check, never a balance to guess.
        throw new ErpError('config', `${what}: the generation has no "${key}" field; this Eclipse names it otherwise. Check the sales-order shape in {host}:5000/swagger (tieout erp check prints it)`);
      }
    }
    const open = money(gen, 'balanceDue', what);
    const terms = termsField && open > 0 ? parseTermsText(text(gen, termsField, what, true) || text(order, termsField, what, true)) : null;
    const currency = text(gen, 'currency', what, true) || text(order, 'currency', what, true) || 'USD';
    return {
      invoiceNo,
      customerId,
      ...(customerName ? { customerName } : {}),
      // invoiceDate is unconfirmed; shipDate is what public clients read from a generation (Eclipse invoices on shipment).
      invoiceDate: 'invoiceDate' in gen ? date(gen, 'invoiceDate', what) : date(gen, 'shipDate', what),
      dueDate: due === '' ? null : due,
      amountCents: money(gen, 'salesTotal', what),
      openBalanceCents: open,
      currency,
      poNo: firstText(gen, PO_KEYS) || firstText(order, PO_KEYS),
      ...(terms ? { terms } : {}),
    };
  });
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
