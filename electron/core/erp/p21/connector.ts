import { centsToDecimalString, cents, parseDecimalToCents, type Cents, MoneyParseError } from '@shared/money';
import type { Customer, OpenInvoice, PaymentTerms } from '@shared/domain';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
  ListInvoicesOptions,
  ReceiptAllocation,
  ReceiptRecord,
  ReceiptRequest,
  ReversalRecord,
  ReversalRequest,
} from '../connector';
import { reversalReference } from '../connector';
import { systemClock, type Clock } from '../../clock';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import { confirmReceiptBooked, verifyFoundReceipt } from '../read-back';
import type { ErpConnectionConfig } from '../kind-module';
import { termsFromParts } from '../terms';
import { checkReceipt } from '../receipt-request';
import { P21Http, trimSlash } from './http';
import { dateOnly, normalizeCustomerId, odataDate, odataDecimal, odataQueryString, odataString, type ODataQuery } from './odata';
import { readPaymentTypes, resolvePaymentType, type PaymentTypeRow } from './payment-types';
import { definitionElements, discoverP21, type DefinitionElement } from './discovery';
import { P21_MEMO_MAX_LENGTH, P21_REFERENCE_MAX_LENGTH, P21OptionError, resolveP21Options, type P21Options } from './options';
import {
  cleanMessages,
  findResultValue,
  formElement,
  hasSummary,
  interpretTransactionReply,
  isContamination,
  listElement,
  transactionSet,
  type TransactionOutcome,
  type TransactionSet,
} from './transaction';

// Epicor Prophet 21: reads through OData, writes through Transaction API v2.
// Exactly-once rests on the check_number look-up: it runs before every post
// and before every retry, so a receipt is never sent twice for one reference.

const CAPABILITIES: ErpCapabilities = { postReceipts: 'api', creditMemos: 'api', receiptLookup: true, reverseReceipt: true, writeOffs: true, discounts: true, applyCredits: true };
const DEFAULT_TIMEOUT_MS = 30_000;

const INVOICE_COLUMNS = [
  'invoice_no', 'customer_id', 'invoice_date', 'net_due_date', 'terms_id', 'terms_desc', 'total_amount', 'amount_paid',
  'paid_in_full_flag', 'invoice_type', 'company_no', 'po_no',
] as const;
const FULL_FORMULA_COLUMNS = ['terms_taken', 'allowed', 'memo_amount', 'bad_debt_amount'] as const;
/** P21 `terms` table columns [P9]: the invoice's terms_id names one row. */
const TERMS_COLUMNS = ['terms_id', 'discount_pct', 'discount_days', 'net_days'] as const;

type Row = Record<string, unknown>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function money(row: Row, column: string, where: string, required = true): Cents {
  const v = row[column];
  if (v === null || v === undefined || v === '') {
    if (required) throw new ErpError('malformed', `P21 ${where} has no ${column}`);
    return cents(0);
  }
  try {
    return parseDecimalToCents(v);
  } catch (e) {
    const reason = e instanceof MoneyParseError ? e.message : String(e);
    throw new ErpError('malformed', `P21 ${where}: ${column} is not an amount (${reason})`);
  }
}

function text(row: Row, column: string): string {
  const v = row[column];
  return v === null || v === undefined ? '' : String(v).trim();
}

function rowsOf(json: unknown, what: string): Row[] {
  const value = json && typeof json === 'object' ? (json as Record<string, unknown>).value : undefined;
  if (!Array.isArray(value)) throw new ErpError('malformed', `P21 OData reply for ${what} has no "value" array`);
  return value.filter((r): r is Row => r !== null && typeof r === 'object');
}

export class P21Connector implements ErpConnector {
  readonly kind = 'p21' as const;
  readonly capabilities: ErpCapabilities;
  private readonly http: P21Http;
  private readonly options: P21Options;
  private uiServer: string | null = null;
  private readonly clock: Clock;
  /** payment_types rows, read once per connector; null when the table cannot be read. */
  private paymentTypes: Promise<readonly PaymentTypeRow[] | null> | null = null;
  /** Each service's definition, read once before its first write. */
  private readonly definitions = new Map<string, Promise<DefinitionElement[] | null>>();

