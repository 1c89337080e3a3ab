import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { DateTime } from 'luxon';
import type { PayTraceTransaction } from '@shared/domain';
import { centsToDecimalString, parseDecimalToCents, type Cents, type CurrencyCode } from '@shared/money';
import { DEFAULT_MERCHANT_ZONE, merchantDate, parseOptionalPayTraceTimestamp, toPayTraceRequestDate } from '@shared/paytrace-time';
import { systemClock, type Clock } from '../clock';
import { parseRetryAfter } from '../http/retry-after';
import { describeErrorMap, PayTraceError, readErrorMap } from './errors';
import { normalizeExportRow } from './normalize';

// PayTrace JSON API v1 client (reference §2-§5). Every endpoint is a POST with
// a JSON body carrying integrator_id and a Bearer token from the OAuth password
// grant. Replies are read whatever the HTTP status, because PayTrace sends its
// JSON envelope with 400/401 too; outcomes are decided by success/response_code.
// Transient failures are thrown typed, not retried here: the sync loop owns
// retry timing. The only automatic retry is the single re-auth on invalid_token.

export type PayTraceClientOptions = Readonly<{
  baseUrl: string;
  integratorId: string;
  username: string;
  password: string;
  /** Merchant zone for PayTrace's zone-less timestamps (unconfirmed; default America/Los_Angeles). */
  zone?: string;
  /** Per-request timeout. PayTrace's sandbox can take 20 s; default 60 s. */
  timeoutMs?: number;
  currency?: CurrencyCode;
  /** Days per export request (reference §7: no paging, so long ranges are chunked). Default 1. */
  chunkDays?: number;
  /**
   * Whether PayTrace treats end_date as inclusive (unconfirmed). When false the
   * client asks for [start, end + 1 day] and drops rows outside the chunk.
   */
  endDateInclusive?: boolean;
  /** Renew the token this many seconds before it expires. Default 120. */
  tokenRenewMarginSeconds?: number;
  /** Called after every HTTP exchange (for progress and logs; carries no secrets). */
  onRequest?: (event: PayTraceRequestEvent) => void;
  /** Time for token expiry, Retry-After dates and request durations; tests pass a manual clock. Default: the system clock. */
  clock?: Clock;
  /** Largest reply read, in bytes; a larger one is refused before it fills memory. Default 50 MiB, as the ERP transport. */
  maxReplyBytes?: number;
}>;

export type PayTraceRequestEvent = Readonly<{ path: string; httpStatus: number | null; durationMs: number }>;

export type DateRange = Readonly<{ startDate: string; endDate: string }>;

export type ExportFilters = Readonly<{
  transactionType?: string;
  customerId?: string;
  transactionId?: number;
  onProgress?: (progress: Readonly<{ done: number; total: number; date: string }>) => void;
}>;

export type MalformedRow = Readonly<{ raw: unknown; error: string }>;

export type ExportResult = Readonly<{ transactions: PayTraceTransaction[]; malformed: MalformedRow[] }>;

export type PayTraceBatch = Readonly<{
  batchNumber: number;
  /** ISO instant, when PayTrace reported one. */
  settledAt: string | null;
  transactionCount: number | null;
  netCents: Cents | null;
  salesCount: number | null;
  salesCents: Cents | null;
  refundCount: number | null;
  refundCents: Cents | null;
  raw: unknown;
}>;

export type PayTraceActionResult = Readonly<{ transactionId: number; responseCode: number; statusMessage: string }>;

export type ConnectionCheck = Readonly<{ name: string; ok: boolean; detail: string }>;
export type PayTraceConnectionTest = Readonly<{ ok: boolean; summary: string; checks: ConnectionCheck[] }>;

type Envelope = Record<string, unknown> & { success: boolean; response_code: number; status_message: string };

const SAFE_TO_REPEAT = ['/oauth/token', '/v1/transactions/export/', '/v1/batches/'];

