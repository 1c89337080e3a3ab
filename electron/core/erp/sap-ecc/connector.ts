import { centsToDecimalString, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
  ErpDiscoveryFact,
  ReceiptRecord,
  ReceiptRequest,
} from '../connector';
import { checkReceipt } from '../receipt-request';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import { confirmReceiptBooked } from '../read-back';
import type { ErpConnectionConfig } from '../kind-module';
import { allocationText, documentsCarrying, lineItemsToInvoices, type LineItem, type PostedDocument } from './line-items';
import { referenceMaxLength, resolveSettings, type SapEccSettings } from './options';
import { createRfcClient, type RfcClient } from './rfc-client';
import { alphaIn, alphaOut, addDays, describeSapMessage, isErrorMessage, toSapDate, toSapMessage, type SapMessage } from './sap-values';
import { scalarOf, structureOf, tableOf, type ReplyForm, type RfcReply, type RfcStructure } from './soap';

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

/** Customer numbers after `after` up to and including `upTo` (null = no upper end). */
type KeyRange = Readonly<{ after: string; upTo: string | null }>;

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function inRange(range: KeyRange, kunnr: string): boolean {
  return kunnr > range.after && (range.upTo === null || kunnr <= range.upTo);
}

/** Select-options: included when GT after, excluded when GT upTo (E rows win over I rows in ABAP's IN). */
function idRange(range: KeyRange): RfcStructure[] {
  const rows: RfcStructure[] = [{ SIGN: 'I', OPTION: 'GT', LOW: range.after, HIGH: '' }];
  if (range.upTo !== null) rows.push({ SIGN: 'E', OPTION: 'GT', LOW: range.upTo, HIGH: '' });
  return rows;
}