  constructor(config: ErpConnectionConfig) {
    try {
      this.options = resolveP21Options(config.options);
    } catch (e) {
      if (e instanceof P21OptionError) throw new ErpError('config', e.message);
      throw e;
    }
    this.clock = config.clock ?? systemClock;
    this.capabilities = { ...CAPABILITIES, applyCredits: this.options.creditApplication === 'negative-line' };
    if (!/^https?:\/\//i.test(config.baseUrl)) throw new ErpError('config', `P21 base URL must start with http:// or https://, got ${JSON.stringify(config.baseUrl)}`);
    this.http = new P21Http({
      baseUrl: config.baseUrl,
      credentials: config.credentials,
      authVersion: this.options.authVersion,
      timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(config.clock ? { clock: config.clock } : {}),
    });
  }

  // ---------- OData reads ----------

  private tableUrl(table: string, q: ODataQuery): string {
    return `${this.http.baseUrl}/odataservice/odata/table/${table}?${odataQueryString(q)}`;
  }

  private async readTable(table: string, q: ODataQuery): Promise<{ rows: Row[]; count: number | null }> {
    const { json } = await this.http.call('GET', this.tableUrl(table, q), { kind: 'read', what: `the ${table} table`, notFound: 'config' });
    const rows = rowsOf(json, table);
    const rawCount = (json as Record<string, unknown>)['@odata.count'];
    return { rows, count: typeof rawCount === 'number' ? rawCount : rawCount === undefined ? null : Number(rawCount) };
  }

  /** $top/$skip until a short page: P21 sends no @odata.nextLink [P6]. */
  private async *pages(table: string, q: Omit<ODataQuery, 'top' | 'skip'>, pageSize: number): AsyncGenerator<Row[]> {
    for (let skip = 0; ; ) {
      const { rows } = await this.readTable(table, { ...q, top: pageSize, skip });
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      skip += rows.length;
    }
  }

  private openInvoiceFilter(since?: string): string {
    const parts = [`paid_in_full_flag eq 'N'`];
    if (this.options.companyNo) parts.push(`company_no eq ${odataString(this.options.companyNo)}`);
    if (since) parts.push(`date_last_modified ge ${odataDate(since)}`);
    return parts.join(' and ');
  }

  private openBalance(row: Row, where: string): Cents {
    const total = money(row, 'total_amount', where);
    const paid = money(row, 'amount_paid', where, false);
    if (this.options.openBalanceFormula === 'simple') return cents(total - paid);
    const [termsTaken, allowed, memo, badDebt] = FULL_FORMULA_COLUMNS.map((c) => money(row, c, where, false));
    return cents(total - paid - termsTaken! - allowed! + memo! + badDebt!);
  }

  /**
   * terms_id → discount terms, read once per open-item read. The invoice's own
   * terms_id counts, never customer.terms_id (only the default for the next
   * document [P6]). A role without Dataservice permission on the terms table
   * reads no terms rather than no invoices: terms only refine matching.
   */
  private async readTerms(): Promise<Map<string, PaymentTerms>> {
    const terms = new Map<string, PaymentTerms>();
    if (!this.options.termsTable) return terms;
    try {
      for await (const rows of this.pages(this.options.termsTable, { select: [...TERMS_COLUMNS], orderby: 'terms_id' }, this.options.pageSize)) {
        for (const r of rows) {
          const t = termsFromParts({ rate: r.discount_pct, discountDays: r.discount_days, netDays: r.net_days, unit: this.options.termsDiscountPctUnit });
          if (t) terms.set(text(r, 'terms_id'), t);
        }
      }
    } catch (e) {
      // 403, or 404 (OData answers 404 for a table that is not exposed): terms only refine matching.
      if (isErpError(e) && (e.kind === 'permission' || e.kind === 'config' || e.kind === 'not_found')) return terms;
      throw e;
    }
    return terms;
  }

  private toOpenInvoice(row: Row, terms: ReadonlyMap<string, PaymentTerms> = new Map()): OpenInvoice | null {
    const invoiceNo = text(row, 'invoice_no');
    if (!invoiceNo) throw new ErpError('malformed', 'P21 invoice_hdr row without invoice_no');
    const where = `invoice ${invoiceNo}`;
    const balance = this.openBalance(row, where);
    // paid_in_full_flag can lag the amounts; a zero balance is not open.
    if (balance === 0) return null;
    const invoiceDate = dateOnly(row.invoice_date);
    if (!invoiceDate) throw new ErpError('malformed', `P21 ${where} has no readable invoice_date`);
    return {
      invoiceNo,
      customerId: normalizeCustomerId(row.customer_id),
      invoiceDate,
      dueDate: dateOnly(row.net_due_date),
      amountCents: money(row, 'total_amount', where),
      openBalanceCents: balance,
      currency: this.options.currency,
      poNo: text(row, 'po_no'),
      // A credit memo (negative balance) has nothing to discount.
      ...(balance > 0 && terms.has(text(row, 'terms_id')) ? { terms: terms.get(text(row, 'terms_id'))! } : {}),
    };
  }

  async *listOpenInvoices(options: ListInvoicesOptions = {}): AsyncIterable<readonly OpenInvoice[]> {
    const select = this.options.openBalanceFormula === 'full' ? [...INVOICE_COLUMNS, ...FULL_FORMULA_COLUMNS] : [...INVOICE_COLUMNS];
    const pageSize = options.pageSize ?? this.options.pageSize;
    const terms = await this.readTerms();
    // Open credit memos are invoice_hdr rows with a negative balance [P6]: kept, with that negative balance.
    for await (const rows of this.pages('invoice_hdr', { select, filter: this.openInvoiceFilter(options.since), orderby: 'invoice_no' }, pageSize)) {
      const page = rows.map((r) => this.toOpenInvoice(r, terms)).filter((i): i is OpenInvoice => i !== null);
      if (page.length > 0) yield page;
    }
  }

  /** Customers are keyed by company + customer [P9]: the same customer_id in another company is another customer. */
  private customerFilter(): string {
    const parts = [`delete_flag eq 'N'`];
    if (this.options.companyNo) parts.push(`company_id eq ${odataString(this.options.companyNo)}`);
    return parts.join(' and ');
  }

  async *listCustomers(): AsyncIterable<readonly Customer[]> {
    const q = { select: ['customer_id', 'customer_name', 'delete_flag'], filter: this.customerFilter(), orderby: 'customer_id' };
    for await (const rows of this.pages('customer', q, this.options.pageSize)) {
      yield rows.map((r) => {
        const customerId = normalizeCustomerId(r.customer_id);
        if (!customerId) throw new ErpError('malformed', 'P21 customer row without customer_id');
        return { customerId, name: text(r, 'customer_name') };
      });
    }
  }

  // ---------- idempotency look-ups ----------

  async findReceipt(reference: string): Promise<ReceiptRecord | null> {
    const ref = reference.trim();
    if (!ref || ref.length > P21_REFERENCE_MAX_LENGTH) return null;
    const { rows: payments } = await this.readTable('ar_payment_details', {
      select: ['payment_number', 'check_number', 'payment_amount', 'payment_date'],
      filter: `check_number eq ${odataString(ref)}`,
      orderby: 'payment_number',
    });
    const payment = payments[0];
    if (!payment) return null;
    const where = `payment ${text(payment, 'payment_number')}`;
    const { rows: receipts } = await this.readTable('ar_receipts', {
      select: ['receipt_number', 'payment_number', 'remitter_id', 'date_received'],
      filter: `payment_number eq ${odataDecimal(payment.payment_number)}`,
    });
    const receipt = receipts[0];
    const receiptNo = receipt ? receipt.receipt_number : payment.payment_number;
    const { rows: details } = receipt
      ? await this.readTable('ar_receipts_detail', {
          select: ['receipt_number', 'invoice_no', 'customer_id', 'payment_amount'],
          filter: `receipt_number eq ${odataDecimal(receipt.receipt_number)}`,
          orderby: 'invoice_no',
        })
      : { rows: [] as Row[] };
    const allocations: ReceiptAllocation[] = details.map((d) => ({ invoiceNo: text(d, 'invoice_no'), amountCents: money(d, 'payment_amount', where) }));
    const customerId = normalizeCustomerId(details[0]?.customer_id ?? receipt?.remitter_id ?? '');
    return {
      reference: ref,
      erpDocumentId: String(receiptNo).trim(),
      customerId,
      amountCents: money(payment, 'payment_amount', where),
      date: dateOnly(receipt?.date_received ?? payment.payment_date) ?? '',
      allocations,
    };
  }

  async findCreditMemo(reference: string): Promise<CreditMemoRecord | null> {
    const ref = reference.trim();
    if (!ref || ref.length > P21_REFERENCE_MAX_LENGTH) return null;
    const field = this.options.creditMemoFieldReference;
    const { rows } = await this.readTable('invoice_hdr', {
      select: ['invoice_no', 'customer_id', 'invoice_date', 'total_amount', field],
      // Credit memos are negative invoice_hdr rows [P6].
      filter: `${field} eq ${odataString(ref)} and total_amount lt 0`,
      orderby: 'invoice_no',
    });
    const row = rows[0];
    if (!row) return null;
    const invoiceNo = text(row, 'invoice_no');
    return {
      reference: ref,
      erpDocumentId: invoiceNo,
      customerId: normalizeCustomerId(row.customer_id),
      amountCents: cents(-money(row, 'total_amount', `credit memo ${invoiceNo}`)),
      date: dateOnly(row.invoice_date) ?? '',
    };
  }

  // ---------- Transaction API v2 ----------

  private async transactionBase(): Promise<string> {
    if (this.options.uiServerDiscovery === 'baseUrl') return this.http.baseUrl;
    if (this.uiServer) return this.uiServer;
    const { json } = await this.http.call('GET', `${this.http.baseUrl}/api/ui/router/v1?urlType=external`, { kind: 'read', what: 'the UI-server router' });
    const url = firstUrl(json);
    if (!url) throw new ErpError('config', 'P21 UI-server router returned no URL; set uiServerDiscovery to baseUrl if the Transaction API is on the base URL');
    this.uiServer = trimSlash(url);
    return this.uiServer;
  }

  private async sendTransaction(set: TransactionSet, what: string): Promise<TransactionOutcome> {
    const base = await this.transactionBase();
    const acceptBody = hasSummary;
    if (this.options.transactionMode === 'sync') {
      const { json } = await this.http.call('POST', `${base}/api/v2/transaction`, { kind: 'write', what, body: set, acceptBody });
      return interpretTransactionReply(json);
    }
    const { json: started } = await this.http.call('POST', `${base}/api/v2/transaction/async`, { kind: 'write', what, body: set, acceptBody });
    if (hasSummary(started)) return interpretTransactionReply(started);
    const requestId = started && typeof started === 'object' ? (started as Record<string, unknown>).RequestId : undefined;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') {
      throw new ErpError('unknown_outcome', `P21 accepted ${what} asynchronously but returned no RequestId`);
    }
    return this.pollAsync(base, String(requestId), what);
  }

