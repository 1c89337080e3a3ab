import { centsToDecimalString, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
  ReceiptRecord,
  ReceiptRequest,
} from '../connector';
import { checkReceipt } from '../receipt-request';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import type { ErpConnectionConfig } from '../kind-module';
import { allocationText, documentsCarrying, lineItemsToInvoices, type LineItem, type PostedDocument } from './line-items';
import { referenceMaxLength, resolveSettings, type SapEccSettings } from './options';
import { createRfcClient, type RfcClient } from './rfc-client';
import { alphaIn, alphaOut, addDays, describeSapMessage, isErrorMessage, toSapDate, toSapMessage, type SapMessage } from './sap-values';
import { structureOf, tableOf, type RfcReply, type RfcStructure } from './soap';

export type SapEccConnector = ErpConnector & {
  /** Warnings and info messages SAP returned (RETURN rows of type W/I), newest last. */
  readonly notes: readonly string[];
};

const BASE_CAPABILITIES: ErpCapabilities = { postReceipts: 'api', creditMemos: 'api', receiptLookup: true, reverseReceipt: false };
/** Longest write-off reason code the wrapper takes (ITEMS-WRITEOFF_RSN, CHAR 30; the site maps it to a payment-difference reason, RSTGR). */
const REASON_MAX = 30;
const FAR_FUTURE = '9999-12-31';
const MAX_NOTES = 200;

/** FB05 selection field (SELFD) for each invoice-number field. */
const CLEARING_FIELD: Record<SapEccSettings['invoiceNumberField'], string> = {
  REF_DOC_NO: 'XBLNR',
  ALLOC_NMBR: 'ZUONR',
  DOC_NO: 'BELNR',
  BILL_DOC: 'VBELN',
};

type CustomerRef = Readonly<{ kunnr: string; name: string }>;

function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function messagesOf(reply: RfcReply): SapMessage[] {
  const rows = tableOf(reply, 'RETURN');
  const list = rows.length > 0 ? rows : [structureOf(reply, 'RETURN')];
  return list.map(toSapMessage).filter((m): m is SapMessage => m !== null);
}

