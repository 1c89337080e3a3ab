import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import { DEFAULT_MERCHANT_ZONE, formatPayTraceTimestamp, merchantDate } from '@shared/paytrace-time';
import type { DemoWorld } from '../demo/world';
import type { FaultRule } from '../kit/faults';
import { startSandboxServer, type RunningSandbox, type SandboxRequest, type SandboxResponse } from '../kit/server';

// A loopback PayTrace v1 simulator reproducing the "ten facts" of the
// reference (§10): password-grant tokens, POST+JSON+Bearer endpoints, the
// success/response_code/status_message/errors envelope with the observed
// message strings, non-200 statuses that still carry JSON, §5.2-shaped export
// rows, batches, and the void/refund state rules (818/817).
// Where the reference is silent the choices below are documented in
// docs/paytrace.md ("sandbox-only" codes 820-831 are invented, not PayTrace's).

export type SandboxTransactionInput = Readonly<{
  transactionId?: number;
  type?: 'SALE' | 'AUTHORIZATION' | 'REFUND';
  amountCents: number;
  taxCents?: number;
  /** ISO instant; defaults to the sandbox clock. */
  createdAt?: string;
  /** ISO instant; null/absent = pending settlement (goes into the open batch). */
  settledAt?: string | null;
  declined?: boolean;
  voided?: boolean;
  refundOf?: number | null;
  invoiceId?: string;
  description?: string;
  customerReferenceId?: string;
  customerId?: string;
  billingName?: string;
  email?: string;
  cardLast4?: string;
  method?: 'card' | 'ach';
}>;

type StoredTransaction = {
  id: number;
  type: 'SALE' | 'AUTHORIZATION' | 'REFUND';
  amountCents: number;
  taxCents: number;
  createdAt: string;
  settledAt: string | null;
  batchNumber: number | null;
  declined: boolean;
  voided: boolean;
  refundOf: number | null;
  refundedCents: number;
  approvalCode: string;
  approvalMessage: string;
  invoiceId: string;
  description: string;
  customerReferenceId: string;
  customerId: string;
  billingName: string;
  email: string;
  cardLast4: string;
  method: 'card' | 'ach';
};

type Batch = { number: number; settledAt: string };

export type SandboxRequestLogEntry = Readonly<{
  path: string;
  /** Parsed body with the password replaced; tokens are never recorded. */
  body: unknown;
  hadBearer: boolean;
}>;

export type PayTraceSandboxState = Readonly<{
  transactions: readonly unknown[];
  batches: ReadonlyArray<Readonly<{ number: number; settled: string; transactionCount: number }>>;
  openBatchNumber: number;
  activeTokens: number;
}>;

export type PayTraceSandboxOptions = Readonly<{
  world?: DemoWorld;
  credentials: Readonly<{ username: string; password: string }>;
  port?: number;
  faultSeed?: number;
  faultRules?: readonly FaultRule[];
  /** expires_in of issued tokens; PayTrace says 7200. */
  tokenTtlSeconds?: number;
  /** Merchant zone for exported timestamps and date filters; defaults to the world's zone. */
  zone?: string;
  /** Sandbox clock (keyed sales, settle, token expiry). */
  now?: () => Date;
}>;

export type RunningPayTraceSandbox = RunningSandbox &
  Readonly<{
    zone: string;
    credentials: Readonly<{ username: string; password: string }>;
    addTransaction(input: SandboxTransactionInput): number;
    settle(): { batchNumber: number | null; transactionCount: number };
    expireTokens(): number;
    state(): PayTraceSandboxState;
    requests(): readonly SandboxRequestLogEntry[];
    clearRequests(): void;
  }>;

// The observed strings (reference §3), verbatim — note the double space in 817.
export const PAYTRACE_MESSAGES = {
  errorsOccurred: 'One or more errors has occurred.',
  exportOk: 'Your request has been successfully completed.',
  approved: 'Your transaction was successfully approved.',
  notApproved: 'Your transaction was not approved.',
  refunded: 'Your transaction was successfully refunded.',
  voided: 'Your transaction was successfully voided.',
  invalidGrant:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
} as const;