  private async pollAsync(base: string, requestId: string, what: string): Promise<TransactionOutcome> {
    const deadline = this.clock.now() + this.options.asyncTimeoutMs;
    const url = `${base}/api/v2/transaction/async?id=${encodeURIComponent(requestId)}`;
    for (;;) {
      await sleep(this.options.asyncPollMs);
      try {
        const { json } = await this.http.call('GET', url, { kind: 'read', what: `the status of ${what}` });
        const r = (json ?? {}) as Record<string, unknown>;
        const status = String(r.Status ?? '');
        if (/^complete/i.test(status)) {
          const outcome = interpretTransactionReply(json);
          // Complete without a Summary: trust the status; the read-back confirms.
          return outcome.kind === 'no_summary' ? { kind: 'passed', result: r.Response ?? r.Result ?? null, messages: [] } : outcome;
        }
        if (/^failed/i.test(status)) {
          const outcome = interpretTransactionReply(json);
          if (outcome.kind === 'contaminated' || outcome.kind === 'failed') return outcome;
          const messages = cleanMessagesFrom(json);
          return isContamination(messages) ? { kind: 'contaminated', messages } : { kind: 'failed', messages };
        }
      } catch (e) {
        // The write was accepted; a failing status read does not make it transient.
        if (!isErpError(e) || (e.kind !== 'transient' && e.kind !== 'malformed')) throw e;
      }
      if (this.clock.now() > deadline) {
        throw new ErpError('unknown_outcome', `P21 did not finish ${what} (request ${requestId}) within ${this.options.asyncTimeoutMs} ms`);
      }
    }
  }

