import { randomUUID } from 'node:crypto';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { startSandboxServer, type RunningSandbox, type SandboxRequest, type SandboxResponse } from '../../kit/server';
import type { FaultPlan } from '../../kit/faults';
import type { ErpOptionValue } from '../../../core/erp/kind-module';
import type { RunningErpSandbox } from '../sandbox-types';
import { normalizeCustomerId } from '../../../core/erp/p21/odata';
import { P21_REFERENCE_MAX_LENGTH, resolveP21Options, type P21Options } from '../../../core/erp/p21/options';
import { ODataError, queryRows } from './sandbox-odata';
import { formatTerms, termsPercent } from '../../../core/erp/terms';
import { definitionReply, defaultsReply, LISTED_SERVICES, type SandboxField, type SandboxService } from './sandbox-definitions';

// A loopback P21: token v1/v2 (JSON, or XML when Accept is not JSON), Bearer
// on everything, the OData tables a receipt touches, the UI-server router and
// Transaction API v2 (sync and async) with P21's Summary/Messages answers.
// Control routes (under /__control/) inject pooled-session contamination,
// expire tokens and expose ground truth for tests.

export type P21SandboxSeed = Readonly<{
  customers: readonly Customer[];
  invoices: readonly OpenInvoice[];
  port?: number;
  companyNo?: string;
  /** Option overrides (service/field names) the sandbox should speak; defaults otherwise. */
  options?: Readonly<Record<string, ErpOptionValue>>;
  credentials?: Readonly<{ username: string; password: string }>;
  /** Adds a few rows the connector must filter out (another company, paid, deleted). */
  decoys?: boolean;
}>;

type Row = Record<string, unknown>;

/**
 * transactionPosts counts every TransactionSet call that reached the ERP (refused ones too);
 * receiptsCommitted counts the cash receipts it booked, including those whose reply was then lost.
 */
export type P21SandboxStats = { tokensIssued: number; transactionPosts: number; receiptsCommitted: number; odataReads: number };

export type P21SandboxReceipt = Readonly<{
  receiptNumber: number;
  paymentNumber: number;
  checkNumber: string;
  customerId: string;
  amountCents: Cents;
  /** A negative amountCents is an open credit memo applied; termsCents is the early-payment discount taken. */
  lines: ReadonlyArray<Readonly<{ invoiceNo: string; amountCents: Cents; allowedCents?: Cents; termsCents?: Cents }>>;
}>;

export type P21Sandbox = RunningErpSandbox &
  Readonly<{
    url: string;
    faults: FaultPlan;
    stats(): P21SandboxStats;
    receipts(): P21SandboxReceipt[];
    countReceipts(reference: string): number;
    openBalance(invoiceNo: string): Cents | null;
    /** Reversals (negative payments) whose check number is this reference. */
    countReversals(reversalReference: string): number;
    /**
     * The next `count` transactions answer with a pooled-session error. They do
     * nothing, unless `afterCommit` (the dirty session fails after the work).
     */
    contaminate(count: number, options?: Readonly<{ message?: string; status?: number; afterCommit?: boolean }>): void;
    /** Sets columns on an invoice_hdr row (e.g. terms_taken for the full balance formula). */
    patchInvoice(invoiceNo: string, fields: Readonly<Record<string, unknown>>): void;
    expireTokens(): void;
    denyTables(tables: readonly string[]): void;
    setTokenFormat(format: 'auto' | 'xml'): void;
    /** Arms one of P21's real failure modes (docs/erp/p21.md "Real failure modes the sandbox reproduces"). */
    injectRealFailure(mode: P21RealFailure): { erpText?: string };
    clearRealFailures(): void;
  }>;

export type P21RealFailure = 'receipt-service-unavailable' | 'unknown-read-field' | 'accepted-not-booked' | 'partial-booking' | 'business-refusal' | 'session-timeout';

const COLUMNS: Record<string, readonly string[]> = {
  invoice_hdr: [
    'invoice_no', 'customer_id', 'customer_id_number', 'company_no', 'invoice_date', 'net_due_date', 'terms_due_date', 'terms_id', 'terms_desc',
    'total_amount', 'amount_paid', 'terms_taken', 'allowed', 'memo_amount', 'bad_debt_amount', 'tax_amount', 'paid_in_full_flag', 'date_paid',
    'paid_by_check_no', 'invoice_type', 'invoice_adjustment_type', 'invoice_reference_no', 'po_no', 'order_no', 'disputed_flag', 'branch_id',
    'date_last_modified', 'memo_desc',
  ],
  customer: ['customer_id', 'customer_name', 'terms_id', 'delete_flag', 'company_id'],
  payment_types: ['company_id', 'payment_method_id', 'payment_type_id', 'payment_type_desc', 'account_number', 'delete_flag'],
  company: ['company_id', 'company_name', 'delete_flag'],
  terms: ['terms_id', 'terms_desc', 'discount_pct', 'discount_days', 'net_days', 'delete_flag'],
  ar_receipts: ['receipt_number', 'payment_number', 'company_id', 'remitter_id', 'date_received', 'bank_no', 'gl_bank_account_no', 'ar_account_no', 'approved', 'delete_flag'],
  ar_receipts_detail: ['receipt_number', 'invoice_no', 'customer_id', 'company_id', 'payment_amount', 'terms_amount', 'allowed_amount'],
  ar_payment_details: [
    'payment_number', 'payment_type_id', 'payment_desc', 'payment_date', 'payment_amount', 'check_number', 'cc_authorized_number', 'deposit_number',
    'source_type_cd', 'payment_account_id', 'cc_return_transaction_id',
  ],
};

/**
 * Edm.Decimal columns: a quoted literal against one answers 404 on real P21.
 * payment_type_id and payment_number are system-generated decimal(19,0) [P9].
 */