export const PAYTRACE_ERROR_TEXT: Readonly<Record<number, string>> = {
  35: 'Please provide a valid Credit Card Number.',
  43: 'Please provide a valid Expiration Month.',
  44: 'Please provide a valid Expiration Year.',
  51: 'Please provide a valid Amount.',
  58: 'Please provide a valid Transaction ID.',
  811: 'The Transaction ID that you provided was not found.',
  817: 'The Transaction ID that you provided could not be refunded. Only settled transactions can be refunded.  Please try to void the transaction instead.',
  818: 'The Transaction ID that you provided could not be voided. Only transactions that are pending settlement can be voided.',
  // Sandbox-only (no public source gives PayTrace's codes for these cases).
  820: 'The refund amount exceeds the amount of the Transaction ID that you provided that has not been refunded yet.',
  821: 'The Transaction ID that you provided is a refund and could not be refunded.',
  822: 'The Transaction ID that you provided was declined and could not be refunded.',
  823: 'The Transaction ID that you provided was voided and could not be refunded.',
  830: 'The Batch Number that you provided was not found.',
  831: 'Please provide a valid Batch Number.',
  832: 'Please provide a valid Start Date and End Date (MM/DD/YYYY).',
};

const FIRST_BATCH_NUMBER = 14000045000;
const FIRST_TRANSACTION_ID = 500000000;

class BusinessFailure extends Error {
  constructor(readonly codes: readonly number[]) {
    super(codes.join(','));
  }
}

function envelopeError(codes: readonly number[]): SandboxResponse {
  const errors: Record<string, string[]> = {};
  for (const c of codes) errors[String(c)] = [PAYTRACE_ERROR_TEXT[c] ?? 'Unknown error.'];
  return {
    status: 400,
    body: { success: false, response_code: 1, status_message: PAYTRACE_MESSAGES.errorsOccurred, errors, external_transaction_id: '' },
  };
}

function dollars(amountCents: number): number {
  // JSON numbers in dollars, as PayTrace sends them (`amount: 110`, `51.88`).
  return Number(centsToDecimalString(amountCents));
}

function parseRequestDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim());
  if (!m) return null;
  const dt = DateTime.fromObject({ year: Number(m[3]), month: Number(m[1]), day: Number(m[2]) });
  return dt.isValid ? dt.toISODate() : null;
}