  /**
   * Look up, send, and on pooled-session contamination look up again before
   * each retry. `lookup` finding a document after our own attempt means that
   * attempt committed: it is returned as the result, not as a duplicate.
   */
  private definitionOf(service: string): Promise<DefinitionElement[] | null> {
    let pending = this.definitions.get(service);
    if (!pending) {
      pending = (async () => {
        const base = await this.transactionBase();
        const url = `${base}/api/v2/definition/${encodeURIComponent(service)}`;
        const { json } = await this.http.call('GET', url, { kind: 'read', what: `the ${service} service definition`, emptyServerError: 'config' });
        return definitionElements(json);
      })();
      this.definitions.set(service, pending);
      // A failed read is asked again next time, never remembered.
      pending.catch(() => this.definitions.delete(service));
    }
    return pending;
  }

  /**
   * Before a service's first write: every DataElement and field the set names
   * must be in the service's definition. What P21 does with a name it does not
   * have is not published; it may drop it and still report Succeeded [P3 latest],
   * which would leave a receipt that never books and is re-sent forever. A
   * definition in a shape Tieout does not know is not a reason to refuse.
   */
  private async checkAgainstDefinition(set: TransactionSet, what: string): Promise<void> {
    const elements = await this.definitionOf(set.Name);
    if (!elements) return;
    const problems: string[] = [];
    for (const sent of set.Transactions[0]?.DataElements ?? []) {
      const known = elements.find((e) => e.name === sent.Name);
      if (!known) {
        problems.push(`it has no DataElement ${sent.Name} (it has ${elements.map((e) => e.name).join(', ')})`);
        continue;
      }
      if (known.fields.length === 0) continue;
      const fields = new Set(known.fields.map((f) => f.name));
      const missing = [...new Set(sent.Rows.flatMap((r) => r.Edits.map((e) => e.Name)))].filter((n) => !fields.has(n));
      if (missing.length > 0) problems.push(`${sent.Name} has no field ${missing.join(', ')}`);
    }
    if (problems.length > 0) {
      throw new ErpError('config', `P21 service ${set.Name} cannot take ${what}: ${problems.join('; ')}. Nothing was sent; fix the settings (tieout erp check prints the definition).`);
    }
  }