export function createSapEccConnector(config: ErpConnectionConfig): SapEccConnector {
  const settings = resolveSettings(config.options);
  // Discounts, write-offs and credits are cleared together with the invoices, which only the wrapper does:
  // BAPI_ACC_DOCUMENT_POST posts on account and clears nothing (docs/erp/sap-ecc.md).
  const clears = settings.postingMode === 'wrapper';
  const capabilities: ErpCapabilities = { ...BASE_CAPABILITIES, writeOffs: clears, discounts: clears, applyCredits: clears };
  const client: RfcClient = createRfcClient({
    baseUrl: config.baseUrl,
    sapClient: settings.sapClient,
    credentials: config.credentials,
    timeoutMs: config.timeoutMs ?? 30_000,
  });
  const notes: string[] = [];
  /** Customer of each reference posted by this process: the look-up tries it first. */
  const knownCustomer = new Map<string, Readonly<{ kunnr: string; date: string }>>();
  const date = (iso: string) => toSapDate(iso, settings.soapDateFormat);
  const keyDate = () => (settings.keyDate === 'today' ? localToday() : settings.keyDate);

  function note(functionName: string, m: SapMessage): void {
    notes.push(`${functionName}: ${m.type} ${describeSapMessage(m)}`);
    if (notes.length > MAX_NOTES) notes.splice(0, notes.length - MAX_NOTES);
  }

  /** Throws validation for E/A rows; keeps W/I as notes. */
  function checkReturn(functionName: string, reply: RfcReply): void {
    const messages = messagesOf(reply);
    const errors = messages.filter(isErrorMessage);
    for (const m of messages) if (m.type === 'W' || m.type === 'I') note(functionName, m);
    if (errors.length > 0) {
      const erpMessage = errors.map(describeSapMessage).join('; ');
      throw new ErpError('validation', `SAP ${functionName}: ${erpMessage}`, { erpMessage });
    }
  }

  async function* customerPages(): AsyncGenerator<CustomerRef[]> {
    if (settings.customerNumbers.length > 0) {
      yield settings.customerNumbers.map((kunnr) => ({ kunnr, name: alphaOut(kunnr) }));
      return;
    }
    let last = '';
    for (;;) {
      const reply = await client.call(
        settings.customerListFunction,
        {
          MAXROWS: String(settings.customerPageSize),
          IDRANGE: [{ SIGN: 'I', OPTION: 'GT', LOW: last, HIGH: '' }],
          ADDRESSDATA: [],
        },
        'read',
      );
      checkReturn(settings.customerListFunction, reply);
      const rows = tableOf(reply, 'ADDRESSDATA')
        .map((r) => ({ kunnr: alphaIn(r['CUSTOMER'] ?? '', 10), name: (r['NAME'] ?? '').trim() }))
        .filter((r) => r.kunnr !== '')
        .sort((a, b) => (a.kunnr < b.kunnr ? -1 : a.kunnr > b.kunnr ? 1 : 0));
      if (rows.length === 0) return;
      const next = rows[rows.length - 1]!.kunnr;
      if (next <= last) throw new ErpError('malformed', `SAP ${settings.customerListFunction} did not advance past customer ${alphaOut(last)}: paging by IDRANGE GT is not honoured`);
      yield rows.map((r) => ({ kunnr: r.kunnr, name: r.name || alphaOut(r.kunnr) }));
      if (rows.length < settings.customerPageSize) return;
      last = next;
    }
  }

  /** Open items of one customer; null when SAP says the customer is not usable in this company code. */
  async function openItems(kunnr: string, atDate: string, tolerateCustomerError: boolean): Promise<LineItem[] | null> {
    const fm = 'BAPI_AR_ACC_GETOPENITEMS';
    const reply = await client.call(
      fm,
      { COMPANYCODE: settings.companyCode, CUSTOMER: kunnr, KEYDATE: date(atDate), NOTEDITEMS: '', SECINDEX: '', LINEITEMS: [] },
      'read',
    );
    try {
      checkReturn(fm, reply);
    } catch (e) {
      // A client-wide customer list includes customers not set up in this company code.
      if (tolerateCustomerError && isErpError(e) && e.kind === 'validation') {
        notes.push(`${fm}: customer ${alphaOut(kunnr)} skipped: ${e.erpMessage ?? e.message}`);
        return null;
      }
      throw e;
    }
    return tableOf(reply, 'LINEITEMS');
  }

  /** Clearings from `lookupDays` before the earlier of today and the receipt date. */
  async function balancedItems(kunnr: string, anchorDate: string): Promise<LineItem[] | null> {
    const fm = 'BAPI_AR_ACC_GETBALANCEDITEMS';
    const from = addDays(anchorDate < localToday() ? anchorDate : localToday(), -settings.lookupDays);
    if (from === null) throw new ErpError('validation', `SAP look-up: ${JSON.stringify(anchorDate)} is not a date to look back from`);
    const reply = await client.call(
      fm,
      {
        COMPANYCODE: settings.companyCode,
        CUSTOMER: kunnr,
        DATE_FROM: date(from),
        DATE_TO: date(FAR_FUTURE),
        NOTEDITEMS: '',
        LINEITEMS: [],
      },
      'read',
    );
    try {
      checkReturn(fm, reply);
    } catch (e) {
      if (isErpError(e) && e.kind === 'validation') return null;
      throw e;
    }
    return tableOf(reply, 'LINEITEMS');
  }

  async function lookupInCustomer(kunnr: string, reference: string, docType: string, anchorDate: string): Promise<PostedDocument | null> {
    const open = (await openItems(kunnr, FAR_FUTURE, true)) ?? [];
    const docs = documentsCarrying(open, reference, settings.referenceField, docType);
    if (docs.length > 0) return docs[0]!;
    const balanced = (await balancedItems(kunnr, anchorDate)) ?? [];
    return documentsCarrying([...open, ...balanced], reference, settings.referenceField, docType)[0] ?? null;
  }

  async function lookup(reference: string, docType: string): Promise<PostedDocument | null> {
    checkReference(reference);
    const hinted = knownCustomer.get(reference);
    if (hinted) {
      const found = await lookupInCustomer(hinted.kunnr, reference, docType, hinted.date);
      if (found) return found;
    }
    // No index by reference over SOAP-RFC: scan the customers (documented cost).
    for await (const page of customerPages()) {
      for (const c of page) {
        if (c.kunnr === hinted?.kunnr) continue;
        const found = await lookupInCustomer(c.kunnr, reference, docType, hinted?.date ?? localToday());
        if (found) return found;
      }
    }
    return null;
  }

  function checkReference(reference: string): void {
    const max = referenceMaxLength(settings.referenceField);
    if (!reference.trim()) throw new ErpError('validation', 'The receipt reference (PayTrace id) is empty');
    if (reference.length > max) {
      throw new ErpError('validation', `The reference "${reference}" is ${reference.length} characters; SAP ${settings.referenceField} holds at most ${max}`);
    }
  }

  function headerRef(reference: string): string {
    return settings.referenceField === 'ALLOC_NMBR' ? '' : reference;
  }

  function lineAlloc(reference: string, invoiceNo: string): string {
    return settings.referenceField === 'REF_DOC_NO' ? invoiceNo.slice(0, 18) : reference;
  }

  /** amountCents < 0: an open credit consumed (a customer debit line clearing the credit memo). */
  type PostingLine = Readonly<{ invoiceNo: string; amountCents: Cents; text: string; discountCents?: Cents; writeOffCents?: Cents; writeOffReason?: string }>;
  type Posting = Readonly<{
    reference: string;
    kunnr: string;
    docType: string;
    date: string;
    currency: string;
    glAccount: string;
    headerText: string;
    totalCents: Cents;
    lines: readonly PostingLine[];
    clear: boolean;
    /** The mapping's discount account (zero-padded), '' = SAP's account determination for cash discount. */
    discountGlAccount?: string;
  }>;

  async function postDocument(p: Posting): Promise<string> {
    return settings.postingMode === 'wrapper' ? postThroughWrapper(p) : postThroughBapi(p);
  }

  async function postThroughWrapper(p: Posting): Promise<string> {
    const fm = settings.wrapperFunction;
    // The cash-application fields go out only when the receipt uses them, so a wrapper built to the
    // earlier signature keeps posting plain receipts.
    const extended = p.lines.some((l) => (l.discountCents ?? 0) > 0 || (l.writeOffCents ?? 0) > 0);
    const discounted = p.lines.some((l) => (l.discountCents ?? 0) > 0);
    const reply = await client.call(
      fm,
      {
        COMPANYCODE: settings.companyCode,
        CUSTOMER: p.kunnr,
        DOC_TYPE: p.docType,
        DOC_DATE: date(p.date),
        PSTNG_DATE: date(p.date),
        CURRENCY: p.currency,
        REF_DOC_NO: headerRef(p.reference),
        HEADER_TXT: p.headerText.slice(0, 25),
        GL_ACCOUNT: p.glAccount,
        AMOUNT: centsToDecimalString(p.totalCents),
        CLEARING_FIELD: CLEARING_FIELD[settings.invoiceNumberField],
        TESTRUN: '',
        ...(discounted ? { DISC_GL_ACCOUNT: p.discountGlAccount ?? '' } : {}),
        ITEMS: p.lines.map((l) => ({
          INVOICE_REF: p.clear ? l.invoiceNo : '',
          AMT_DOCCUR: centsToDecimalString(l.amountCents),
          ALLOC_NMBR: lineAlloc(p.reference, l.invoiceNo),
          ITEM_TEXT: l.text,
          ...(extended
            ? {
                DISC_AMT: centsToDecimalString(l.discountCents ?? 0),
                WRITEOFF_AMT: centsToDecimalString(l.writeOffCents ?? 0),
                WRITEOFF_RSN: l.writeOffReason ?? '',
              }
            : {}),
        })),
        RETURN: [],
      },
      'write',
    );
    checkReturn(fm, reply);
    const objKey = String(reply['OBJ_KEY'] ?? '').trim();
    if (!objKey) throw new ErpError('unknown_outcome', `SAP ${fm} answered without OBJ_KEY and without an error; the posting may have happened`);
    return objKey;
  }

  async function postThroughBapi(p: Posting): Promise<string> {
    const fm = 'BAPI_ACC_DOCUMENT_POST';
    const arLines: RfcStructure[] = [];
    const amounts: RfcStructure[] = [{ ITEMNO_ACC: '0000000001', CURRENCY: p.currency, AMT_DOCCUR: centsToDecimalString(p.totalCents) }];
    p.lines.forEach((l, i) => {
      const itemNo = String(i + 2).padStart(10, '0');
      arLines.push({ ITEMNO_ACC: itemNo, CUSTOMER: p.kunnr, COMP_CODE: settings.companyCode, ALLOC_NMBR: lineAlloc(p.reference, l.invoiceNo), ITEM_TEXT: l.text });
      amounts.push({ ITEMNO_ACC: itemNo, CURRENCY: p.currency, AMT_DOCCUR: centsToDecimalString(-l.amountCents) });
    });
    const reply = await client.call(
      fm,
      {
        DOCUMENTHEADER: {
          BUS_ACT: 'RFBU',
          USERNAME: config.credentials.username.toUpperCase().slice(0, 12),
          HEADER_TXT: p.headerText.slice(0, 25),
          COMP_CODE: settings.companyCode,
          DOC_DATE: date(p.date),
          PSTNG_DATE: date(p.date),
          DOC_TYPE: p.docType,
          REF_DOC_NO: headerRef(p.reference),
        },
        ACCOUNTGL: [{ ITEMNO_ACC: '0000000001', GL_ACCOUNT: p.glAccount, ITEM_TEXT: `PayTrace ${p.reference}`.slice(0, 50), ALLOC_NMBR: p.reference.slice(0, 18) }],
        ACCOUNTRECEIVABLE: arLines,
        CURRENCYAMOUNT: amounts,
        RETURN: [],
      },
      'write',
    );
    checkReturn(fm, reply);
    const objKey = String(reply['OBJ_KEY'] ?? '').trim();
    const commit = await client.call('BAPI_TRANSACTION_COMMIT', { WAIT: 'X' }, 'write');
    const commitErrors = messagesOf(commit).filter(isErrorMessage);
    if (commitErrors.length > 0) {
      const erpMessage = commitErrors.map(describeSapMessage).join('; ');
      throw new ErpError('unknown_outcome', `SAP BAPI_TRANSACTION_COMMIT failed after posting ${objKey}: ${erpMessage}`, { erpMessage });
    }
    // Over SOAP-RFC the commit runs in a new session; only a read-back proves the document exists.
    const found = await lookupInCustomer(p.kunnr, p.reference, p.docType, p.date);
    if (!found) {
      throw new ErpError(
        'config',
        `SAP returned document ${objKey || '(no OBJ_KEY)'} but it is not on the ledger after BAPI_TRANSACTION_COMMIT: this SOAP-RFC endpoint does not keep the posting session between calls. Use postingMode "wrapper".`,
      );
    }
    return found.erpDocumentId;
  }

  async function postReceipt(receipt: ReceiptRequest): Promise<ReceiptRecord> {
    checkReference(receipt.reference);
    const cash = checkReceipt(receipt, { writeOffs: clears, discounts: clears, credits: clears, reasonMaxLength: REASON_MAX }, (problem) =>
      `Receipt ${receipt.reference}: ${problem}${clears ? '' : ' (postingMode bapi posts on account and clears nothing; use postingMode wrapper)'}`,
    );
    const kunnr = alphaIn(receipt.customerId, 10);
    await refuseIfAlreadyPosted(() => lookupInCustomer(kunnr, receipt.reference, settings.docTypePayment, receipt.date), (existing) => `SAP already holds document ${existing.erpDocumentId} with reference ${receipt.reference}`);
    knownCustomer.set(receipt.reference, { kunnr, date: receipt.date });
    const lines: PostingLine[] = cash.lines.map((l) => ({
      invoiceNo: l.invoiceNo,
      amountCents: l.amountCents,
      text: allocationText(l.amountCents < 0 ? 'Cred' : 'Inv', l.invoiceNo, receipt.reference),
      discountCents: l.discountCents,
      writeOffCents: l.writeOffCents,
      writeOffReason: l.writeOffReason,
    }));
    if (cash.unappliedCents > 0) lines.push({ invoiceNo: '', amountCents: cash.unappliedCents, text: `On account / ${receipt.reference}`.slice(0, 50) });
    const erpDocumentId = await postDocument({
      reference: receipt.reference,
      kunnr,
      docType: settings.docTypePayment,
      date: receipt.date,
      currency: receipt.currency,
      glAccount: settings.bankGlAccount,
      headerText: `PayTrace ${receipt.paymentMethod === 'ach' ? 'ACH' : 'card'} payment`,
      totalCents: receipt.amountCents,
      lines,
      clear: true,
      discountGlAccount: receipt.discountGlAccount?.trim() ? alphaIn(receipt.discountGlAccount, 10) : '',
    });
    return {
      reference: receipt.reference,
      erpDocumentId,
      customerId: receipt.customerId,
      amountCents: receipt.amountCents,
      date: receipt.date,
      allocations: receipt.allocations,
    };
  }

  async function postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord> {
    checkReference(memo.reference);
    if (memo.amountCents <= 0) throw new ErpError('validation', `Credit memo ${memo.reference}: the amount must be positive`);
    const kunnr = alphaIn(memo.customerId, 10);
    await refuseIfAlreadyPosted(() => lookupInCustomer(kunnr, memo.reference, settings.docTypeCreditMemo, memo.date), (existing) => `SAP already holds credit memo ${existing.erpDocumentId} with reference ${memo.reference}`);
    knownCustomer.set(memo.reference, { kunnr, date: memo.date });
    const erpDocumentId = await postDocument({
      reference: memo.reference,
      kunnr,
      docType: settings.docTypeCreditMemo,
      date: memo.date,
      currency: memo.currency,
      glAccount: settings.creditMemoGlAccount,
      headerText: `PayTrace refund ${memo.originalReference}`,
      totalCents: memo.amountCents,
      lines: [{ invoiceNo: memo.invoiceNo ?? '', amountCents: memo.amountCents, text: `CM ${memo.invoiceNo ?? '-'} / ${memo.reference}: ${memo.reason}`.slice(0, 50) }],
      clear: false,
    });
    return { reference: memo.reference, erpDocumentId, customerId: memo.customerId, amountCents: memo.amountCents, date: memo.date };
  }

  async function testConnection(): Promise<ConnectionDiagnosis> {
    const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
    const run = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
      try {
        checks.push({ name, ok: true, detail: await fn() });
        return true;
      } catch (e) {
        checks.push({ name, ok: false, detail: isErpError(e) ? `${e.kind}: ${e.message}` : (e as Error).message });
        return false;
      }
    };
    let firstCustomer: CustomerRef | undefined;
    const reached = await run('sign-in and customers', async () => {
      for await (const page of customerPages()) {
        firstCustomer = page[0];
        break;
      }
      return firstCustomer ? `Signed in as ${config.credentials.username}; customer ${alphaOut(firstCustomer.kunnr)} readable` : `Signed in as ${config.credentials.username}; no customers listed`;
    });
    if (reached && firstCustomer) {
      const c = firstCustomer;
      await run('open items', async () => {
        const items = await openItems(c.kunnr, keyDate(), false);
        return `${items?.length ?? 0} open items for customer ${alphaOut(c.kunnr)} in company code ${settings.companyCode}`;
      });
    }
    if (reached) {
      const postingFunctions = settings.postingMode === 'wrapper' ? [settings.wrapperFunction] : ['BAPI_ACC_DOCUMENT_POST', 'BAPI_TRANSACTION_COMMIT'];
      for (const fm of postingFunctions) {
        await run(`posting function ${fm}`, async () => {
          await client.call('RFC_GET_FUNCTION_INTERFACE', { FUNCNAME: fm, PARAMS: [] }, 'read');
          return `${fm} is remote-enabled`;
        });
      }
    }
    const ok = checks.length > 0 && checks.every((c) => c.ok);
    const failed = checks.find((c) => !c.ok);
    const summary = ok
      ? `Connected to SAP client ${settings.sapClient}, company code ${settings.companyCode}, as ${config.credentials.username}; posting mode ${settings.postingMode}.`
      : `SAP check failed at "${failed?.name ?? 'connection'}": ${failed?.detail ?? 'unknown error'}`;
    return { ok, summary, checks };
  }

  return {
    kind: 'sap-ecc',
    capabilities,
    notes,
    testConnection,
    async *listCustomers(): AsyncIterable<readonly Customer[]> {
      for await (const page of customerPages()) yield page.map((c) => ({ customerId: alphaOut(c.kunnr), name: c.name }));
    },
    // The BAPI has no change-date filter, so `since` cannot narrow the read: every call returns all open items as of the key date.
    async *listOpenInvoices(options = {}): AsyncIterable<readonly OpenInvoice[]> {
      const pageSize = options.pageSize && options.pageSize > 0 ? options.pageSize : Number.POSITIVE_INFINITY;
      const fromList = settings.customerNumbers.length === 0;
      const atDate = keyDate();
      for await (const page of customerPages()) {
        for (const c of page) {
          const items = await openItems(c.kunnr, atDate, fromList);
          if (!items || items.length === 0) continue;
          const invoices = lineItemsToInvoices(items, settings.invoiceNumberField, { customerId: alphaOut(c.kunnr), name: c.name });
          for (let i = 0; i < invoices.length; i += pageSize) yield invoices.slice(i, i + pageSize);
        }
      }
    },
    async findReceipt(reference: string): Promise<ReceiptRecord | null> {
      const doc = await lookup(reference, settings.docTypePayment);
      return doc ? { reference, ...doc } : null;
    },
    postReceipt,
    async findCreditMemo(reference: string): Promise<CreditMemoRecord | null> {
      const doc = await lookup(reference, settings.docTypeCreditMemo);
      return doc ? { reference, erpDocumentId: doc.erpDocumentId, customerId: doc.customerId, amountCents: doc.amountCents, date: doc.date } : null;
    },
    postCreditMemo,
    async close(): Promise<void> {},
  };
}