const DECIMALS: Record<string, ReadonlySet<string>> = {
  invoice_hdr: new Set(['customer_id_number', 'total_amount', 'amount_paid', 'terms_taken', 'allowed', 'memo_amount', 'bad_debt_amount', 'tax_amount']),
  customer: new Set(['customer_id']),
  terms: new Set(['discount_pct', 'discount_days', 'net_days']),
  ar_receipts: new Set(['receipt_number', 'payment_number', 'bank_no']),
  ar_receipts_detail: new Set(['receipt_number', 'payment_amount', 'terms_amount', 'allowed_amount']),
  ar_payment_details: new Set(['payment_number', 'payment_type_id', 'payment_amount']),
  payment_types: new Set(['payment_type_id']),
  company: new Set(),
};

/** A site's payment types: system-generated numbers, a description the clerk picks (payment_method_id codes are illustrative). */
const PAYMENT_TYPE_ROWS: ReadonlyArray<Readonly<{ id: number; desc: string; method: string }>> = [
  { id: 1, desc: 'Check', method: 'CK' },
  { id: 2, desc: 'Cash', method: 'CA' },
  { id: 3, desc: 'Credit Card', method: 'CC' },
  { id: 4, desc: 'ACH', method: 'EF' },
];

/** The text P21 answers (HTTP 500) when a service's window is unlicensed or not deployed [P3 latest]. */
export const windowUnavailableText = (service: string) => `Window <<${service}>> is not available or user does not have permission to open it`;
const REFUSAL_TEXT = 'Bank 1 is not open for cash receipts in the current period';
const CONTAMINATION_MESSAGES = ['Unexpected response window', 'Object reference not set to an instance of an object.'];
const DENIED = 'You are not authorized to access API';

/** The wire form of an Edm.Decimal: a JSON number, as the OData service sends it. */
const dec = (c: number): number => Number(centsToDecimalString(c));
const cts = (v: unknown): number => parseDecimalToCents(v ?? 0);
const wireDate = (d: string): string => `${d.slice(0, 10)}T00:00:00`;
const today = (): string => new Date().toISOString().slice(0, 10);

function error(status: number, message: string): SandboxResponse {
  return { status, body: { error: { code: String(status), message } } };
}

function wantsJson(req: SandboxRequest): boolean {
  return String(req.headers.accept ?? '').includes('application/json');
}

function xmlReply(root: string, fields: Record<string, string | number>): SandboxResponse {
  const inner = Object.entries(fields)
    .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
    .join('');
  return { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: `<?xml version="1.0" encoding="utf-8"?><${root} xmlns="http://schemas.p21.example/sandbox">${inner}</${root}>` };
}

type Edits = Map<string, string>;
type TxResult = { ok: true; elements: unknown[] } | { ok: false; message: string };