  private async postOnce<T>(what: string, lookup: () => Promise<T | null>, set: TransactionSet, readBack: (result: unknown) => Promise<T>): Promise<T> {
    await this.checkAgainstDefinition(set, what);
    const retries = Math.max(0, Math.floor(this.options.sessionRetryCount));
    let lastMessages: readonly string[] = [];
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        await sleep(150 * attempt + Math.floor(Math.random() * 250));
        const found = await lookup();
        if (found) return found;
      }
      const outcome = await this.sendTransaction(set, what);
      switch (outcome.kind) {
        case 'passed':
          return readBack(outcome.result);
        case 'failed': {
          const msgs = cleanMessages(outcome.messages);
          throw new ErpError('validation', `P21 refused ${what}: ${msgs.join('; ') || 'no message given'}`, { erpMessage: outcome.messages.join(' | ') });
        }
        case 'no_summary':
          throw new ErpError('unknown_outcome', `P21 answered ${what} without a Summary; the write may or may not have happened`);
        case 'contaminated':
          lastMessages = outcome.messages;
          break;
      }
    }
    const found = await lookup();
    if (found) return found;
    throw new ErpError('transient', `P21 session pool kept failing ${what} after ${retries + 1} attempts: ${cleanMessages(lastMessages).join('; ')}`, {
      erpMessage: lastMessages.join(' | '),
    });
  }

  private validateReference(reference: string, what: string): string {
    const ref = reference.trim();
    if (!ref) throw new ErpError('validation', `${what} has no reference (PayTrace transaction id)`);
    if (ref.length > P21_REFERENCE_MAX_LENGTH) {
      throw new ErpError('validation', `${what} reference "${ref}" is ${ref.length} characters; P21 check_number holds at most ${P21_REFERENCE_MAX_LENGTH}`);
    }
    return ref;
  }

  private validateCommon(what: string, r: Readonly<{ customerId: string; date: string; amountCents: Cents; currency: string }>): void {
    if (!r.customerId.trim()) throw new ErpError('validation', `${what} has no customer id`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date)) throw new ErpError('validation', `${what} date must be YYYY-MM-DD, got ${JSON.stringify(r.date)}`);
    if (!Number.isSafeInteger(r.amountCents) || r.amountCents <= 0) throw new ErpError('validation', `${what} amount must be positive`);
    if (r.currency !== this.options.currency) {
      throw new ErpError('validation', `${what} is in ${r.currency} but this P21 connection posts ${this.options.currency}`);
    }
  }

  async postReceipt(receipt: ReceiptRequest): Promise<ReceiptRecord> {
    const ref = this.validateReference(receipt.reference, 'Receipt');
    const what = `cash receipt ${ref}`;
    this.validateCommon(what, receipt);
    const credits = this.options.creditApplication === 'negative-line';
    const cash = checkReceipt(receipt, { credits, discounts: true, writeOffs: true, linePerAllocation: true }, (problem) => `${what}: ${problem}`);
    // A write-off rides on its invoice's line as the allowed amount, an early-payment
    // discount as terms taken (or allowed, by setting): each needs a paying line.
    const asTerms = this.options.discountPosting === 'terms';
    const allowed = new Map<string, Cents>();
    const termsTaken = new Map<string, Cents>();
    for (const l of cash.lines) {
      if (l.discountCents > 0 && l.writeOffCents > 0 && !asTerms) throw new ErpError('validation', `${what} writes off invoice ${l.invoiceNo} twice`);
      if (l.discountCents > 0) (asTerms ? termsTaken : allowed).set(l.invoiceNo, l.discountCents);
      if (l.writeOffCents > 0) allowed.set(l.invoiceNo, l.writeOffCents);
    }

    await refuseIfAlreadyPosted(() => this.findReceipt(ref), (existing) => `P21 already holds receipt ${existing.erpDocumentId} with check number ${ref}; nothing was sent`);

    const o = this.options;
    const paymentType = await this.paymentTypeValue(receipt.paymentMethod === 'ach' ? 'paymentTypeAch' : 'paymentTypeCard', receipt.paymentTypeCode);
    const form = formElement(o.receiptFormDataElement, [
      [o.receiptFieldCompany, o.companyNo],
      [o.receiptFieldCustomerId, receipt.customerId.trim()],
      [o.receiptFieldDate, receipt.date],
      [o.receiptFieldPaymentType, paymentType],
      [o.receiptFieldBankNo, o.bankNo],
      [o.receiptFieldAmount, centsToDecimalString(receipt.amountCents)],
      [o.receiptFieldCheckNumber, ref],
      [o.receiptFieldMemo, receipt.memo?.slice(0, P21_MEMO_MAX_LENGTH)],
    ]);
    // Each terms or allowed amount rides on the first line paying its invoice, once.
    const pending = { terms: new Map(termsTaken), allowed: new Map(allowed) };
    const take = (m: Map<string, Cents>, no: string, field: string): Array<[string, string]> => {
      const v = m.get(no);
      if (v === undefined) return [];
      m.delete(no);
      return [[field, centsToDecimalString(v)]];
    };
    const lines = listElement(
      o.receiptLinesDataElement,
      receipt.allocations.map((a) => {
        const no = a.invoiceNo.trim();
        const extras = a.amountCents > 0 ? [...take(pending.terms, no, o.receiptLineFieldTerms), ...take(pending.allowed, no, o.receiptLineFieldAllowed)] : [];
        return [[o.receiptLineFieldInvoiceNo, no], [o.receiptLineFieldAmount, centsToDecimalString(a.amountCents)], ...extras];
      }),
    );
    const elements = receipt.allocations.length > 0 ? [form, lines] : [form];
    // A look-up before a retry counts only when it shows exactly what was sent (else `partial`).
    const lookup = async () => verifyFoundReceipt(receipt, await this.findReceipt(ref));
    const set = transactionSet(o.receiptServiceName, elements, o.paymentTypeValue === 'code');
    return this.postOnce(what, lookup, set, async (result) => {
      // Summary.Succeeded is not evidence: P21 can report a pass while a field or a row was
      // silently dropped [P3 latest: "Value silently cleared while reporting Succeeded"].
      // Only the OData read-back of ar_payment_details/ar_receipts_detail counts.
      const found = await this.findReceipt(ref);
      if (!found) {
        const said = findResultValue(result, o.receiptResultFieldReceiptNo);
        throw new ErpError(
          'unknown_outcome',
          `P21 reported ${what} as passed${said ? ` (receipt ${said})` : ''} but ar_payment_details holds no check number ${ref}; Tieout looks it up again before anything is re-sent`,
        );
      }
      return confirmReceiptBooked(receipt, found, 'P21');
    });
  }

  /**
   * The configured payment type (a payment_types description or number) in the
   * form the receipt sends: its description with UseCodeValues false, its
   * payment_type_id with UseCodeValues true. ar_payment_details.payment_type_id
   * is a system-generated decimal(19,0) [P9], so "CC" is never a valid code.
   */
  private async paymentTypeValue(setting: 'paymentTypeCard' | 'paymentTypeAch', fromMapping?: string): Promise<string> {
    const table = this.options.paymentTypesTable;
    this.paymentTypes ??= table ? readPaymentTypes((t, q) => this.readTable(t, q).then((r) => r.rows), table, this.options.companyNo) : Promise.resolve(null);
    const rows = await this.paymentTypes.catch((e: unknown) => {
      this.paymentTypes = null;
      throw e;
    });
    // A saved payment mapping (Settings → Payment mapping) names the type per method and brand; it wins over the connection's default.
    const mapped = fromMapping?.trim();
    return mapped
      ? resolvePaymentType(mapped, 'the payment mapping, Settings → Payment mapping', this.options.paymentTypeValue, rows)
      : resolvePaymentType(this.options[setting], setting, this.options.paymentTypeValue, rows);
  }

  /** Read-only facts for tieout erp check: services, the receipt definition, payment types, companies, UI server. */
  async discover() {
    return discoverP21({
      options: this.options,
      transactionBase: () => this.transactionBase(),
      get: async (url, what) => (await this.http.call('GET', url, { kind: 'read', what })).json,
      readTable: async (table, q) => (await this.readTable(table, q)).rows,
    });
  }

  async postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord> {
    const ref = this.validateReference(memo.reference, 'Credit memo');
    const what = `credit memo ${ref}`;
    this.validateCommon(what, memo);
    await refuseIfAlreadyPosted(() => this.findCreditMemo(ref), (existing) => `P21 already holds credit memo ${existing.erpDocumentId} with reference ${ref}; nothing was sent`);
    const o = this.options;
    const form = formElement(o.creditMemoFormDataElement, [
      [o.creditMemoFieldCustomerId, memo.customerId.trim()],
      [o.creditMemoFieldDate, memo.date],
      [o.creditMemoFieldAmount, centsToDecimalString(memo.amountCents)],
      [o.creditMemoFieldReference, ref],
      [o.creditMemoFieldInvoiceNo, memo.invoiceNo?.trim()],
      [o.creditMemoFieldReason, memo.reason.slice(0, P21_MEMO_MAX_LENGTH)],
    ]);
    const lookup = () => this.findCreditMemo(ref);
    return this.postOnce(what, lookup, transactionSet(o.creditMemoServiceName, [form]), async () => {
      const found = await lookup();
      if (!found) throw new ErpError('unknown_outcome', `P21 reported ${what} as passed but it cannot be read back by reference yet`);
      return found;
    });
  }

  /** The reversal is a negative payment carrying R<reference> as its check number. */
  async findReversal(receiptReference: string): Promise<ReversalRecord | null> {
    const original = receiptReference.trim();
    const found = await this.findReceipt(reversalReference(original));
    if (!found) return null;
    return { reference: found.reference, originalReference: original, erpDocumentId: found.erpDocumentId, amountCents: cents(Math.abs(found.amountCents)), date: found.date };
  }

  async reverseReceipt(reversal: ReversalRequest): Promise<ReversalRecord> {
    const { receiptReference, reason, date } = reversal;
    const original = this.validateReference(receiptReference, 'Receipt to reverse');
    const ref = this.validateReference(reversalReference(original), 'Reversal');
    const what = `reversal ${ref} of receipt ${original}`;
    if (!reason.trim()) throw new ErpError('validation', `${what} has no reason`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ErpError('validation', `${what} date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
    const lookup = () => this.findReversal(original);
    await refuseIfAlreadyPosted(lookup, (existing) => `P21 already holds reversal ${existing.erpDocumentId} with check number ${ref}; nothing was sent`);
    const receipt = await this.findReceipt(original);
    if (!receipt) throw new ErpError('not_found', `P21 holds no receipt with check number ${original} to reverse`);
    const o = this.options;
    const form = formElement(o.reversalFormDataElement, [
      [o.reversalFieldReceiptNo, receipt.erpDocumentId],
      [o.reversalFieldCheckNumber, ref],
      [o.reversalFieldDate, date],
      [o.reversalFieldReason, reason.trim().slice(0, P21_MEMO_MAX_LENGTH)],
    ]);
    return this.postOnce(what, lookup, transactionSet(o.reversalServiceName, [form]), async () => {
      const found = await lookup();
      if (!found) throw new ErpError('unknown_outcome', `P21 reported ${what} as passed but it cannot be read back by check number yet`);
      return found;
    });
  }

  // ---------- diagnosis ----------

  async testConnection(): Promise<ConnectionDiagnosis> {
    const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
    const user = this.http.username;
    try {
      await this.http.ensureToken();
      checks.push({ name: 'sign-in', ok: true, detail: `Signed in as ${user}` });
    } catch (e) {
      const detail = explain(e);
      checks.push({ name: 'sign-in', ok: false, detail });
      return { ok: false, summary: isErpError(e) && e.kind === 'auth' ? `Sign-in refused for ${user}: wrong user name or password (${detail})` : `Cannot sign in to P21: ${detail}`, checks };
    }

    const counted = async (name: string, table: string, filter: string, label: string): Promise<number | null> => {
      try {
        const { rows, count } = await this.readTable(table, { filter, top: 1, count: true });
        const n = count ?? rows.length;
        checks.push({ name, ok: true, detail: `${n.toLocaleString('en-US')} ${label} readable` });
        return n;
      } catch (e) {
        checks.push({ name, ok: false, detail: explain(e) });
        return null;
      }
    };
    const invoices = await counted('open invoices', 'invoice_hdr', this.openInvoiceFilter(), 'open invoices');
    const customers = await counted('customers', 'customer', this.customerFilter(), 'customers');
    await counted('receipt look-up', 'ar_payment_details', `check_number eq 'TIEOUT-PROBE'`, 'matching payments (ar_payment_details)');

    for (const [name, service] of [
      ['receipt service', this.options.receiptServiceName],
      ['credit-memo service', this.options.creditMemoServiceName],
    ] as const) {
      try {
        await this.definitionOf(service);
        checks.push({ name, ok: true, detail: `Transaction API service ${service} found` });
      } catch (e) {
        // P21 answers an unknown service name with an empty HTTP 500 and an unlicensed one with 500 "Window <<X>> is not available" [P3 latest].
        const hint = isErpError(e) && (e.kind === 'auth' || e.kind === 'permission') ? '' : ' — list the services with GET /api/v2/services (tieout erp check prints them) and set the service name';
        checks.push({ name, ok: false, detail: `${explain(e)}${hint}` });
      }
    }

    for (const setting of ['paymentTypeCard', 'paymentTypeAch'] as const) {
      try {
        const sent = await this.paymentTypeValue(setting);
        checks.push({ name: `payment type (${setting})`, ok: true, detail: `sends ${JSON.stringify(sent)}` });
      } catch (e) {
        checks.push({ name: `payment type (${setting})`, ok: false, detail: explain(e) });
      }
    }

    const failed = checks.filter((c) => !c.ok);
    const permission = failed.some((c) => /denied|not authori/i.test(c.detail));
    const summary =
      failed.length === 0
        ? `Signed in as ${user}; ${invoices?.toLocaleString('en-US')} open invoices and ${customers?.toLocaleString('en-US')} customers readable; receipt service ${this.options.receiptServiceName} found.`
        : permission
          ? `Signed in as ${user}, but P21 denies access: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`
          : `Signed in as ${user}, but: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`;
    return { ok: failed.length === 0, summary, checks };
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

function explain(e: unknown): string {
  if (isErpError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

function cleanMessagesFrom(json: unknown): string[] {
  const r = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const out: string[] = [];
  for (const k of ['Messages', 'Message', 'Error']) {
    const v = r[k];
    if (typeof v === 'string') out.push(v);
    if (Array.isArray(v)) for (const m of v) if (typeof m === 'string') out.push(m);
  }
  return out;
}

/** The router's reply shape is not documented: a bare string or the first URL-looking string value. */
function firstUrl(json: unknown): string | null {
  if (typeof json === 'string') return /^https?:\/\//i.test(json) ? json : null;
  if (json && typeof json === 'object') {
    for (const v of Object.values(json as Record<string, unknown>)) {
      const hit = firstUrl(v);
      if (hit) return hit;
    }
  }
  return null;
}

export function createP21Connector(config: ErpConnectionConfig): ErpConnector {
  return new P21Connector(config);
}