function describeRange(range: KeyRange): string {
  return `after ${alphaOut(range.after) || 'the first'}${range.upTo === null ? '' : ` up to ${alphaOut(range.upTo)}`}`;
}

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

  /** Customers in (after, upTo], at most `maxRows`, sorted and de-duplicated; `arrivedSorted` says whether SAP sent them in key order. */
  async function customersIn(range: KeyRange, maxRows: number): Promise<Readonly<{ rows: CustomerRef[]; arrivedSorted: boolean }>> {
    const fm = settings.customerListFunction;
    const reply = await client.call(fm, { MAXROWS: String(maxRows), IDRANGE: idRange(range), ADDRESSDATA: [] }, 'read');
    checkReturn(fm, reply);
    const received = tableOf(reply, 'ADDRESSDATA')
      .map((r) => ({ kunnr: alphaIn(r['CUSTOMER'] ?? '', 10), name: (r['NAME'] ?? '').trim() }))
      .filter((r) => r.kunnr !== '');
    const outside = received.find((r) => !inRange(range, r.kunnr));
    if (outside) {
      throw new ErpError('malformed', `SAP ${fm} returned customer ${alphaOut(outside.kunnr)} outside the requested IDRANGE (${describeRange(range)}): the range is not honoured, so paging cannot be trusted`);
    }
    const byKey = new Map<string, CustomerRef>();
    for (const r of received) if (!byKey.has(r.kunnr)) byKey.set(r.kunnr, { kunnr: r.kunnr, name: r.name || alphaOut(r.kunnr) });
    const rows = [...byKey.values()].sort((a, b) => compareKeys(a.kunnr, b.kunnr));
    const arrivedSorted = received.every((r, i) => i === 0 || compareKeys(received[i - 1]!.kunnr, r.kunnr) < 0);
    return { rows, arrivedSorted };
  }

  /**
   * Every customer once, in key order, whatever order SAP returns rows in. BAPI_CUSTOMER_GETLIST
   * selects MAXROWS rows with no ORDER BY, so a full page is some customers of the range, not the
   * lowest ones, and "IDRANGE GT last" would skip the rest. A range is read with MAXROWS = page + 1:
   * at most a page back means the range is complete; more means it is split at a customer it
   * returned (both halves then hold fewer) and each half is read the same way. The first cut
   * guesses key order (one extra call per page when SAP sorts), later cuts halve.
   */
  async function* customerPages(): AsyncGenerator<CustomerRef[]> {
    if (settings.customerNumbers.length > 0) {
      yield settings.customerNumbers.map((kunnr) => ({ kunnr, name: alphaOut(kunnr) }));
      return;
    }
    const page = settings.customerPageSize;
    const pending: Array<Readonly<{ range: KeyRange; guessSorted: boolean }>> = [{ range: { after: '', upTo: null }, guessSorted: true }];
    while (pending.length > 0) {
      const { range, guessSorted } = pending.pop()!;
      const { rows } = await customersIn(range, page + 1);
      if (rows.length <= page) {
        if (rows.length > 0) yield rows;
        continue;
      }
      const cut = rows[guessSorted ? page - 1 : Math.floor((rows.length - 1) / 2)]!.kunnr;
      // Last in, first out: the lower half is read first, so pages come in key order.
      pending.push({ range: { after: cut, upTo: range.upTo }, guessSorted: true });
      pending.push({ range: { after: range.after, upTo: cut }, guessSorted: false });
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
    return withFields(fm, tableOf(reply, 'LINEITEMS'));
  }

  /**
   * Line items must carry the fields the settings read: a structure without one (an older
   * BAPI3007_2, a field the release lacks) would otherwise read as "no invoice number" and drop
   * every invoice silently.
   */
  function withFields(fm: string, rows: LineItem[]): LineItem[] {
    const needed = [settings.invoiceNumberField, ...(settings.referenceField === 'both' ? ['REF_DOC_NO', 'ALLOC_NMBR'] : [settings.referenceField]), 'DB_CR_IND', 'AMT_DOCCUR'];
    const first = rows[0];
    const missing = first ? needed.filter((f) => !(f in first)) : [];
    if (missing.length > 0) {
      throw new ErpError(
        'config',
        `SAP ${fm} line items on this system have no field ${missing.join(', ')}: choose invoiceNumberField / referenceField among the fields it returns (${Object.keys(first!).slice(0, 40).join(', ')})`,
      );
    }
    return rows;
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
    return withFields(fm, tableOf(reply, 'LINEITEMS'));
  }

  async function lookupInCustomer(kunnr: string, reference: string, docType: string, anchorDate: string): Promise<PostedDocument | null> {
    const open = (await openItems(kunnr, FAR_FUTURE, true)) ?? [];
    // The balanced items are always read: a receipt whose clearing happened has its lines there, and
    // one found among the open items alone would look like it cleared nothing.
    const balanced = (await balancedItems(kunnr, anchorDate)) ?? [];
    return documentsCarrying([...open, ...balanced], reference, settings.referenceField, docType, clears)[0] ?? null;
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
      // A saved payment mapping's G/L account (per method, brand, type) wins over the connection's bank clearing account, as its discount account does.
      glAccount: receipt.glAccount?.trim() ? alphaIn(receipt.glAccount, 10) : settings.bankGlAccount,
      headerText: `PayTrace ${receipt.paymentMethod === 'ach' ? 'ACH' : 'card'} payment`,
      totalCents: receipt.amountCents,
      lines,
      clear: true,
      discountGlAccount: receipt.discountGlAccount?.trim() ? alphaIn(receipt.discountGlAccount, 10) : '',
    });
    // An answer with a document number is not a booking: only the ledger's own line items are.
    const booked = await lookupInCustomer(kunnr, receipt.reference, settings.docTypePayment, receipt.date);
    const readBack: ReceiptRecord | null = booked
      ? { reference: receipt.reference, ...booked, customerId: alphaIn(booked.customerId, 10) === kunnr ? receipt.customerId : booked.customerId }
      : null;
    if (!readBack) notes.push(`SAP answered document ${erpDocumentId} for ${receipt.reference}, but its line items do not show it`);
    return confirmReceiptBooked(receipt, readBack, 'SAP');
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
    await run('connection test (STFC_CONNECTION)', async () => {
      const info = await connectionInfo();
      return `${info.summary}; replies named ${info.replyForm === 'dotted' ? 'FM.Response' : 'FMResponse'}`;
    });
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
          await requireRemoteEnabled(fm);
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

  /**
   * RFC_GET_FUNCTION_INTERFACE answers for every function module; REMOTE_CALL 'R' is what makes it
   * callable over RFC (SE37 "Remote-Enabled Module"). FU_NOT_FOUND comes back as a fault (config).
   */
  async function requireRemoteEnabled(fm: string): Promise<void> {
    const reply = await client.call('RFC_GET_FUNCTION_INTERFACE', { FUNCNAME: fm, PARAMS: [] }, 'read');
    const remote = scalarOf(reply, 'REMOTE_CALL').trim();
    if (remote !== 'R') {
      throw new ErpError('config', `SAP function module ${fm} exists but is not remote-enabled (REMOTE_CALL ${JSON.stringify(remote)}): set "Remote-Enabled Module" in SE37`);
    }
  }

  /** STFC_CONNECTION: echoes REQUTEXT and describes the system (release, system id, client/user/language) in RESPTEXT. */
  async function connectionInfo(): Promise<Readonly<{ summary: string; release: string; systemId: string; replyForm: ReplyForm | null }>> {
    const probe = 'Tieout connection test';
    const reply = await client.call('STFC_CONNECTION', { REQUTEXT: probe }, 'read');
    const echo = scalarOf(reply, 'ECHOTEXT');
    if (echo !== probe) throw new ErpError('malformed', `SAP STFC_CONNECTION echoed ${JSON.stringify(echo)} instead of ${JSON.stringify(probe)}`);
    const resp = scalarOf(reply, 'RESPTEXT');
    const release = /Rel\.\s*(\S+)/.exec(resp)?.[1] ?? '';
    const systemId = /Sysid:\s*(\S+)/.exec(resp)?.[1] ?? '';
    const logon = /Logon_Data:\s*(\S+)/.exec(resp)?.[1] ?? '';
    const summary = release || systemId ? `SAP system ${systemId || '?'} release ${release || '?'}${logon ? `, logon ${logon}` : ''}` : `STFC_CONNECTION answered ${JSON.stringify(resp.slice(0, 80))}`;
    return { summary, release, systemId, replyForm: client.replyForm() };
  }

  /** Read-only facts for `tieout erp check`: what public evidence leaves open on a given system. */
  async function discover(): Promise<ErpDiscoveryFact[]> {
    const facts: ErpDiscoveryFact[] = [];
    const failed = (e: unknown): string => (isErpError(e) ? `${e.kind}: ${e.message}` : (e as Error).message);
    try {
      const info = await connectionInfo();
      facts.push({ name: 'STFC_CONNECTION', value: info.summary });
      const form = info.replyForm;
      facts.push({ name: 'reply form', value: form === 'plain' ? 'FMResponse (SOA Manager style; both forms are read)' : 'FM.Response (dotted; both forms are read)' });
    } catch (e) {
      if (isErpError(e) && e.kind === 'auth') throw e;
      facts.push({ name: 'STFC_CONNECTION', value: failed(e), ok: false });
    }
    try {
      const si = structureOf(await client.call('RFC_SYSTEM_INFO', { RFCSI_EXPORT: {} }, 'read'), 'RFCSI_EXPORT');
      facts.push({ name: 'system (RFC_SYSTEM_INFO)', value: `system id ${si['RFCSYSID'] ?? '?'}, release ${si['RFCSAPRL'] ?? '?'}, database ${si['RFCDBSYS'] ?? '?'}, host ${si['RFCHOST'] ?? '?'}, kernel ${si['RFCKERNRL'] ?? '?'}` });
    } catch (e) {
      facts.push({ name: 'system (RFC_SYSTEM_INFO)', value: failed(e), ok: false });
    }
    const functions: Array<readonly [string, string, boolean]> = [
      [settings.wrapperFunction, 'wrapperFunction', settings.postingMode === 'wrapper'],
      [settings.customerListFunction, 'customerListFunction', settings.customerNumbers.length === 0],
      ['BAPI_AR_ACC_GETOPENITEMS', '', true],
      ['BAPI_AR_ACC_GETBALANCEDITEMS', '', true],
      ['BAPI_ACC_DOCUMENT_POST', 'postingMode', settings.postingMode === 'bapi'],
    ];
    for (const [fm, setting, needed] of functions) {
      try {
        await requireRemoteEnabled(fm);
        facts.push({ name: `function ${fm}`, value: 'remote-enabled', ...(setting ? { setting } : {}) });
      } catch (e) {
        facts.push({ name: `function ${fm}`, value: `${failed(e)}${needed ? '' : ' (not used with the current settings)'}`, ...(setting ? { setting } : {}), ok: !needed });
      }
    }
    if (settings.customerNumbers.length === 0) {
      try {
        const { rows, arrivedSorted } = await customersIn({ after: '', upTo: null }, 20);
        facts.push({ name: 'customer list order', value: rows.length < 2 ? 'fewer than two customers listed' : arrivedSorted ? 'by customer number (paging does not rely on it)' : 'not by customer number (paging splits ranges, see docs)', setting: 'customerListFunction' });
      } catch (e) {
        facts.push({ name: 'customer list order', value: failed(e), setting: 'customerListFunction', ok: false });
      }
    }
    // Whether an SOA Manager endpoint commits per call can only be seen by posting, which discovery never does.
    facts.push({
      name: 'commit per call',
      value: settings.postingMode === 'wrapper' ? 'not needed: the wrapper commits inside its own call' : 'not observable without a write; postingMode bapi relies on the endpoint committing at request end (SOA Manager "commit" option)',
      setting: 'postingMode',
      ok: settings.postingMode === 'wrapper',
    });
    return facts;
  }

  return {
    kind: 'sap-ecc',
    capabilities,
    notes,
    testConnection,
    discover,
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
          const invoices = lineItemsToInvoices(items, settings.invoiceNumberField, { customerId: alphaOut(c.kunnr), name: c.name }, settings.docTypePayment);
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
