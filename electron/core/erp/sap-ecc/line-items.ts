import { cents, MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import type { OpenInvoice, PaymentTerms } from '@shared/domain';
import { termsFromParts } from '../terms';
import type { ReceiptAllocation, ReceiptRecord } from '../connector';
import { ErpError } from '../errors';
import type { InvoiceNumberField, ReferenceField } from './options';
import { addDays, alphaOut, fromSapDate } from './sap-values';

// BAPI3007_2 line items → Tieout's shapes. Line items are customer-side lines
// only (BSID/BSAD), amounts unsigned with DB_CR_IND S (debit) / H (credit).

export type LineItem = Readonly<Record<string, string>>;

export function signedCents(item: LineItem): Cents {
  const raw = item['AMT_DOCCUR'] ?? '';
  let amount: Cents;
  try {
    amount = parseDecimalToCents(raw);
  } catch (e) {
    if (!(e instanceof MoneyParseError)) throw e;
    throw new ErpError('malformed', `SAP line item ${item['DOC_NO'] ?? '?'}/${item['ITEM_NUM'] ?? '?'} has an unreadable AMT_DOCCUR ${JSON.stringify(raw)}`);
  }
  const indicator = (item['DB_CR_IND'] ?? '').trim();
  if (indicator !== 'S' && indicator !== 'H') {
    throw new ErpError('malformed', `SAP line item ${item['DOC_NO'] ?? '?'} has DB_CR_IND ${JSON.stringify(indicator)} (expected S or H)`);
  }
  return cents(indicator === 'H' ? -Math.abs(amount) : Math.abs(amount));
}

export function invoiceKey(item: LineItem, field: InvoiceNumberField): string {
  const v = (item[field] ?? '').trim();
  return field === 'DOC_NO' || field === 'BILL_DOC' ? alphaOut(v) : v;
}

/**
 * Cash discount terms of an invoice's debit item (BAPI3007_2 DSCT_PCT1 /
 * DSCT_DAYS1 / NETTERMS, i.e. BSEG ZBD1P / ZBD1T / ZBD3T). FI counts the days
 * from the baseline date (BLINE_DATE), normally the invoice date. With no net
 * days, FI's due date falls at the end of the second (else first) discount period.
 */
export function itemTerms(item: LineItem): PaymentTerms | null {
  const days = (f: string): string => (item[f] ?? '').trim();
  const net = Number(days('NETTERMS') || '0') || Number(days('DSCT_DAYS2') || '0') || undefined;
  return termsFromParts({ rate: days('DSCT_PCT1'), discountDays: days('DSCT_DAYS1'), netDays: net });
}

/** A sum of line items as cents; a total no safe integer can hold is a malformed reply, not a MoneyParseError (fuzz finding). */
function totalCents(sum: number, what: string): Cents {
  if (!Number.isSafeInteger(sum)) throw new ErpError('malformed', `SAP line items of ${what} add up to more than an amount can hold`);
  return cents(sum);
}

function dueDate(item: LineItem): string | null {
  const baseline = fromSapDate(item['BLINE_DATE']);
  const netDays = Number((item['NETTERMS'] ?? '').trim() || '0');
  // No due-date field in BAPI3007_2: the standard FI rule is baseline date + net days.
  return baseline ? addDays(baseline, Number.isFinite(netDays) ? netDays : 0) : null;
}

/**
 * Groups a customer's open items into open AR items. An invoice is the debit
 * items sharing an invoice number; credit items count against it when their
 * invoice field or ALLOC_NMBR names it (partial payments). Credits naming no
 * open invoice (credit memos, payments on account) are open credits: grouped
 * by their own number in the invoice field (else the document number), with a
 * negative balance.
 *
 * A residual item FB05 left after a short payment is a line of the payment
 * document (`paymentDocType`): its XBLNR is the payment's, and the wrapper
 * assigns it (ALLOC_NMBR) to the invoice or credit memo it remains of, so it
 * is named by ALLOC_NMBR.
 */
export function lineItemsToInvoices(
  items: readonly LineItem[],
  field: InvoiceNumberField,
  customer: Readonly<{ customerId: string; name: string }>,
  paymentDocType?: string,
): OpenInvoice[] {
  type Group = { items: LineItem[]; balance: number; amount: number };
  const groups = new Map<string, Group>();
  const credits = new Map<string, Group>();
  const nameOf = (item: LineItem): string => {
    const assigned = (item['ALLOC_NMBR'] ?? '').trim();
    if (paymentDocType && field !== 'ALLOC_NMBR' && assigned && (item['DOC_TYPE'] ?? '').trim() === paymentDocType) return assigned;
    return invoiceKey(item, field);
  };
  for (const item of items) {
    const key = nameOf(item);
    const amount = signedCents(item);
    if (amount <= 0 || !key) continue;
    const g = groups.get(key) ?? { items: [], balance: 0, amount: 0 };
    g.items.push(item);
    g.balance += amount;
    g.amount += amount;
    groups.set(key, g);
  }
  for (const item of items) {
    const amount = signedCents(item);
    if (amount > 0) continue;
    const own = nameOf(item);
    const key = [own, (item['ALLOC_NMBR'] ?? '').trim()].find((k) => k && groups.has(k));
    if (key) {
      groups.get(key)!.balance += amount;
      continue;
    }
    const creditNo = own || alphaOut((item['DOC_NO'] ?? '').trim());
    if (!creditNo || amount === 0) continue;
    const c = credits.get(creditNo) ?? { items: [], balance: 0, amount: 0 };
    c.items.push(item);
    c.balance += amount;
    c.amount += amount;
    credits.set(creditNo, c);
  }
  const toOpenItem = (invoiceNo: string, g: Group, terms: PaymentTerms | null): OpenInvoice => {
    const first = g.items[0]!;
    return {
      invoiceNo,
      customerId: customer.customerId,
      customerName: customer.name,
      invoiceDate: fromSapDate(first['DOC_DATE']) ?? fromSapDate(first['PSTNG_DATE']) ?? '',
      dueDate: dueDate(first),
      amountCents: totalCents(g.amount, invoiceNo),
      openBalanceCents: totalCents(g.balance, invoiceNo),
      currency: (first['CURRENCY'] ?? '').trim(),
      poNo: '',
      ...(terms ? { terms } : {}),
    };
  };
  const invoices: OpenInvoice[] = [];
  for (const [invoiceNo, g] of groups) {
    // An invoice its credits cover fully (or more) is not open; any excess stays an SAP matter.
    if (g.balance <= 0) continue;
    invoices.push(toOpenItem(invoiceNo, g, itemTerms(g.items[0]!)));
  }
  for (const [creditNo, c] of credits) invoices.push(toOpenItem(creditNo, c, null));
  return invoices;
}

export function carriesReference(item: LineItem, reference: string, field: ReferenceField): boolean {
  const ref = reference.trim().toUpperCase();
  const xblnr = (item['REF_DOC_NO'] ?? '').trim().toUpperCase();
  const zuonr = (item['ALLOC_NMBR'] ?? '').trim().toUpperCase();
  if (field === 'REF_DOC_NO') return xblnr === ref;
  if (field === 'ALLOC_NMBR') return zuonr === ref;
  return xblnr === ref || zuonr === ref;
}

/** BELNR(10) + BUKRS(4) + GJAHR(4): the FI OBJ_KEY that BAPI_ACC_DOCUMENT_POST returns. */
export function objectKey(item: LineItem): string {
  const belnr = (item['DOC_NO'] ?? '').trim().padStart(10, '0');
  const bukrs = (item['COMP_CODE'] ?? '').trim().padEnd(4, ' ');
  return `${belnr}${bukrs}${(item['FISC_YEAR'] ?? '').trim()}`;
}

/** "Inv 1004521 / 400000123": how each customer line names the invoice it pays. */
export function allocationText(prefix: string, invoiceNo: string, reference: string): string {
  return `${prefix} ${invoiceNo} / ${reference}`.slice(0, 50);
}

// "Inv <invoice> / <id>" pays an invoice; "Cred <credit memo> / <id>" applies an open credit (a debit line, read back negative).
const ALLOCATION_TEXT = /^(?:Inv|Cred) (\S+) \/ /;
/** Every customer line Tieout sends: the allocations, "On account / <id>" and a credit memo's "CM <invoice> / <id>: …". */
const TIEOUT_LINE_TEXT = /^(?:(?:Inv|Cred|CM) \S+|On account) \/ /;

/** A posted receipt as the line items show it; the caller knows the reference it looked for. */
export type PostedDocument = Omit<ReceiptRecord, 'reference'>;

/**
 * The documents (of one document type) whose customer lines carry the reference. With
 * `appliedOnlyWhenCleared` (the wrapper clears what it pays), a line counts as applied to an invoice
 * only when SAP cleared it (CLR_DOC_NO set): a line whose text names an invoice but which is still
 * open sits on account, i.e. the clearing of that invoice did not happen. Lines
 * FB05 adds to the payment document itself (residual items of short payments,
 * text "Residual <invoice>") are not the receipt's cash and are left out.
 */
export function documentsCarrying(
  items: readonly LineItem[],
  reference: string,
  field: ReferenceField,
  docType: string,
  appliedOnlyWhenCleared = false,
): PostedDocument[] {
  const byDoc = new Map<string, Map<string, LineItem>>();
  for (const item of items) {
    if ((item['DOC_TYPE'] ?? '').trim() !== docType || !carriesReference(item, reference, field)) continue;
    if (appliedOnlyWhenCleared && !TIEOUT_LINE_TEXT.test((item['ITEM_TEXT'] ?? '').trim())) continue;
    const key = objectKey(item);
    const lines = byDoc.get(key) ?? new Map<string, LineItem>();
    // Open and balanced reads can both return a line; de-duplicate by item number.
    lines.set((item['ITEM_NUM'] ?? '').trim(), item);
    byDoc.set(key, lines);
  }
  return [...byDoc].map(([erpDocumentId, lines]) => {
    let total = 0;
    const allocations: ReceiptAllocation[] = [];
    let first: LineItem | undefined;
    for (const line of lines.values()) {
      first ??= line;
      const credit = -signedCents(line);
      total += credit;
      const m = ALLOCATION_TEXT.exec((line['ITEM_TEXT'] ?? '').trim());
      const cleared = (line['CLR_DOC_NO'] ?? '').trim() !== '';
      if (m && (cleared || !appliedOnlyWhenCleared)) allocations.push({ invoiceNo: m[1]!, amountCents: cents(credit) });
    }
    return {
      erpDocumentId,
      customerId: alphaOut(first?.['CUSTOMER'] ?? ''),
      amountCents: totalCents(total, erpDocumentId),
      date: fromSapDate(first?.['PSTNG_DATE']) ?? '',
      allocations,
    };
  });
}