const DEFAULT_MAX_REPLY_BYTES = 50 * 1024 * 1024;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optionalInt(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : null;
}

/**
 * An id PayTrace assigned (transaction, batch): a positive safe integer or its
 * digits, else null. optionalInt read 0, -5, 1.5, "0x10" and 1e300 as ids, so a
 * garbled void/refund reply could hand back an id of nothing (fuzz finding).
 */
function positiveId(v: unknown): number | null {
  const n = typeof v === 'string' && /^\s*\d{1,16}\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

function optionalCents(v: unknown): Cents | null {
  if (v === undefined || v === null || v === '') return null;
  try {
    return parseDecimalToCents(v);
  } catch {
    return null;
  }
}

export class PayTraceClient {
  private readonly http: AxiosInstance;
  private readonly zone: string;
  private readonly currency: CurrencyCode;
  private readonly chunkDays: number;
  private readonly endDateInclusive: boolean;
  private readonly renewMarginMs: number;
  private token: { value: string; expiresAt: number } | null = null;
  private pendingToken: Promise<string> | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: PayTraceClientOptions) {
    this.zone = options.zone ?? DEFAULT_MERCHANT_ZONE;
    this.currency = options.currency ?? 'USD';
    this.chunkDays = Math.max(1, Math.floor(options.chunkDays ?? 1));
    this.endDateInclusive = options.endDateInclusive ?? true;
    this.renewMarginMs = (options.tokenRenewMarginSeconds ?? 120) * 1000;
    this.clock = options.clock ?? systemClock;
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 60_000,
      validateStatus: () => true,
      // Raw text: a body that is not JSON must become a typed `malformed`, not an axios quirk.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      // A compromised or broken gateway must not make the engine buffer an endless body.
      maxContentLength: options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES,
    });
  }

  // ---- transport -------------------------------------------------------

  private async exchange(path: string, send: () => Promise<AxiosResponse<unknown>>): Promise<AxiosResponse<unknown>> {
    const started = this.clock.now();
    try {
      const res = await send();
      this.options.onRequest?.({ path, httpStatus: res.status, durationMs: this.clock.now() - started });
      return res;
    } catch (e) {
      this.options.onRequest?.({ path, httpStatus: null, durationMs: this.clock.now() - started });
      throw this.networkError(path, e);
    }
  }

  private networkError(path: string, e: unknown): PayTraceError {
    // Exports and the token call are safe to repeat; anything else may have happened.
    const outcomeUnknown = !SAFE_TO_REPEAT.some((prefix) => path.startsWith(prefix));
    const code = axios.isAxiosError(e) ? (e.code ?? 'ERR_NETWORK') : 'ERR_UNKNOWN';
    if (axios.isAxiosError(e) && /maxContentLength/.test(e.message)) {
      const limit = this.options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
      return new PayTraceError('malformed', `PayTrace sent a reply to ${path} larger than ${limit} bytes; it was not read.`, { path, networkCode: 'REPLY_TOO_LARGE', outcomeUnknown });
    }
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || (axios.isAxiosError(e) && /timeout/i.test(e.message));
    if (timedOut) {
      return new PayTraceError('transient', `PayTrace did not answer ${path} within ${this.options.timeoutMs ?? 60_000} ms.`, {
        path,
        networkCode: 'ETIMEDOUT',
        outcomeUnknown,
      });
    }
    // Only the code: the axios message/config can hold the request body.
    return new PayTraceError('transient', `The connection to PayTrace failed during ${path} (${code}).`, { path, networkCode: code, outcomeUnknown });
  }

  private parseJson(path: string, res: AxiosResponse<unknown>): unknown {
    const text = typeof res.data === 'string' ? res.data : '';
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PayTraceError('malformed', `PayTrace sent a reply to ${path} that is not JSON (HTTP ${res.status}, ${text.length} bytes).`, {
        path,
        httpStatus: res.status,
      });
    }
  }

  private transientForStatus(path: string, res: AxiosResponse<unknown>): PayTraceError | null {
    if (res.status === 429 || res.status >= 500) {
      const retryAfterSeconds = parseRetryAfter(res.headers['retry-after'], this.clock.now());
      const wait = retryAfterSeconds === undefined ? '' : ` PayTrace asked to wait ${retryAfterSeconds} s.`;
      const what = res.status === 429 ? 'is throttling requests' : 'had a server error';
      return new PayTraceError('transient', `PayTrace ${what} (HTTP ${res.status}) on ${path}.${wait}`, {
        path,
        httpStatus: res.status,
        retryAfterSeconds,
      });
    }
    return null;
  }

  // ---- authentication -------------------------------------------------

  private async fetchToken(): Promise<string> {
    const path = '/oauth/token';
    const form = new URLSearchParams({ grant_type: 'password', username: this.options.username, password: this.options.password });
    const res = await this.exchange(path, () =>
      this.http.post(path, form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', Accept: 'application/json' } }),
    );
    const transient = this.transientForStatus(path, res);
    if (transient) throw transient;
    const body = this.parseJson(path, res);
    if (!isRecord(body)) throw new PayTraceError('malformed', `PayTrace's token reply is not a JSON object (HTTP ${res.status}).`, { path, httpStatus: res.status });
    if (typeof body.error === 'string') {
      const description = typeof body.error_description === 'string' ? ` (${body.error_description})` : '';
      throw new PayTraceError('auth', `PayTrace rejected the API credentials: ${body.error}${description}`, { path, httpStatus: res.status });
    }
    const token = body.access_token;
    if (res.status !== 200 || typeof token !== 'string' || token === '') {
      throw new PayTraceError('malformed', `PayTrace's token reply has no access_token (HTTP ${res.status}).`, { path, httpStatus: res.status });
    }
    const ttlSeconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 7200;
    const ttlMs = ttlSeconds * 1000;
    // Renew early, but never spend more than half a short-lived token's life on the margin.
    const margin = Math.min(this.renewMarginMs, ttlMs / 2);
    this.token = { value: token, expiresAt: this.clock.now() + ttlMs - margin };
    return token;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.clock.now()) return this.token.value;
    // Concurrent callers share one token request.
    if (!this.pendingToken) {
      this.pendingToken = this.fetchToken().finally(() => {
        this.pendingToken = null;
      });
    }
    return this.pendingToken;
  }

  /** Forget the cached token (e.g. after credentials change). */
  resetToken(): void {
    this.token = null;
  }

  // ---- v1 calls --------------------------------------------------------

  /**
   * Low-level v1 POST: adds integrator_id and the bearer token, re-authenticates
   * exactly once on invalid_token, and returns the envelope of a successful reply.
   */
  async post(path: string, body: Record<string, unknown> = {}): Promise<Envelope> {
    const first = await this.postOnce(path, body);
    if (first !== 'invalid_token') return first;
    this.token = null;
    const second = await this.postOnce(path, body);
    if (second !== 'invalid_token') return second;
    throw new PayTraceError('invalid_token', `PayTrace rejected a freshly issued access token on ${path}.`, { path, httpStatus: 401 });
  }

  private async postOnce(path: string, body: Record<string, unknown>): Promise<Envelope | 'invalid_token'> {
    const token = await this.accessToken();
    const res = await this.exchange(path, () =>
      this.http.post(path, JSON.stringify({ ...body, integrator_id: this.options.integratorId }), {
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
      }),
    );
    const transient = this.transientForStatus(path, res);
    if (transient) throw transient;
    const parsed = this.parseJson(path, res);
    if (!isRecord(parsed)) throw new PayTraceError('malformed', `PayTrace's reply to ${path} is not a JSON object (HTTP ${res.status}).`, { path, httpStatus: res.status });
    if (parsed.error === 'invalid_token') return 'invalid_token';
    if (typeof parsed.error === 'string' || (res.status === 401 && parsed.success === undefined)) {
      if (res.status === 401) return 'invalid_token';
      const description = typeof parsed.error_description === 'string' ? ` (${parsed.error_description})` : '';
      throw new PayTraceError('auth', `PayTrace refused ${path}: ${String(parsed.error)}${description}`, { path, httpStatus: res.status });
    }
    return this.readEnvelope(path, res.status, parsed);
  }

  private readEnvelope(path: string, httpStatus: number, body: Record<string, unknown>): Envelope {
    const { success, response_code: responseCode } = body;
    if (typeof success !== 'boolean' || typeof responseCode !== 'number') {
      const missing = [typeof success !== 'boolean' ? 'success' : null, typeof responseCode !== 'number' ? 'response_code' : null].filter(Boolean).join(' and ');
      throw new PayTraceError('malformed', `PayTrace's reply to ${path} lacks ${missing} (HTTP ${httpStatus}).`, { path, httpStatus });
    }
    const statusMessage = typeof body.status_message === 'string' ? body.status_message : '';
    if (success) return { ...body, success, response_code: responseCode, status_message: statusMessage };
    const errors = readErrorMap(body.errors);
    const transactionId = optionalInt(body.transaction_id) ?? undefined;
    if (responseCode === 102) {
      const approvalMessage = typeof body.approval_message === 'string' ? body.approval_message.trim() : '';
      throw new PayTraceError('declined', `PayTrace declined transaction ${transactionId ?? '(no id)'}: ${approvalMessage || statusMessage}`, {
        path,
        httpStatus,
        responseCode,
        statusMessage,
        transactionId,
        approvalMessage,
      });
    }
    const detail = Object.keys(errors).length > 0 ? describeErrorMap(errors) : statusMessage || `response_code ${responseCode}`;
    throw new PayTraceError('business', `PayTrace refused ${path}: ${detail}`, { path, httpStatus, responseCode, statusMessage, errors, transactionId });
  }

  // ---- exports ---------------------------------------------------------

  private readRows(path: string, envelope: Envelope, sink: { transactions: PayTraceTransaction[]; malformed: MalformedRow[] }, accept?: (t: PayTraceTransaction) => boolean): void {
    const rows = envelope.transactions;
    if (rows === undefined || rows === null) return; // empty result: not documented, treated as none
    if (!Array.isArray(rows)) throw new PayTraceError('malformed', `PayTrace's reply to ${path} has a "transactions" field that is not a list.`, { path });
    for (const raw of rows) {
      const result = normalizeExportRow(raw, { zone: this.zone, currency: this.currency });
      if (!result.ok) sink.malformed.push({ raw, error: result.error });
      else if (!accept || accept(result.value)) sink.transactions.push(result.value);
    }
  }

  private validateRange(range: DateRange): { start: DateTime; end: DateTime } {
    const bad = [range.startDate, range.endDate].find((d) => !ISO_DATE.test(d) || !DateTime.fromISO(d, { zone: 'utc' }).isValid);
    if (bad !== undefined) throw new PayTraceError('config', `Not a date (YYYY-MM-DD): ${JSON.stringify(bad)}`);
    const start = DateTime.fromISO(range.startDate, { zone: 'utc' });
    const end = DateTime.fromISO(range.endDate, { zone: 'utc' });
    if (end < start) throw new PayTraceError('config', `The export range ends (${range.endDate}) before it starts (${range.startDate}).`);
    return { start, end };
  }

  /** Transactions created between two merchant-local dates (inclusive), one request per chunk of `chunkDays`. */
  async exportByDateRange(range: DateRange, filters: ExportFilters = {}): Promise<ExportResult> {
    const { start, end } = this.validateRange(range);
    const chunks: Array<{ from: string; to: string }> = [];
    for (let day = start; day <= end; day = day.plus({ days: this.chunkDays })) {
      const last = DateTime.min(day.plus({ days: this.chunkDays - 1 }), end);
      chunks.push({ from: day.toISODate()!, to: last.toISODate()! });
    }
    const path = '/v1/transactions/export/by_date_range';
    const sink = { transactions: [] as PayTraceTransaction[], malformed: [] as MalformedRow[] };
    const seen = new Set<number>();
    for (const [index, chunk] of chunks.entries()) {
      const requestEnd = this.endDateInclusive ? chunk.to : DateTime.fromISO(chunk.to, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
      const body: Record<string, unknown> = { start_date: toPayTraceRequestDate(chunk.from), end_date: toPayTraceRequestDate(requestEnd) };
      if (filters.transactionType) body.transaction_type = filters.transactionType;
      if (filters.customerId) body.customer_id = filters.customerId;
      if (filters.transactionId !== undefined) body.transaction_id = filters.transactionId;
      const envelope = await this.post(path, body);
      // Overlapping chunks (exclusive-end mode, or a server that is inclusive after all) must not double rows.
      this.readRows(path, envelope, sink, (t) => {
        if (!this.endDateInclusive) {
          const day = merchantDate(t.createdAt, this.zone);
          if (day < chunk.from || day > chunk.to) return false;
        }
        if (seen.has(t.transactionId)) return false;
        seen.add(t.transactionId);
        return true;
      });
      filters.onProgress?.({ done: index + 1, total: chunks.length, date: chunk.from });
    }
    return sink;
  }

  /** One transaction, or null when PayTrace returns an empty list. */
  async exportById(transactionId: number): Promise<PayTraceTransaction | null> {
    const path = '/v1/transactions/export/by_id';
    const envelope = await this.post(path, { transaction_id: transactionId });
    const sink = { transactions: [] as PayTraceTransaction[], malformed: [] as MalformedRow[] };
    this.readRows(path, envelope, sink);
    const bad = sink.malformed[0];
    if (bad) throw new PayTraceError('malformed', bad.error, { path, transactionId });
    return sink.transactions[0] ?? null;
  }

  private readBatch(path: string, raw: unknown): PayTraceBatch {
    if (!isRecord(raw)) throw new PayTraceError('malformed', `PayTrace's reply to ${path} has a batch that is not an object.`, { path });
    const batchNumber = positiveId(raw.number ?? raw.batch_number);
    if (batchNumber === null) throw new PayTraceError('malformed', `PayTrace's reply to ${path} has a batch without a number.`, { path });
    let settledAt: string | null = null;
    try {
      settledAt = parseOptionalPayTraceTimestamp(raw.settled ?? raw.settled_at ?? raw.created ?? null, this.zone);
    } catch {
      settledAt = null; // summary fields are unconfirmed; the number is what matters
    }
    return {
      batchNumber,
      settledAt,
      transactionCount: optionalInt(raw.transaction_count),
      netCents: optionalCents(raw.net_amount),
      salesCount: optionalInt(raw.sales_count),
      salesCents: optionalCents(raw.sales_amount),
      refundCount: optionalInt(raw.refund_count),
      refundCents: optionalCents(raw.refund_amount),
      raw,
    };
  }

  async exportBatches(range: DateRange): Promise<PayTraceBatch[]> {
    this.validateRange(range);
    const path = '/v1/batches/export';
    const envelope = await this.post(path, { start_date: toPayTraceRequestDate(range.startDate), end_date: toPayTraceRequestDate(range.endDate) });
    const list = envelope.batches ?? [];
    if (!Array.isArray(list)) throw new PayTraceError('malformed', `PayTrace's reply to ${path} has a "batches" field that is not a list.`, { path });
    return list.map((b) => this.readBatch(path, b));
  }

  /** One batch summary; without a number, PayTrace's current/latest batch. */
  async exportBatch(batchNumber?: number): Promise<PayTraceBatch> {
    const path = '/v1/batches/export_one';
    const envelope = await this.post(path, batchNumber === undefined ? {} : { batch_number: batchNumber });
    return this.readBatch(path, envelope.batch);
  }

  async batchTransactions(batchNumber: number): Promise<ExportResult> {
    const path = '/v1/batches/transaction_list';
    const envelope = await this.post(path, { batch_number: batchNumber });
    const sink = { transactions: [] as PayTraceTransaction[], malformed: [] as MalformedRow[] };
    this.readRows(path, envelope, sink);
    return sink;
  }

  // ---- actions ---------------------------------------------------------

  private actionResult(path: string, envelope: Envelope): PayTraceActionResult {
    const transactionId = positiveId(envelope.transaction_id);
    if (transactionId === null) throw new PayTraceError('malformed', `PayTrace's reply to ${path} has no usable transaction_id.`, { path });
    return { transactionId, responseCode: envelope.response_code, statusMessage: envelope.status_message };
  }

  /** Voids an unsettled transaction (PayTrace answers 818 once it is settled). */
  async voidTransaction(transactionId: number): Promise<PayTraceActionResult> {
    const path = '/v1/transactions/void';
    return this.actionResult(path, await this.post(path, { transaction_id: transactionId }));
  }

  /** Refunds a settled transaction, fully or partly; returns the refund's own new transaction id. */
  async refundTransaction(transactionId: number, amountCents?: Cents | number): Promise<PayTraceActionResult> {
    const path = '/v1/transactions/refund/for_transaction';
    const body: Record<string, unknown> = { transaction_id: transactionId };
    if (amountCents !== undefined) {
      if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw new PayTraceError('config', `A refund amount must be a positive number of cents (got ${amountCents}).`);
      body.amount = centsToDecimalString(amountCents);
    }
    return this.actionResult(path, await this.post(path, body));
  }

  /** Forces settlement of the open batch. Sandbox/testing only (reference §4). */
  async settle(): Promise<Readonly<{ batchNumber: number | null; statusMessage: string }>> {
    const envelope = await this.post('/v1/transactions/settle', {});
    return { batchNumber: optionalInt(envelope.batch_number), statusMessage: envelope.status_message };
  }

  // ---- connection test -------------------------------------------------

  async testConnection(): Promise<PayTraceConnectionTest> {
    const checks: ConnectionCheck[] = [];
    const integratorOk = this.options.integratorId.trim().length > 0;
    checks.push({
      name: 'Integrator id',
      ok: integratorOk,
      detail: integratorOk ? 'Set.' : 'Missing: PayTrace issues one with API access; every v1 request carries it.',
    });
    this.token = null;
    try {
      await this.accessToken();
      checks.push({ name: 'Sign in', ok: true, detail: 'PayTrace accepted the API user and issued an access token.' });
    } catch (e) {
      checks.push({ name: 'Sign in', ok: false, detail: e instanceof PayTraceError ? e.message : 'Unexpected error while signing in.' });
      return { ok: false, summary: checks.at(-1)!.detail, checks };
    }
    try {
      const today = DateTime.now().setZone(this.zone).toISODate()!;
      const result = await this.exportByDateRange({ startDate: today, endDate: today });
      const extra = result.malformed.length > 0 ? `, ${result.malformed.length} unreadable` : '';
      checks.push({ name: 'Read transactions', ok: true, detail: `Exported today's transactions: ${result.transactions.length} rows${extra}.` });
    } catch (e) {
      checks.push({ name: 'Read transactions', ok: false, detail: e instanceof PayTraceError ? e.message : 'Unexpected error while exporting.' });
    }
    const ok = checks.every((c) => c.ok);
    const summary = ok ? 'Connected to PayTrace.' : (checks.find((c) => !c.ok)?.detail ?? 'PayTrace connection failed.');
    return { ok, summary, checks };
  }
}