export async function startP21Sandbox(seed: P21SandboxSeed): Promise<P21Sandbox> {
  const companyNo = seed.companyNo ?? '1';
  const opts: P21Options = resolveP21Options({ ...seed.options, companyNo });
  const credentials = seed.credentials ?? { username: 'api_user', password: 'sandbox-password' };
  const tables: Record<string, Row[]> = { invoice_hdr: [], customer: [], terms: [], ar_receipts: [], ar_receipts_detail: [], ar_payment_details: [], payment_types: [], company: [] };
  for (const t of PAYMENT_TYPE_ROWS) {
    tables.payment_types!.push({ company_id: companyNo, payment_method_id: t.method, payment_type_id: t.id, payment_type_desc: t.desc, account_number: null, delete_flag: 'N' });
  }
  tables.payment_types!.push({ company_id: companyNo, payment_method_id: 'CC', payment_type_id: 9, payment_type_desc: 'Old Card Type', account_number: null, delete_flag: 'Y' });
  tables.company!.push({ company_id: companyNo, company_name: 'Sandbox Supply Co', delete_flag: 'N' });
  /** Real failure modes armed by injectRealFailure: the unavailable windows, a vanished column, and what the next receipt does. */
  const unavailable = new Set<string>();
  let missingColumn: { table: string; column: string } | null = null;
  let nextReceipt: 'accepted-not-booked' | 'partial-booking' | 'business-refusal' | null = null;
  const tokens = new Map<string, number>();
  const denied = new Set<string>();
  const stats: P21SandboxStats = { tokensIssued: 0, transactionPosts: 0, receiptsCommitted: 0, odataReads: 0 };
  const asyncJobs = new Map<string, { reply: Row; polls: number }>();
  let contamination = { remaining: 0, message: '', status: 200, next: 0, afterCommit: false };
  let tokenFormat: 'auto' | 'xml' = 'auto';
  let receiptSeq = 700001;
  let paymentSeq = 900001;
  let memoSeq = 1;
  let selfUrl = '';

  const stamp = new Date().toISOString().slice(0, 19);
  for (const c of seed.customers) {
    const numeric = /^\d+$/.test(c.customerId);
    // customer.customer_id is Edm.Decimal on real P21 [P6].
    tables.customer!.push({ customer_id: numeric ? Number(c.customerId) : c.customerId, customer_name: c.name, terms_id: '30', delete_flag: 'N', company_id: companyNo });
  }
  // The terms master: Net 30 plus one row per distinct discount terms in the seed (terms_id is varchar(2) [P9]).
  tables.terms!.push({ terms_id: '30', terms_desc: 'Net 30', discount_pct: 0, discount_days: 0, net_days: 30, delete_flag: 'N' });
  const termsIdOf = (inv: OpenInvoice): string => {
    if (!inv.terms) return '30';
    const desc = formatTerms(inv.terms);
    const known = tables.terms!.find((t) => t.terms_desc === desc);
    if (known) return String(known.terms_id);
    const id = `D${tables.terms!.length}`;
    tables.terms!.push({ terms_id: id, terms_desc: desc, discount_pct: Number(termsPercent(inv.terms)), discount_days: inv.terms.discountDays, net_days: inv.terms.netDays, delete_flag: 'N' });
    return id;
  };
  for (const inv of seed.invoices) {
    const paid = inv.amountCents - inv.openBalanceCents;
    const termsId = termsIdOf(inv);
    // An open credit memo is a negative invoice_hdr row of type CM, still flagged unpaid [P6].
    const credit = inv.openBalanceCents < 0;
    tables.invoice_hdr!.push({
      invoice_no: inv.invoiceNo, customer_id: inv.customerId, customer_id_number: Number(inv.customerId) || null, company_no: companyNo,
      invoice_date: wireDate(inv.invoiceDate), net_due_date: inv.dueDate ? wireDate(inv.dueDate) : null, terms_due_date: inv.dueDate ? wireDate(inv.dueDate) : null,
      terms_id: termsId, terms_desc: tables.terms!.find((t) => t.terms_id === termsId)!.terms_desc, total_amount: dec(inv.amountCents), amount_paid: dec(paid),
      terms_taken: 0, allowed: 0, memo_amount: 0, bad_debt_amount: 0, tax_amount: 0, paid_in_full_flag: inv.openBalanceCents === 0 ? 'Y' : 'N', date_paid: null,
      paid_by_check_no: null, invoice_type: credit ? 'CM' : 'IN', invoice_adjustment_type: credit ? 'C' : 'I', invoice_reference_no: null, po_no: inv.poNo, order_no: null, disputed_flag: 'N', branch_id: '1',
      date_last_modified: stamp, memo_desc: null,
    });
  }
  if (seed.decoys) {
    const base = tables.invoice_hdr![0];
    if (base) {
      tables.invoice_hdr!.push({ ...base, invoice_no: 'X-OTHERCO', company_no: `${companyNo}9` });
      tables.invoice_hdr!.push({ ...base, invoice_no: 'X-PAID', paid_in_full_flag: 'Y', amount_paid: base.total_amount });
    }
    tables.customer!.push({ customer_id: 99999, customer_name: 'Deleted Customer', terms_id: '30', delete_flag: 'Y', company_id: companyNo });
    // Customers are keyed by company + customer: a live customer of another company is not this company's.
    tables.customer!.push({ customer_id: 88888, customer_name: 'Other Company Customer', terms_id: '30', delete_flag: 'N', company_id: `${companyNo}9` });
    tables.company!.push({ company_id: `${companyNo}9`, company_name: 'Sister Company', delete_flag: 'N' });
  }

  const invoiceByNo = (no: string): Row | undefined => tables.invoice_hdr!.find((r) => r.invoice_no === no);
  const customerById = (id: string): Row | undefined =>
    tables.customer!.find((r) => normalizeCustomerId(r.customer_id) === normalizeCustomerId(id) && r.delete_flag === 'N' && r.company_id === companyNo);

  // ---------- auth ----------

  function issueToken(req: SandboxRequest): SandboxResponse {
    const token = `sbx.${randomUUID()}`;
    tokens.set(token, Date.now() + 86_400_000);
    stats.tokensIssued++;
    const fields = { AccessToken: token, RefreshToken: randomUUID(), ExpiresInSeconds: 86400, TokenType: 'Bearer' };
    return tokenFormat === 'xml' || !wantsJson(req) ? xmlReply('TokenResponse', fields) : { status: 200, body: fields };
  }

  function tokenV2(req: SandboxRequest): SandboxResponse {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.bodyText || '{}') as Record<string, unknown>;
    } catch {
      return error(400, 'Invalid request body');
    }
    if (body.username === credentials.username && body.password === credentials.password) return issueToken(req);
    return { status: 401, body: { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' } };
  }

  function tokenV1(req: SandboxRequest): SandboxResponse {
    if (req.headers.username === credentials.username && req.headers.password === credentials.password) return issueToken(req);
    return { status: 401, body: { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' } };
  }

  function authorized(req: SandboxRequest): boolean {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const exp = m ? tokens.get(m[1]!) : undefined;
    return exp !== undefined && exp > Date.now();
  }

  // ---------- OData ----------

  function odata(req: SandboxRequest, table: string): SandboxResponse {
    const rows = tables[table];
    const columns = COLUMNS[table];
    if (!rows || !columns) return error(404, `The table '${table}' does not exist or is not exposed through the OData API service.`);
    if (denied.has(table)) return error(403, DENIED);
    stats.odataReads++;
    try {
      const visible = missingColumn?.table === table ? columns.filter((c) => c !== missingColumn!.column) : columns;
      const { value, count } = queryRows(rows, visible, req.query, DECIMALS[table]);
      const body: Row = { '@odata.context': `${selfUrl}/odataservice/odata/$metadata#${table}`, value };
      if (req.query.get('$count') === 'true') body['@odata.count'] = count;
      return { status: 200, body };
    } catch (e) {
      if (e instanceof ODataError) return error(e.status, e.message);
      throw e;
    }
  }

  // ---------- Transaction API v2 ----------

  const receiptForm = new Set([
    opts.receiptFieldCompany, opts.receiptFieldCustomerId, opts.receiptFieldDate, opts.receiptFieldPaymentType, opts.receiptFieldBankNo,
    opts.receiptFieldAmount, opts.receiptFieldCheckNumber, opts.receiptFieldMemo,
  ]);
  const receiptLine = new Set([opts.receiptLineFieldInvoiceNo, opts.receiptLineFieldAmount, opts.receiptLineFieldAllowed, opts.receiptLineFieldTerms]);
  const reversalForm = new Set([opts.reversalFieldReceiptNo, opts.reversalFieldCheckNumber, opts.reversalFieldDate, opts.reversalFieldReason]);
  const memoForm = new Set([
    opts.creditMemoFieldCustomerId, opts.creditMemoFieldDate, opts.creditMemoFieldAmount, opts.creditMemoFieldReference, opts.creditMemoFieldInvoiceNo,
    opts.creditMemoFieldReason,
  ]);
  const services: Record<string, { form: string; formFields: Set<string>; list?: string; listFields?: Set<string> }> = {
    [opts.receiptServiceName]: { form: opts.receiptFormDataElement, formFields: receiptForm, list: opts.receiptLinesDataElement, listFields: receiptLine },
    [opts.creditMemoServiceName]: { form: opts.creditMemoFormDataElement, formFields: memoForm },
    [opts.reversalServiceName]: { form: opts.reversalFormDataElement, formFields: reversalForm },
  };

  /** Field metadata for the definitions, as P21 describes a datawindow column. */
  const FIELD_META: Record<string, Omit<SandboxField, 'name'>> = {
    [opts.receiptFieldCompany]: { db: 'ar_receipts.company_id', label: 'Company' },
    [opts.receiptFieldCustomerId]: { dataType: 'Decimal', db: 'ar_receipts.remitter_id', label: 'Customer ID', required: true },
    [opts.receiptFieldDate]: { dataType: 'Datetime', db: 'ar_receipts.date_received', label: 'Date Received', required: true },
    // A lookup-backed dropdown: a real definition embeds the site's own values.
    [opts.receiptFieldPaymentType]: { dataType: 'Decimal', db: 'ar_payment_details.payment_type_id', label: 'Payment Type', required: true, validValues: PAYMENT_TYPE_ROWS.map((t) => t.desc) },
    [opts.receiptFieldBankNo]: { dataType: 'Decimal', db: 'ar_receipts.bank_no', label: 'Bank' },
    [opts.receiptFieldAmount]: { dataType: 'Decimal', db: 'ar_payment_details.payment_amount', label: 'Payment Amount', required: true },
    [opts.receiptFieldCheckNumber]: { db: 'ar_payment_details.check_number', label: 'Check Number' },
    [opts.receiptFieldMemo]: { db: 'ar_payment_details.payment_desc', label: 'Description' },
  };
  const LINE_META: Record<string, Omit<SandboxField, 'name'>> = {
    [opts.receiptLineFieldInvoiceNo]: { db: 'ar_receipts_detail.invoice_no', label: 'Invoice No', required: true },
    [opts.receiptLineFieldAmount]: { dataType: 'Decimal', db: 'ar_receipts_detail.payment_amount', label: 'Amount Paid' },
    [opts.receiptLineFieldAllowed]: { dataType: 'Decimal', db: 'ar_receipts_detail.allowed_amount', label: 'Allowed' },
    [opts.receiptLineFieldTerms]: { dataType: 'Decimal', db: 'ar_receipts_detail.terms_amount', label: 'Terms' },
  };
  const tabOf = (element: string) => element.split('.')[1] ?? element;
  const describedServices: SandboxService[] = [
    ...Object.entries(services).map(([name, svc]) => ({
      name,
      elements: [
        { name: svc.form, type: 'Form' as const, datawindow: `d_${tabOf(svc.form)}`, parentText: name, fields: [...svc.formFields].map((f) => ({ name: f, ...(name === opts.receiptServiceName ? FIELD_META[f] : {}) })) },
        ...(svc.list && svc.listFields
          ? [{ name: svc.list, type: 'List' as const, datawindow: `d_${tabOf(svc.list)}`, parentText: 'Invoices', fields: [...svc.listFields].map((f) => ({ name: f, ...LINE_META[f] })) }]
          : []),
      ],
    })),
    ...LISTED_SERVICES,
  ];
  const describedService = (name: string) => describedServices.find((s) => s.name === name);

  /**
   * GET definition|defaults/{service}. An unknown name answers an empty HTTP 500,
   * a listed but unavailable window HTTP 500 "Window <<X>> is not available…" [P3 latest].
   */
  function describe(kind: 'definition' | 'defaults', name: string): SandboxResponse {
    if (unavailable.has(name)) return { status: 500, body: { Message: windowUnavailableText(name) } };
    const svc = describedService(name);
    if (!svc) return { status: 500, headers: { 'content-type': 'text/plain' }, body: '' };
    if (kind === 'definition') return { status: 200, body: definitionReply(svc) };
    return { status: 200, body: defaultsReply(svc, name === opts.receiptServiceName ? { [opts.receiptFieldDate]: today() } : {}) };
  }

  type Element = { Name?: unknown; Type?: unknown; Rows?: Array<{ Edits?: Array<{ Name?: unknown; Value?: unknown }> }> };

  function editsOf(row: { Edits?: Array<{ Name?: unknown; Value?: unknown }> } | undefined, allowed: Set<string>, element: string): Edits | string {
    const m: Edits = new Map();
    for (const e of row?.Edits ?? []) {
      const name = String(e.Name ?? '');
      if (!allowed.has(name)) return `Field '${name}' does not exist in ${element}`;
      m.set(name, e.Value === null || e.Value === undefined ? '' : String(e.Value).trim());
    }
    return m;
  }

  function amountOf(v: string | undefined): number | null {
    if (!v) return null;
    try {
      return parseDecimalToCents(v);
    } catch {
      return null;
    }
  }

  /** What is still open on an invoice_hdr row: total − paid − allowed − terms taken (negative for a credit memo). */
  function remainingOf(invoice: Row): number {
    return cts(invoice.total_amount) - cts(invoice.amount_paid) - cts(invoice.allowed) - cts(invoice.terms_taken);
  }

  /** A payment type as P21 reads it: its display text when UseCodeValues is false, its payment_type_id when true. */
  function paymentTypeOf(value: string, useCodeValues: boolean): Row | undefined {
    const live = tables.payment_types!.filter((t) => t.delete_flag === 'N' && t.company_id === companyNo);
    return useCodeValues ? live.find((t) => String(t.payment_type_id) === value) : live.find((t) => String(t.payment_type_desc).toLowerCase() === value.toLowerCase());
  }

  function runReceipt(elements: Element[], useCodeValues: boolean): TxResult {
    const svc = services[opts.receiptServiceName]!;
    const formEl = elements.find((e) => e.Name === svc.form);
    for (const e of elements) if (e.Name !== svc.form && e.Name !== svc.list) return { ok: false, message: `DataElement '${String(e.Name)}' does not exist in ${opts.receiptServiceName}` };
    if (!formEl) return { ok: false, message: 'Customer ID is required' };
    const form = editsOf(formEl.Rows?.[0], svc.formFields, svc.form);
    if (typeof form === 'string') return { ok: false, message: form };
    const customerId = form.get(opts.receiptFieldCustomerId) ?? '';
    if (!customerId) return { ok: false, message: 'Customer ID is required' };
    const customer = customerById(customerId);
    if (!customer) return { ok: false, message: `Customer ID ${customerId} does not exist` };
    const company = form.get(opts.receiptFieldCompany);
    if (company && company !== companyNo) return { ok: false, message: `Company ID ${company} does not exist` };
    const paymentTypeText = form.get(opts.receiptFieldPaymentType) ?? '';
    if (!paymentTypeText) return { ok: false, message: 'Payment Type is required' };
    const paymentType = paymentTypeOf(paymentTypeText, useCodeValues)?.payment_type_id;
    if (paymentType === undefined) return { ok: false, message: `Invalid value '${paymentTypeText}' for Payment Type` };
    const amount = amountOf(form.get(opts.receiptFieldAmount));
    if (amount === null || amount <= 0) return { ok: false, message: 'Payment Amount must be greater than zero' };
    const check = form.get(opts.receiptFieldCheckNumber) ?? '';
    if (check.length > P21_REFERENCE_MAX_LENGTH) return { ok: false, message: `Check Number cannot be longer than ${P21_REFERENCE_MAX_LENGTH} characters` };
    const lineEl = elements.find((e) => e.Name === svc.list);
    const lines: Array<{ invoice: Row; amount: number; allowed: number; terms: number }> = [];
    for (const row of lineEl?.Rows ?? []) {
      const edits = editsOf(row, svc.listFields!, svc.list!);
      if (typeof edits === 'string') return { ok: false, message: edits };
      const invoiceNo = edits.get(opts.receiptLineFieldInvoiceNo) ?? '';
      const invoice = invoiceByNo(invoiceNo);
      if (!invoice || invoice.company_no !== companyNo) return { ok: false, message: `Invoice ${invoiceNo} does not exist` };
      if (normalizeCustomerId(invoice.customer_id) !== normalizeCustomerId(customerId)) return { ok: false, message: `Invoice ${invoiceNo} does not belong to customer ${customerId}` };
      if (invoice.paid_in_full_flag === 'Y') return { ok: false, message: `Invoice ${invoiceNo} is already paid in full` };
      const lineAmount = amountOf(edits.get(opts.receiptLineFieldAmount));
      if (lineAmount === null || lineAmount === 0) return { ok: false, message: `Amount applied to invoice ${invoiceNo} must not be zero` };
      const allowedText = edits.get(opts.receiptLineFieldAllowed);
      const allowed = allowedText ? amountOf(allowedText) : 0;
      if (allowed === null || allowed < 0) return { ok: false, message: `Allowed amount on invoice ${invoiceNo} is not a valid amount` };
      const termsText = edits.get(opts.receiptLineFieldTerms);
      const terms = termsText ? amountOf(termsText) : 0;
      if (terms === null || terms < 0) return { ok: false, message: `Terms amount on invoice ${invoiceNo} is not a valid amount` };
      const open = remainingOf(invoice) - lines.filter((l) => l.invoice === invoice).reduce((s, l) => s + l.amount + l.allowed + l.terms, 0);
      if (open < 0) {
        // An open credit memo: applied with a negative amount, never beyond what is left of it, with no terms or allowance.
        if (lineAmount > 0) return { ok: false, message: `Invoice ${invoiceNo} is a credit memo; apply it with a negative amount` };
        if (allowed !== 0 || terms !== 0) return { ok: false, message: `Credit memo ${invoiceNo} cannot take terms or an allowed amount` };
        if (lineAmount < open) return { ok: false, message: `Amount applied to credit memo ${invoiceNo} exceeds its open balance of ${centsToDecimalString(open)}` };
      } else {
        if (lineAmount < 0) return { ok: false, message: `Amount applied to invoice ${invoiceNo} must be greater than zero` };
        if (lineAmount > open) return { ok: false, message: `Amount applied to invoice ${invoiceNo} exceeds its open balance of ${centsToDecimalString(open)}` };
        if (lineAmount + allowed + terms > open) return { ok: false, message: `Amount applied plus terms and allowed on invoice ${invoiceNo} exceeds its open balance of ${centsToDecimalString(open)}` };
      }
      lines.push({ invoice, amount: lineAmount, allowed, terms });
    }
    if (lines.reduce((s, l) => s + l.amount, 0) > amount) return { ok: false, message: 'Total applied exceeds the payment amount' };

    stats.receiptsCommitted++;
    const receiptNumber = receiptSeq++;
    const paymentNumber = paymentSeq++;
    const date = wireDate(form.get(opts.receiptFieldDate) || today());
    tables.ar_payment_details!.push({
      payment_number: paymentNumber, payment_type_id: paymentType, payment_desc: form.get(opts.receiptFieldMemo) ?? null, payment_date: date,
      payment_amount: dec(amount), check_number: check || null, cc_authorized_number: null, deposit_number: null, source_type_cd: 'Cash Receipts',
      payment_account_id: null, cc_return_transaction_id: null,
    });
    tables.ar_receipts!.push({
      receipt_number: receiptNumber, payment_number: paymentNumber, company_id: companyNo, remitter_id: customer.customer_id, date_received: date,
      bank_no: form.get(opts.receiptFieldBankNo) || null, gl_bank_account_no: null, ar_account_no: null, approved: 'Y', delete_flag: 'N',
    });
    const now = new Date().toISOString().slice(0, 19);
    for (const l of lines) {
      tables.ar_receipts_detail!.push({
        receipt_number: receiptNumber, invoice_no: l.invoice.invoice_no, customer_id: l.invoice.customer_id, company_id: companyNo,
        payment_amount: dec(l.amount), terms_amount: dec(l.terms), allowed_amount: dec(l.allowed),
      });
      l.invoice.amount_paid = dec(cts(l.invoice.amount_paid) + l.amount);
      l.invoice.allowed = dec(cts(l.invoice.allowed) + l.allowed);
      l.invoice.terms_taken = dec(cts(l.invoice.terms_taken) + l.terms);
      l.invoice.date_last_modified = now;
      // Paid in full when nothing is left: an invoice down to zero, a credit memo used up.
      const left = remainingOf(l.invoice);
      if (cts(l.invoice.total_amount) >= 0 ? left <= 0 : left >= 0) {
        l.invoice.paid_in_full_flag = 'Y';
        l.invoice.date_paid = date;
        l.invoice.paid_by_check_no = check || null;
      }
    }
    const resultForm = { ...formEl, Rows: [{ Edits: [...(formEl.Rows?.[0]?.Edits ?? []), { Name: opts.receiptResultFieldReceiptNo, Value: String(receiptNumber) }], RelativeDateEdits: [] }] };
    return { ok: true, elements: lineEl ? [resultForm, lineEl] : [resultForm] };
  }

  function runCreditMemo(elements: Element[]): TxResult {
    const svc = services[opts.creditMemoServiceName]!;
    const formEl = elements.find((e) => e.Name === svc.form);
    for (const e of elements) if (e.Name !== svc.form) return { ok: false, message: `DataElement '${String(e.Name)}' does not exist in ${opts.creditMemoServiceName}` };
    if (!formEl) return { ok: false, message: 'Customer ID is required' };
    const form = editsOf(formEl.Rows?.[0], svc.formFields, svc.form);
    if (typeof form === 'string') return { ok: false, message: form };
    const customerId = form.get(opts.creditMemoFieldCustomerId) ?? '';
    if (!customerId) return { ok: false, message: 'Customer ID is required' };
    if (!customerById(customerId)) return { ok: false, message: `Customer ID ${customerId} does not exist` };
    const amount = amountOf(form.get(opts.creditMemoFieldAmount));
    if (amount === null || amount <= 0) return { ok: false, message: 'Memo Amount must be greater than zero' };
    const original = form.get(opts.creditMemoFieldInvoiceNo);
    if (original && !invoiceByNo(original)) return { ok: false, message: `Invoice ${original} does not exist` };
    const invoiceNo = `CM${String(memoSeq++).padStart(6, '0')}`;
    const date = wireDate(form.get(opts.creditMemoFieldDate) || today());
    tables.invoice_hdr!.push({
      invoice_no: invoiceNo, customer_id: normalizeCustomerId(customerId), customer_id_number: Number(customerId) || null, company_no: companyNo,
      invoice_date: date, net_due_date: date, terms_due_date: date, terms_id: '30', terms_desc: 'Net 30', total_amount: dec(-amount), amount_paid: 0,
      terms_taken: 0, allowed: 0, memo_amount: 0, bad_debt_amount: 0, tax_amount: 0, paid_in_full_flag: 'N', date_paid: null, paid_by_check_no: null,
      invoice_type: 'CM', invoice_adjustment_type: 'C', invoice_reference_no: original || null, po_no: form.get(opts.creditMemoFieldReference) || null,
      order_no: null, disputed_flag: 'N', branch_id: '1', date_last_modified: new Date().toISOString().slice(0, 19),
      memo_desc: form.get(opts.creditMemoFieldReason) || null,
    });
    const resultForm = { ...formEl, Rows: [{ Edits: [...(formEl.Rows?.[0]?.Edits ?? []), { Name: 'invoice_no', Value: invoiceNo }], RelativeDateEdits: [] }] };
    return { ok: true, elements: [resultForm] };
  }

  /**
   * A reversing receipt: a negative payment (check number R<reference>) whose
   * detail lines take back what the original applied and allowed, re-opening
   * each invoice's balance.
   */
  function runReversal(elements: Element[]): TxResult {
    const svc = services[opts.reversalServiceName]!;
    const formEl = elements.find((e) => e.Name === svc.form);
    for (const e of elements) if (e.Name !== svc.form) return { ok: false, message: `DataElement '${String(e.Name)}' does not exist in ${opts.reversalServiceName}` };
    if (!formEl) return { ok: false, message: 'Receipt Number is required' };
    const form = editsOf(formEl.Rows?.[0], svc.formFields, svc.form);
    if (typeof form === 'string') return { ok: false, message: form };
    const receiptNo = form.get(opts.reversalFieldReceiptNo) ?? '';
    const original = tables.ar_receipts!.find((r) => String(r.receipt_number) === receiptNo);
    if (!original) return { ok: false, message: `Receipt ${receiptNo} does not exist` };
    if (original.delete_flag === 'Y') return { ok: false, message: `Receipt ${receiptNo} is already reversed` };
    const check = form.get(opts.reversalFieldCheckNumber) ?? '';
    if (check.length > P21_REFERENCE_MAX_LENGTH) return { ok: false, message: `Check Number cannot be longer than ${P21_REFERENCE_MAX_LENGTH} characters` };
    const pay = tables.ar_payment_details!.find((p) => p.payment_number === original.payment_number);
    const receiptNumber = receiptSeq++;
    const paymentNumber = paymentSeq++;
    const date = wireDate(form.get(opts.reversalFieldDate) || today());
    tables.ar_payment_details!.push({
      payment_number: paymentNumber, payment_type_id: pay?.payment_type_id ?? 3, payment_desc: form.get(opts.reversalFieldReason) ?? null, payment_date: date,
      payment_amount: dec(-cts(pay?.payment_amount)), check_number: check || null, cc_authorized_number: null, deposit_number: null, source_type_cd: 'Cash Receipts Reversal',
      payment_account_id: null, cc_return_transaction_id: null,
    });
    tables.ar_receipts!.push({ ...original, receipt_number: receiptNumber, payment_number: paymentNumber, date_received: date });
    original.delete_flag = 'Y';
    const now = new Date().toISOString().slice(0, 19);
    for (const d of tables.ar_receipts_detail!.filter((x) => x.receipt_number === original.receipt_number)) {
      tables.ar_receipts_detail!.push({
        ...d, receipt_number: receiptNumber, payment_amount: dec(-cts(d.payment_amount)), allowed_amount: dec(-cts(d.allowed_amount)), terms_amount: dec(-cts(d.terms_amount)),
      });
      const invoice = invoiceByNo(String(d.invoice_no));
      if (!invoice) continue;
      invoice.amount_paid = dec(cts(invoice.amount_paid) - cts(d.payment_amount));
      invoice.allowed = dec(cts(invoice.allowed) - cts(d.allowed_amount));
      invoice.terms_taken = dec(cts(invoice.terms_taken) - cts(d.terms_amount));
      invoice.paid_in_full_flag = 'N';
      invoice.date_paid = null;
      invoice.date_last_modified = now;
    }
    const resultForm = { ...formEl, Rows: [{ Edits: [...(formEl.Rows?.[0]?.Edits ?? []), { Name: opts.receiptResultFieldReceiptNo, Value: String(receiptNumber) }], RelativeDateEdits: [] }] };
    return { ok: true, elements: [resultForm] };
  }

  const runService = (name: string, elements: Element[], useCodeValues: boolean): TxResult =>
    name === opts.receiptServiceName ? runReceipt(elements, useCodeValues) : name === opts.reversalServiceName ? runReversal(elements) : runCreditMemo(elements);

  /** The elements without the last row of the invoice lines: what P21 books when it drops a row and still reports Succeeded. */
  const withoutLastLine = (elements: Element[]): Element[] =>
    elements.map((e) => (e.Name === opts.receiptLinesDataElement && (e.Rows?.length ?? 0) > 1 ? { ...e, Rows: e.Rows!.slice(0, -1) } : e));

  /** Runs a TransactionSet; answers with P21's shape (status, body). */
  function runTransactionSet(bodyText: string): { status: number; body: Row } {
    stats.transactionPosts++;
    let set: { Name?: unknown; UseCodeValues?: unknown; Transactions?: Array<{ DataElements?: Element[] }> };
    try {
      set = JSON.parse(bodyText) as typeof set;
    } catch {
      return { status: 400, body: { error: { code: '400', message: 'The request body is not a valid TransactionSet' } } };
    }
    const name = String(set.Name ?? '');
    if (!services[name]) return { status: 404, body: { error: { code: '404', message: `Service '${name}' was not found.` } } };
    if (unavailable.has(name)) return { status: 500, body: { Message: windowUnavailableText(name) } };
    const useCodeValues = set.UseCodeValues === true;
    if (name === opts.receiptServiceName && nextReceipt !== null) {
      const mode = nextReceipt;
      nextReceipt = null;
      if (mode === 'business-refusal') return { status: 200, body: { Messages: [`Transaction 1:: ${REFUSAL_TEXT}`], Results: null, Summary: { Succeeded: 0, Failed: 1, Other: 0 } } };
      // The reply names a receipt number either way, as a passed transaction's Results do.
      const claimed = mode === 'partial-booking' ? receiptSeq : receiptSeq + 1000;
      const echoed = (set.Transactions ?? []).map((tx) => ({
        DataElements: (tx.DataElements ?? []).map((e, i) => (i === 0 ? { ...e, Rows: [{ Edits: [...(e.Rows?.[0]?.Edits ?? []), { Name: opts.receiptResultFieldReceiptNo, Value: String(claimed) }], RelativeDateEdits: [] }] } : e)),
        Status: 'Passed',
      }));
      if (mode === 'partial-booking') for (const tx of set.Transactions ?? []) runService(name, withoutLastLine(tx.DataElements ?? []), useCodeValues);
      // Both answer P21's success shape: Summary.Succeeded is not evidence that anything (or everything) was booked.
      return { status: 200, body: { Messages: ['Transaction 1:: '], Results: { Name: name, Transactions: echoed }, Summary: { Succeeded: echoed.length, Failed: 0, Other: 0 } } };
    }
    if (contamination.remaining > 0) {
      contamination.remaining--;
      if (contamination.afterCommit) {
        for (const tx of set.Transactions ?? []) runService(name, tx.DataElements ?? [], useCodeValues);
      }
      const message = contamination.message || CONTAMINATION_MESSAGES[contamination.next++ % CONTAMINATION_MESSAGES.length]!;
      return { status: contamination.status, body: { Messages: [`Transaction 1:: ${message}`], Results: null, Summary: { Succeeded: 0, Failed: 1, Other: 0 } } };
    }
    const messages: string[] = [];
    const passed: unknown[] = [];
    let succeeded = 0;
    let failed = 0;
    (set.Transactions ?? []).forEach((tx, i) => {
      const elements = tx.DataElements ?? [];
      const result = runService(name, elements, useCodeValues);
      if (result.ok) {
        succeeded++;
        messages.push(`Transaction ${i + 1}:: `);
        passed.push({ DataElements: result.elements, Status: 'Passed' });
      } else {
        failed++;
        messages.push(`Transaction ${i + 1}:: ${result.message}`);
      }
    });
    const body = { Messages: messages, Results: failed > 0 ? null : { Name: name, Transactions: passed }, Summary: { Succeeded: succeeded, Failed: failed, Other: 0 } };
    return { status: 200, body };
  }

  function transactionApi(req: SandboxRequest, sub: string): SandboxResponse {
    if (req.method === 'GET' && sub === 'services') return { status: 200, body: describedServices.map((svc) => ({ Name: svc.name })) };
    if (req.method === 'GET' && sub.startsWith('definition/')) return describe('definition', decodeURIComponent(sub.slice('definition/'.length)));
    if (req.method === 'GET' && sub.startsWith('defaults/')) return describe('defaults', decodeURIComponent(sub.slice('defaults/'.length)));
    if (req.method === 'POST' && sub === 'transaction') return runTransactionSet(req.bodyText);
    if (req.method === 'POST' && sub === 'transaction/async') {
      const { body } = runTransactionSet(req.bodyText);
      const id = randomUUID();
      asyncJobs.set(id, { reply: body, polls: 0 });
      return { status: 200, body: { RequestId: id, Status: 'Active' } };
    }
    if (req.method === 'GET' && sub === 'transaction/async') {
      const id = req.query.get('id') ?? '';
      const job = asyncJobs.get(id);
      if (!job) return error(404, `Request ${id} was not found.`);
      if (job.polls++ === 0) return { status: 200, body: { RequestId: id, Status: 'Active' } };
      const summary = job.reply.Summary as { Failed?: number } | undefined;
      const status = summary && (summary.Failed ?? 0) === 0 ? 'Complete' : 'Failed';
      return { status: 200, body: { RequestId: id, Status: status, Messages: job.reply.Messages ?? [], Response: job.reply } };
    }
    return error(404, `No such Transaction API route: ${req.method} ${sub}`);
  }

  // ---------- routing ----------

  function handler(req: SandboxRequest): SandboxResponse {
    const path = req.path.replace(/\/+$/, '');
    if (req.method === 'POST' && path === '/api/security/token/v2') return tokenV2(req);
    if (req.method === 'POST' && path === '/api/security/token') return tokenV1(req);
    if (!authorized(req)) return error(401, 'Authorization has been denied for this request.');
    if (!wantsJson(req)) return xmlReply('Error', { Message: 'This sandbox answers XML when Accept is not application/json' });
    if (req.method === 'GET' && path === '/api/ui/router/v1') return { status: 200, body: { Url: `${selfUrl}/uiserver0` } };
    const table = /^\/odataservice\/odata\/(?:table|view)\/([A-Za-z0-9_]+)$/.exec(path);
    if (table && req.method === 'GET') return odata(req, table[1]!);
    const tx = /^(?:\/uiserver0)?\/api\/v2\/(.+)$/.exec(path);
    if (tx) return transactionApi(req, tx[1]!);
    return error(404, `No route ${req.method} ${path}`);
  }

  const sandbox: P21Sandbox = {} as P21Sandbox;
  const api = {
    stats: () => ({ ...stats }),
    receipts: (): P21SandboxReceipt[] =>
      tables.ar_receipts!.map((r) => {
        const pay = tables.ar_payment_details!.find((p) => p.payment_number === r.payment_number);
        return {
          receiptNumber: Number(r.receipt_number),
          paymentNumber: Number(r.payment_number),
          checkNumber: String(pay?.check_number ?? ''),
          customerId: normalizeCustomerId(r.remitter_id),
          amountCents: cts(pay?.payment_amount) as Cents,
          lines: tables.ar_receipts_detail!
            .filter((d) => d.receipt_number === r.receipt_number)
            .map((d) => ({
              invoiceNo: String(d.invoice_no),
              amountCents: cts(d.payment_amount) as Cents,
              ...(cts(d.allowed_amount) !== 0 ? { allowedCents: cts(d.allowed_amount) as Cents } : {}),
              ...(cts(d.terms_amount) !== 0 ? { termsCents: cts(d.terms_amount) as Cents } : {}),
            })),
        };
      }),
    countReceipts: (reference: string) => tables.ar_payment_details!.filter((p) => p.check_number === reference).length,
    countReversals: (reference: string) => tables.ar_payment_details!.filter((p) => p.check_number === reference && cts(p.payment_amount) < 0).length,
    openBalance: (invoiceNo: string): Cents | null => {
      const inv = invoiceByNo(invoiceNo);
      if (!inv || inv.paid_in_full_flag === 'Y') return null;
      return remainingOf(inv) as Cents;
    },
    contaminate: (count: number, o: Readonly<{ message?: string; status?: number; afterCommit?: boolean }> = {}) => {
      contamination = { remaining: count, message: o.message ?? '', status: o.status ?? 200, next: 0, afterCommit: o.afterCommit ?? false };
    },
    patchInvoice: (invoiceNo: string, fields: Readonly<Record<string, unknown>>) => {
      const inv = invoiceByNo(invoiceNo);
      if (!inv) throw new Error(`no invoice ${invoiceNo}`);
      Object.assign(inv, fields);
    },
    expireTokens: () => tokens.clear(),
    denyTables: (list: readonly string[]) => {
      denied.clear();
      for (const t of list) denied.add(t);
    },
    setTokenFormat: (format: 'auto' | 'xml') => {
      tokenFormat = format;
    },
    injectRealFailure: (mode: P21RealFailure): { erpText?: string } => {
      switch (mode) {
        case 'receipt-service-unavailable':
          unavailable.add(opts.receiptServiceName);
          return { erpText: windowUnavailableText(opts.receiptServiceName) };
        case 'unknown-read-field':
          // A column the connector selects that this P21 does not have (another version, a renamed column).
          missingColumn = { table: 'invoice_hdr', column: 'terms_desc' };
          return {};
        case 'session-timeout':
          tokens.clear();
          return {};
        case 'business-refusal':
          nextReceipt = mode;
          return { erpText: REFUSAL_TEXT };
        default:
          nextReceipt = mode;
          return {};
      }
    },
    clearRealFailures: () => {
      unavailable.clear();
      missingColumn = null;
      nextReceipt = null;
    },
  };

  const server: RunningSandbox = await startSandboxServer({
    name: 'p21',
    handler,
    port: seed.port ?? 0,
    control: {
      contaminate: (b) => {
        const body = (b ?? {}) as { count?: number; message?: string; status?: number; afterCommit?: boolean };
        api.contaminate(body.count ?? 1, body);
        return { ok: true };
      },
      'expire-tokens': () => {
        api.expireTokens();
        return { ok: true };
      },
      receipts: () => ({ receipts: api.receipts() }),
      'count-reversals': (b) => ({ count: api.countReversals(String((b as { reference?: unknown } | undefined)?.reference ?? '')) }),
      'count-receipts': (b) => ({ count: api.countReceipts(String((b as { reference?: unknown } | undefined)?.reference ?? '')) }),
      'open-balance': (b) => ({ openBalanceCents: api.openBalance(String((b as { invoiceNo?: unknown } | undefined)?.invoiceNo ?? '')) }),
      'deny-tables': (b) => {
        api.denyTables(((b as { tables?: string[] } | undefined)?.tables ?? []).map(String));
        return { ok: true };
      },
      'token-format': (b) => {
        api.setTokenFormat((b as { format?: string } | undefined)?.format === 'xml' ? 'xml' : 'auto');
        return { ok: true };
      },
      stats: () => api.stats(),
      'real-failure': (b, req) => {
        if (req.method === 'DELETE') {
          api.clearRealFailures();
          return { ok: true };
        }
        return api.injectRealFailure(String((b as { mode?: unknown } | undefined)?.mode ?? '') as P21RealFailure);
      },
    },
  });
  selfUrl = server.url;

  return Object.assign(sandbox, api, {
    url: server.url,
    faults: server.faults,
    baseUrl: server.url,
    options: { companyNo, ...(seed.options ?? {}) },
    credentials,
    close: () => server.close(),
  });
}