function readId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export async function startPayTraceSandbox(options: PayTraceSandboxOptions): Promise<RunningPayTraceSandbox> {
  const zone = options.zone ?? options.world?.zone ?? DEFAULT_MERCHANT_ZONE;
  const now = options.now ?? (() => new Date());
  const ttlSeconds = options.tokenTtlSeconds ?? 7200;
  const { credentials } = options;

  const transactions = new Map<number, StoredTransaction>();
  const batches = new Map<number, Batch>();
  const tokens = new Map<string, number>(); // token → expiry (epoch ms)
  const requestLog: SandboxRequestLogEntry[] = [];
  let nextId = FIRST_TRANSACTION_ID;
  let openBatchNumber = FIRST_BATCH_NUMBER;

  const nowIso = (): string => now().toISOString();

  function store(input: SandboxTransactionInput): StoredTransaction {
    const id = input.transactionId ?? nextId;
    if (transactions.has(id)) throw new Error(`transaction ${id} already exists`);
    nextId = Math.max(nextId, id + 1);
    const declined = input.declined ?? false;
    const approvalCode = declined ? '' : `TAS${String(id % 1000).padStart(3, '0')}`;
    const txn: StoredTransaction = {
      id,
      type: input.type ?? (input.refundOf ? 'REFUND' : 'SALE'),
      amountCents: input.amountCents,
      taxCents: input.taxCents ?? 0,
      createdAt: input.createdAt ?? nowIso(),
      settledAt: declined || input.voided ? null : (input.settledAt ?? null),
      batchNumber: null,
      declined,
      voided: input.voided ?? false,
      refundOf: input.refundOf ?? null,
      refundedCents: 0,
      approvalCode,
      // Leading spaces as PayTrace sends them (reference §8.7).
      approvalMessage: declined ? '    DECLINE - Do not honor' : '  EXACT MATCH - Approved and completed',
      invoiceId: input.invoiceId ?? '',
      description: input.description ?? '',
      customerReferenceId: input.customerReferenceId ?? '',
      customerId: input.customerId ?? '',
      billingName: input.billingName ?? '',
      email: input.email ?? '',
      cardLast4: input.cardLast4 ?? '1111',
      method: input.method ?? 'card',
    };
    transactions.set(id, txn);
    if (txn.refundOf !== null) {
      const original = transactions.get(txn.refundOf);
      if (original) original.refundedCents += txn.amountCents;
    }
    return txn;
  }

  /** Seeded settled transactions are grouped into one closed batch per settlement day. */
  function assignSeedBatches(): void {
    const byDay = new Map<string, StoredTransaction[]>();
    for (const t of transactions.values()) {
      if (!t.settledAt || t.batchNumber !== null) continue;
      const day = merchantDate(t.settledAt, zone);
      byDay.set(day, [...(byDay.get(day) ?? []), t]);
    }
    for (const day of [...byDay.keys()].sort()) {
      const group = byDay.get(day)!;
      const settledAt = group.map((t) => t.settledAt!).sort().at(-1)!;
      const number = openBatchNumber++;
      batches.set(number, { number, settledAt });
      for (const t of group) t.batchNumber = number;
    }
  }

  function addTransaction(input: SandboxTransactionInput): number {
    const t = store(input);
    // A settled transaction added later gets its own closed batch.
    if (t.settledAt) {
      const number = openBatchNumber++;
      batches.set(number, { number, settledAt: t.settledAt });
      t.batchNumber = number;
    }
    return t.id;
  }

  if (options.world) {
    for (const p of options.world.payments) {
      store({
        transactionId: p.transactionId,
        type: p.refundOf !== null ? 'REFUND' : 'SALE',
        amountCents: p.amountCents,
        createdAt: p.createdAt,
        settledAt: p.settledAt,
        declined: p.declined,
        voided: p.voided,
        refundOf: p.refundOf,
        invoiceId: p.invoiceId,
        description: p.description,
        customerReferenceId: p.customerReferenceId,
        customerId: p.customerId,
        billingName: p.billingName,
        email: p.email,
        cardLast4: p.cardLast4,
        method: p.method,
      });
    }
    assignSeedBatches();
  }

  function settle(): { batchNumber: number | null; transactionCount: number } {
    const pending = [...transactions.values()].filter((t) => !t.declined && !t.voided && t.settledAt === null);
    if (pending.length === 0) return { batchNumber: null, transactionCount: 0 };
    const number = openBatchNumber++;
    const settledAt = nowIso();
    batches.set(number, { number, settledAt });
    for (const t of pending) {
      t.settledAt = settledAt;
      t.batchNumber = number;
    }
    return { batchNumber: number, transactionCount: pending.length };
  }

  function expireTokens(): number {
    for (const token of tokens.keys()) tokens.set(token, 0);
    return tokens.size;
  }

  function exportRow(t: StoredTransaction): Record<string, unknown> {
    const row: Record<string, unknown> = { transaction_id: t.id };
    if (t.method === 'card') {
      row.credit_card = { masked_number: `************${t.cardLast4}`, expiration_month: 12, expiration_year: 29 };
    } else {
      // No public sample of a check export row exists; see docs/paytrace.md.
      // The check's own status (docs/paytrace.md: field and values unconfirmed, so configurable in Tieout):
      // a check PayTrace accepted is "Processed" until its batch settles.
      row.check = { masked_account_number: `******${t.cardLast4}`, routing_number: '325070760', status: t.declined ? 'Rejected' : t.settledAt ? 'Settled' : 'Processed' };
    }
    Object.assign(row, {
      transaction_type: t.voided ? 'VOID' : t.type,
      description: t.description,
      amount: dollars(t.amountCents),
      invoice_id: t.invoiceId,
      shipping_address: { name: '', street_address: '', street_address2: '', city: '', county: '', state: '', zip: '', country: 'US' },
      billing_address: { name: t.billingName, street_address: '8320 E. West St.', street_address2: '', city: 'Spokane', state: 'WA', zip: '99201', country: 'US' },
      receipt_emailed_to: t.email,
      tax_amount: centsToDecimalString(t.taxCents),
      customer_reference_id: t.customerReferenceId,
      approval_code: t.approvalCode,
      approval_message: t.approvalMessage,
      avs_response: t.declined ? '' : 'Full Exact Match',
      csc_response: t.declined ? '' : 'Match',
      status_code: 'GB571',
      status_message: 'GB571',
      created: { through: 'API', at: formatPayTraceTimestamp(t.createdAt, zone), by: 'sandbox123', from_ip: '64.106.246.164' },
      settled: t.settledAt ? formatPayTraceTimestamp(t.settledAt, zone) : '',
      customer_id: t.customerId,
    });
    return row;
  }

  function batchSummary(b: Batch): Record<string, unknown> {
    const members = [...transactions.values()].filter((t) => t.batchNumber === b.number);
    const sales = members.filter((t) => t.type !== 'REFUND');
    const refunds = members.filter((t) => t.type === 'REFUND');
    const sum = (ts: StoredTransaction[]) => ts.reduce((s, t) => s + t.amountCents, 0);
    return {
      number: b.number,
      settled: formatPayTraceTimestamp(b.settledAt, zone),
      transaction_count: members.length,
      net_amount: dollars(sum(sales) - sum(refunds)),
      sales_count: sales.length,
      sales_amount: dollars(sum(sales)),
      refund_count: refunds.length,
      refund_amount: dollars(sum(refunds)),
    };
  }

  const ok = (body: Record<string, unknown>): SandboxResponse => ({ status: 200, body: { success: true, ...body } });

  function readDateRange(body: Record<string, unknown>): { start: string; end: string } {
    const start = parseRequestDate(body.start_date);
    const end = parseRequestDate(body.end_date);
    if (!start || !end || start > end) throw new BusinessFailure([832]);
    return { start, end };
  }

  function exportByDateRange(body: Record<string, unknown>): SandboxResponse {
    const { start, end } = readDateRange(body);
    const typeFilter = str(body.transaction_type).trim().toUpperCase();
    const customerFilter = str(body.customer_id).trim();
    const idFilter = body.transaction_id === undefined || body.transaction_id === '' ? null : readId(body.transaction_id);
    const rows = [...transactions.values()]
      .filter((t) => {
        const day = merchantDate(t.createdAt, zone);
        return day >= start && day <= end; // whole days, end inclusive
      })
      .filter((t) => (idFilter === null ? true : t.id === idFilter))
      .filter((t) => (customerFilter === '' ? true : t.customerId === customerFilter))
      .filter((t) => matchesTypeFilter(t, typeFilter))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
      .map(exportRow);
    return ok({ response_code: 1, status_message: PAYTRACE_MESSAGES.exportOk, transactions: rows, external_transaction_id: '' });
  }

  function matchesTypeFilter(t: StoredTransaction, filter: string): boolean {
    switch (filter) {
      case '':
        return true;
      case 'DECLINED':
        return t.declined;
      case 'SETTLED':
        return t.settledAt !== null;
      case 'PENDING':
        return t.settledAt === null && !t.declined && !t.voided;
      case 'VOID':
        return t.voided;
      default:
        return !t.voided && t.type === filter;
    }
  }

  function requireTransaction(body: Record<string, unknown>): StoredTransaction {
    const id = readId(body.transaction_id);
    if (id === null) throw new BusinessFailure([58]);
    const t = transactions.get(id);
    if (!t) throw new BusinessFailure([811]);
    return t;
  }

  function exportById(body: Record<string, unknown>): SandboxResponse {
    const t = requireTransaction(body);
    return ok({ response_code: 1, status_message: PAYTRACE_MESSAGES.exportOk, transactions: [exportRow(t)], external_transaction_id: '' });
  }

  function keyedSale(body: Record<string, unknown>): SandboxResponse {
    const card = isRecord(body.credit_card) ? body.credit_card : {};
    const codes: number[] = [];
    const number = str(card.number).replace(/\s+/g, '');
    if (!/^\d{13,19}$/.test(number)) codes.push(35);
    const month = Number(card.expiration_month);
    if (!Number.isInteger(month) || month < 1 || month > 12) codes.push(43);
    const year = Number(card.expiration_year);
    if (!Number.isInteger(year) || year < 0) codes.push(44);
    let amountCents: Cents | null = null;
    try {
      amountCents = parseDecimalToCents(body.amount);
    } catch {
      amountCents = null;
    }
    if (amountCents === null || amountCents <= 0) codes.push(51);
    if (codes.length > 0 || amountCents === null) throw new BusinessFailure(codes);
    const billing = isRecord(body.billing_address) ? body.billing_address : {};
    // $0.29 declines on PayTrace's sandbox with "EXPIRED CARD" (reference §8.13).
    const declined = amountCents === 29;
    const t = store({
      amountCents,
      taxCents: body.tax_amount === undefined ? 0 : parseDecimalToCents(body.tax_amount),
      declined,
      invoiceId: str(body.invoice_id),
      description: str(body.description),
      customerReferenceId: str(body.customer_reference_id),
      billingName: str(billing.name),
      email: str(body.email),
      cardLast4: number.slice(-4),
    });
    if (declined) t.approvalMessage = '    DECLINE - EXPIRED CARD - Expired card';
    const common = {
      transaction_id: t.id,
      approval_code: t.approvalCode,
      approval_message: declined ? '  EXPIRED CARD - Expired card' : t.approvalMessage,
      avs_response: declined ? '' : 'Full Exact Match',
      csc_response: declined ? '' : 'Match',
      external_transaction_id: '',
      masked_card_number: `xxxxxxxxxxxx${t.cardLast4}`,
    };
    if (declined) {
      return { status: 400, body: { success: false, response_code: 102, status_message: PAYTRACE_MESSAGES.notApproved, ...common } };
    }
    return ok({ response_code: 101, status_message: PAYTRACE_MESSAGES.approved, ...common });
  }

  function voidTransaction(body: Record<string, unknown>): SandboxResponse {
    const t = requireTransaction(body);
    if (t.settledAt !== null || t.voided || t.declined) throw new BusinessFailure([818]);
    t.voided = true;
    if (t.refundOf !== null) {
      const original = transactions.get(t.refundOf);
      if (original) original.refundedCents -= t.amountCents;
    }
    return ok({ response_code: 109, status_message: PAYTRACE_MESSAGES.voided, transaction_id: t.id });
  }

  function refundTransaction(body: Record<string, unknown>): SandboxResponse {
    const t = requireTransaction(body);
    if (t.type === 'REFUND') throw new BusinessFailure([821]);
    if (t.declined) throw new BusinessFailure([822]);
    if (t.voided) throw new BusinessFailure([823]);
    if (t.settledAt === null) throw new BusinessFailure([817]);
    const remaining = t.amountCents - t.refundedCents;
    let amountCents: number = remaining;
    if (body.amount !== undefined && body.amount !== null && body.amount !== '') {
      try {
        amountCents = parseDecimalToCents(body.amount);
      } catch {
        throw new BusinessFailure([51]);
      }
      if (amountCents <= 0) throw new BusinessFailure([51]);
    }
    if (amountCents > remaining || remaining <= 0) throw new BusinessFailure([820]);
    const refund = store({
      type: 'REFUND',
      amountCents,
      refundOf: t.id,
      invoiceId: t.invoiceId,
      customerId: t.customerId,
      billingName: t.billingName,
      email: t.email,
      cardLast4: t.cardLast4,
      method: t.method,
    });
    return ok({
      response_code: 106,
      status_message: PAYTRACE_MESSAGES.refunded,
      transaction_id: refund.id,
      external_transaction_id: '',
      masked_card_number: `xxxxxxxxxxxx${refund.cardLast4}`,
    });
  }

  function readBatchNumber(value: unknown): number | null {
    return readId(value);
  }

  function exportOneBatch(body: Record<string, unknown>): SandboxResponse {
    let batch: Batch | undefined;
    if (body.batch_number === undefined || body.batch_number === null || body.batch_number === '') {
      batch = [...batches.values()].sort((a, b) => b.number - a.number)[0];
    } else {
      const n = readBatchNumber(body.batch_number);
      if (n === null) throw new BusinessFailure([831]);
      batch = batches.get(n);
    }
    if (!batch) throw new BusinessFailure([830]);
    return ok({ response_code: 1, status_message: PAYTRACE_MESSAGES.exportOk, batch: batchSummary(batch) });
  }

  function exportBatches(body: Record<string, unknown>): SandboxResponse {
    const { start, end } = readDateRange(body);
    const list = [...batches.values()]
      .filter((b) => {
        const day = merchantDate(b.settledAt, zone);
        return day >= start && day <= end;
      })
      .sort((a, b) => a.number - b.number)
      .map(batchSummary);
    return ok({ response_code: 1, status_message: PAYTRACE_MESSAGES.exportOk, batches: list });
  }

  function batchTransactionList(body: Record<string, unknown>): SandboxResponse {
    const n = readBatchNumber(body.batch_number);
    if (n === null) throw new BusinessFailure([831]);
    if (!batches.has(n)) throw new BusinessFailure([830]);
    const rows = [...transactions.values()].filter((t) => t.batchNumber === n).sort((a, b) => a.id - b.id).map(exportRow);
    return ok({ response_code: 1, status_message: PAYTRACE_MESSAGES.exportOk, transactions: rows });
  }

  function settleEndpoint(): SandboxResponse {
    const result = settle();
    return ok({
      response_code: 1,
      status_message: PAYTRACE_MESSAGES.exportOk,
      batch_number: result.batchNumber,
      transaction_count: result.transactionCount,
    });
  }

  const routes: Record<string, (body: Record<string, unknown>) => SandboxResponse> = {
    '/v1/transactions/export/by_date_range': exportByDateRange,
    '/v1/transactions/export/by_id': exportById,
    '/v1/transactions/sale/keyed': keyedSale,
    '/v1/transactions/void': voidTransaction,
    '/v1/transactions/refund/for_transaction': refundTransaction,
    '/v1/transactions/settle': settleEndpoint,
    '/v1/batches/export_one': exportOneBatch,
    '/v1/batches/export': exportBatches,
    '/v1/batches/transaction_list': batchTransactionList,
  };

  function tokenEndpoint(req: SandboxRequest): SandboxResponse {
    const contentType = String(req.headers['content-type'] ?? '');
    let fields: Record<string, string> = Object.fromEntries(req.query.entries());
    if (contentType.includes('application/json') && req.bodyText) {
      try {
        const parsed = JSON.parse(req.bodyText) as unknown;
        if (isRecord(parsed)) fields = { ...fields, ...Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, str(v)])) };
      } catch {
        return { status: 400, body: { error: 'invalid_request', error_description: 'The request body is not valid JSON.' } };
      }
    } else if (req.bodyText) {
      fields = { ...fields, ...Object.fromEntries(new URLSearchParams(req.bodyText).entries()) };
    }
    requestLog.push({ path: req.path, body: { ...fields, password: fields.password === undefined ? undefined : '***' }, hadBearer: false });
    if (fields.grant_type !== 'password') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' } };
    }
    if (fields.username !== credentials.username || fields.password !== credentials.password) {
      return { status: 401, body: { error: 'invalid_grant', error_description: PAYTRACE_MESSAGES.invalidGrant } };
    }
    const token = `${randomBytes(12).toString('hex')}:${randomBytes(12).toString('hex')}:${randomBytes(16).toString('hex')}`;
    const issuedAt = now().getTime();
    tokens.set(token, issuedAt + ttlSeconds * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, created_at: Math.floor(issuedAt / 1000) } };
  }

  function checkBearer(req: SandboxRequest): SandboxResponse | null {
    const header = String(req.headers.authorization ?? '');
    const m = /^bearer\s+(\S+)$/i.exec(header.trim());
    const expiry = m ? tokens.get(m[1]!) : undefined;
    if (expiry === undefined) {
      return { status: 401, body: { error: 'invalid_token', error_description: 'The access token is invalid' } };
    }
    if (expiry <= now().getTime()) {
      return { status: 401, body: { error: 'invalid_token', error_description: 'The access token expired' } };
    }
    return null;
  }

  async function handler(req: SandboxRequest): Promise<SandboxResponse> {
    if (req.path === '/oauth/token') {
      if (req.method !== 'POST') return { status: 405, body: { error: 'invalid_request', error_description: 'Use POST.' } };
      return tokenEndpoint(req);
    }
    const route = routes[req.path];
    if (!route) return { status: 404, body: { success: false, response_code: 1, status_message: `No route ${req.path}` } };
    let body: unknown = {};
    let bodyError = false;
    if (req.bodyText) {
      try {
        body = JSON.parse(req.bodyText) as unknown;
      } catch {
        bodyError = true;
      }
    }
    requestLog.push({ path: req.path, body: bodyError ? '(not JSON)' : body, hadBearer: /^bearer\s/i.test(String(req.headers.authorization ?? '')) });
    const authProblem = checkBearer(req);
    if (authProblem) return authProblem;
    if (req.method !== 'POST') return { status: 405, body: { success: false, response_code: 1, status_message: 'Every v1 endpoint is POST.' } };
    if (bodyError || !isRecord(body)) {
      return { status: 400, body: { success: false, response_code: 1, status_message: 'The request body must be a JSON object.' } };
    }
    try {
      return route(body);
    } catch (e) {
      if (e instanceof BusinessFailure) return envelopeError(e.codes);
      throw e;
    }
  }

  function state(): PayTraceSandboxState {
    const nowMs = now().getTime();
    return {
      transactions: [...transactions.values()].sort((a, b) => a.id - b.id).map(exportRow),
      batches: [...batches.values()]
        .sort((a, b) => a.number - b.number)
        .map((b) => ({ number: b.number, settled: formatPayTraceTimestamp(b.settledAt, zone), transactionCount: [...transactions.values()].filter((t) => t.batchNumber === b.number).length })),
      openBatchNumber,
      activeTokens: [...tokens.values()].filter((exp) => exp > nowMs).length,
    };
  }

  const server = await startSandboxServer({
    name: 'PayTrace',
    handler,
    port: options.port,
    faultSeed: options.faultSeed,
    faultRules: options.faultRules,
    control: {
      transactions: (body) => {
        const list = isRecord(body) && Array.isArray(body.transactions) ? (body.transactions as SandboxTransactionInput[]) : [];
        return { ok: true, transactionIds: list.map(addTransaction) };
      },
      settle: () => ({ ok: true, ...settle() }),
      'expire-tokens': () => ({ ok: true, expired: expireTokens() }),
      state: () => state(),
      requests: (_body, req) => {
        if (req.method === 'DELETE') {
          requestLog.length = 0;
          return { ok: true };
        }
        return { requests: requestLog };
      },
    },
  });

  return {
    ...server,
    zone,
    credentials,
    addTransaction,
    settle,
    expireTokens,
    state,
    requests: () => [...requestLog],
    clearRequests: () => {
      requestLog.length = 0;
    },
  };
}
