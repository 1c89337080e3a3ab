import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
  ErpDiscoveryFact,
  ListInvoicesOptions,
  ReceiptRecord,
  ReceiptRequest,
} from '../connector';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import type { ErpConnectionConfig } from '../kind-module';
import { HttpTransportError, parseJsonOutcome, parseJsonReply, sendHttp, statusError, transportToErpError, type HttpReply, type StatusWording } from '../http-transport';
import { buildLockboxFile, lockboxFileName } from './lockbox-file';
import { parseEclipseOptions, type EclipseOptions } from './options';
import { creditMemoBody, parsePage, receiptBody, toCreditMemoRecord, toCustomer, toOpenInvoices, toReceiptRecord } from './records';
import { checkCreditMemoRequest, checkReceiptRequest } from '../request-checks';
import { dropFileOnce } from '../file-drop';
import { confirmReceiptBooked } from '../read-back';
import { discoverEclipse } from './discovery';

// Epicor Eclipse over its REST API (docs/erp/eclipse.md): POST /Sessions
// gives a sessionToken sent on every call; lists page with
// startIndex/pageSize. Public clients treat HTTP 419 as a session timeout and
// refresh the session with its refreshToken; a 401/440 (an invalid session)
// signs in again. A receipt counts as posted only when Eclipse's own read-back
// (GET on the cash-receipt resource by reference) shows it line for line.

export type EclipseSession = Readonly<{ id: string; token: string; refreshToken: string; userName: string; expiresInSeconds: number | null }>;

type CallOptions = Readonly<{
  what: string;
  isWrite?: boolean;
  query?: Record<string, string>;
  body?: unknown;
  /** A write answered 419 is not re-sent blindly: the caller looks it up first (whether Eclipse did the work before timing the session out is unconfirmed). */
  lookUpBeforeResend?: boolean;
}>;

/** Session timeout: refresh, then retry once. */
const SESSION_TIMEOUT = 419;
/** Invalid session: sign in again, then retry once. */
const SESSION_INVALID = new Set([401, 440]);

const ECLIPSE_WORDING: StatusWording = {
  erp: 'Eclipse',
  authStatuses: new Set([...SESSION_INVALID, SESSION_TIMEOUT]),
  authMessage: 'Eclipse rejected the session again after refreshing it or signing in anew',
  notFoundHint: 'check the resource path setting against {host}:5000/swagger',
};

/** Thrown by call() for a write answered 419 with lookUpBeforeResend: the session is fresh, the outcome is not known. */
class WriteSessionTimedOut extends Error {}

/** Eclipse's error text: {message} (read by public clients), or an ASP.NET problem body {title, errors:{field:[text]}}. */
export function erpMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['message', 'errorMessage', 'error', 'detail', 'title']) if (typeof o[k] === 'string' && o[k] !== '') parts.push(o[k] as string);
  if (Array.isArray(o.errors)) parts.push(o.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; '));
  else if (typeof o.errors === 'object' && o.errors !== null) {
    for (const [field, texts] of Object.entries(o.errors as Record<string, unknown>)) {
      const list = Array.isArray(texts) ? texts.filter((t): t is string => typeof t === 'string') : typeof texts === 'string' ? [texts] : [];
      if (list.length > 0) parts.push(`${field}: ${list.join('; ')}`);
    }
  }
  return parts.length > 0 ? parts.join(' — ') : undefined;
}

export class EclipseConnector implements ErpConnector {
  readonly kind = 'eclipse' as const;
  readonly capabilities: ErpCapabilities;
  private readonly options: EclipseOptions;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private session: EclipseSession | null = null;
  private loggingIn: Promise<EclipseSession> | null = null;

  constructor(private readonly config: ErpConnectionConfig) {
    this.options = parseEclipseOptions(config.options);
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? 30_000;
    this.capabilities = {
      postReceipts: this.options.postingMode === 'api' ? 'api' : 'file',
      creditMemos: 'api',
      receiptLookup: true,
      reverseReceipt: false,
      // Discounts: an application field (API) or the lock-box discount column; credits: negative applications.
      // Discounts only: Eclipse takes no other write-off reason from Tieout.
      writeOffs: false,
      discounts: this.options.postingMode === 'lockbox-file' || this.options.discountField !== '',
      applyCredits: this.options.creditApplication === 'negative-line',
    };
  }

  // ---- session -------------------------------------------------------------

  private async login(): Promise<EclipseSession> {
    const body = JSON.stringify({ username: this.config.credentials.username, password: this.config.credentials.password, loginType: this.options.loginType });
    let reply: HttpReply;
    try {
      reply = await sendHttp({ method: 'POST', url: `${this.baseUrl}/Sessions`, headers: { accept: 'application/json', 'content-type': 'application/json' }, body, timeoutMs: this.timeoutMs });
    } catch (e) {
      // Signing in commits nothing, so a lost login reply is only transient.
      if (e instanceof HttpTransportError) throw transportToErpError(e, 'Eclipse sign-in', false);
      throw e;
    }
    if (reply.status === 401 || reply.status === 403) {
      throw new ErpError('auth', `Eclipse refused the sign-in for user "${this.config.credentials.username}"`, { erpMessage: erpMessageOf(safeJson(reply.text)) });
    }
    this.throwForStatus(reply, 'Eclipse sign-in', false);
    const parsed = parseJsonReply(reply, 'Eclipse sign-in') as Record<string, unknown> | null;
    const token = parsed?.sessionToken;
    if (typeof token !== 'string' || token === '') throw new ErpError('malformed', 'Eclipse sign-in: the reply has no sessionToken');
    const user = (parsed?.sessionUser ?? {}) as Record<string, unknown>;
    return sessionOf(parsed ?? {}, token, typeof user.userName === 'string' ? user.userName : this.config.credentials.username);
  }

  /**
   * After a 419: POST the refresh route with the session's refreshToken; a
   * refresh that fails in any way (no route, refused, no token) signs in anew,
   * which a session timeout never makes unsafe.
   */
  private async refresh(old: EclipseSession): Promise<EclipseSession> {
    if (old.refreshToken !== '' || old.id !== '') {
      const reply = await sendHttp({
        method: 'POST',
        url: `${this.baseUrl}${this.options.sessionRefreshPath}`,
        headers: { ...this.headersFor(old), accept: 'application/json', 'content-type': 'application/json' },
        // A public client sends {sessionId}, another {refreshToken}: both are sent.
        body: JSON.stringify({ sessionId: old.id, refreshToken: old.refreshToken }),
        timeoutMs: this.timeoutMs,
      }).catch(() => null);
      const parsed = reply && reply.status >= 200 && reply.status < 300 ? (safeJson(reply.text) as Record<string, unknown> | undefined) : undefined;
      const token = refreshedToken(parsed);
      if (parsed && token) {
        const next = sessionOf({ id: old.id, refreshToken: old.refreshToken, ...parsed }, token, old.userName);
        if (this.session === old) this.session = next;
        return next;
      }
    }
    if (this.session === old) this.session = null;
    return this.ensureSession();
  }

  private headersFor(session: EclipseSession): Record<string, string> {
    // Both forms public clients send: the sessionToken header and "Authorization: SessionToken <token>".
    return { sessionToken: session.token, authorization: `SessionToken ${session.token}` };
  }

  private async ensureSession(): Promise<EclipseSession> {
    if (this.session) return this.session;
    // One sign-in at a time, even when pages and look-ups run concurrently.
    this.loggingIn ??= this.login().finally(() => {
      this.loggingIn = null;
    });
    this.session = await this.loggingIn;
    return this.session;
  }

  // ---- calls ---------------------------------------------------------------

  private async call(method: string, path: string, o: CallOptions): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.ensureSession();
      const qs = o.query ? `?${new URLSearchParams(o.query).toString()}` : '';
      let reply: HttpReply;
      try {
        reply = await sendHttp({
          method,
          url: `${this.baseUrl}${path}${qs}`,
          headers: { accept: 'application/json', 'content-type': 'application/json', ...this.headersFor(session) },
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
          timeoutMs: this.timeoutMs,
        });
      } catch (e) {
        if (e instanceof HttpTransportError) throw transportToErpError(e, o.what, o.isWrite ?? false);
        throw e;
      }
      if (reply.status === SESSION_TIMEOUT && attempt === 0) {
        await this.refresh(session);
        if (o.isWrite) {
          // Never a blind re-send: the caller looks the write up first, or the outcome stays unknown.
          if (o.lookUpBeforeResend) throw new WriteSessionTimedOut();
          throw new ErpError('unknown_outcome', `${o.what}: Eclipse timed the session out (419) on the write; look it up before any retry`);
        }
        continue;
      }
      if (SESSION_INVALID.has(reply.status) && attempt === 0) {
        // An invalid session is refused before any work, so retrying a write is safe.
        if (this.session === session) this.session = null;
        continue;
      }
      this.throwForStatus(reply, o.what, o.isWrite ?? false);
      return parseJsonOutcome(reply, o.what, o.isWrite ?? false);
    }
  }

  private throwForStatus(reply: HttpReply, what: string, isWrite: boolean): void {
    const error = statusError(reply, what, isWrite, erpMessageOf(safeJson(reply.text)), ECLIPSE_WORDING);
    if (error) throw error;
  }

  private async *pages(path: string, what: string, extra: Record<string, string> = {}, pageSize = this.options.pageSize): AsyncGenerator<readonly unknown[]> {
    let startIndex = 0;
    for (;;) {
      const body = await this.call('GET', path, { what, query: { includeTotalItems: 'true', ...extra, startIndex: String(startIndex), pageSize: String(pageSize) } });
      const page = parsePage(body, what);
      if (page.results.length === 0) return;
      yield page.results;
      startIndex += page.results.length;
      // Without a count, a short page is the last one.
      if (page.totalItems === null ? page.results.length < pageSize : startIndex >= page.totalItems) return;
    }
  }

  // ---- reads ---------------------------------------------------------------

  async testConnection(): Promise<ConnectionDiagnosis> {
    const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
    const fail = (e: unknown, name: string): ConnectionDiagnosis => {
      const detail = isErpError(e) ? e.message : 'unexpected error';
      checks.push({ name, ok: false, detail });
      const summary =
        isErpError(e) && e.kind === 'auth'
          ? `Eclipse refused the user name or password for "${this.config.credentials.username}".`
          : isErpError(e) && e.kind === 'transient'
            ? `Cannot reach Eclipse at ${this.baseUrl}: ${detail}`
            : `${name} failed: ${detail}`;
      return { ok: false, summary, checks };
    };
    let session: EclipseSession;
    try {
      this.session = null;
      session = await this.ensureSession();
      checks.push({ name: 'sign-in', ok: true, detail: `Signed in as ${session.userName}` });
    } catch (e) {
      return fail(e, 'sign-in');
    }
    const count = async (name: string, path: string): Promise<number | ConnectionDiagnosis> => {
      try {
        const query = { ...(path === this.options.openInvoicesPath ? this.options.openInvoicesQuery : {}), includeTotalItems: 'true', startIndex: '0', pageSize: '1' };
        const page = parsePage(await this.call('GET', path, { what: name, query }), name);
        checks.push({ name, ok: true, detail: `${page.totalItems ?? 'an uncounted number of'} items readable at ${path}` });
        return page.totalItems ?? page.results.length;
      } catch (e) {
        return fail(e, name);
      }
    };
    const customers = await count('customers', this.options.customersPath);
    if (typeof customers !== 'number') return customers;
    // A count of sales orders (each may hold several invoice generations, settled ones too), not of open invoices.
    const invoices = await count('invoiced sales orders', this.options.openInvoicesPath);
    if (typeof invoices !== 'number') return invoices;
    const receipts = await count('cash receipts look-up', this.options.cashReceiptsPath);
    if (typeof receipts !== 'number') return receipts;
    if (this.options.postingMode === 'lockbox-file') {
      const ok = existsSync(this.options.lockboxFolder);
      checks.push({ name: 'lock-box folder', ok, detail: ok ? `Drop folder ${this.options.lockboxFolder} exists` : `Drop folder ${this.options.lockboxFolder} does not exist` });
      if (!ok) return { ok: false, summary: `The lock-box drop folder ${this.options.lockboxFolder} does not exist.`, checks };
    }
    return {
      ok: true,
      summary: `Signed in as ${session.userName}; ${invoices.toLocaleString('en-US')} invoiced sales orders and ${customers.toLocaleString('en-US')} customers readable; posting by ${this.options.postingMode === 'api' ? 'API' : 'lock-box file'}.`,
      checks,
    };
  }

  async *listCustomers(): AsyncIterable<readonly Customer[]> {
    for await (const rows of this.pages(this.options.customersPath, 'Eclipse customers')) yield rows.map(toCustomer);
  }

  async *listOpenInvoices(options: ListInvoicesOptions = {}): AsyncIterable<readonly OpenInvoice[]> {
    for await (const rows of this.pages(this.options.openInvoicesPath, 'Eclipse open invoices', this.options.openInvoicesQuery, options.pageSize ?? this.options.pageSize)) {
      // Server-side filters for open generations and dates are unconfirmed, so both are applied here.
      const page = rows.flatMap((r) => toOpenInvoices(r, this.options.termsField, this.options.invoiceCustomerField)).filter((i) => i.openBalanceCents !== 0 && (!options.since || i.invoiceDate >= options.since));
      if (page.length > 0) yield page;
    }
  }

  private async findBy<T extends { reference: string }>(path: string, reference: string, what: string, map: (v: unknown) => T): Promise<T | null> {
    // The server filter is unconfirmed; matching again here keeps the look-up
    // right even if Eclipse ignores the query parameter.
    for await (const rows of this.pages(path, what, { [this.options.referenceField]: reference })) {
      for (const row of rows) {
        const rec = map(row);
        if (rec.reference === reference) return rec;
      }
    }
    return null;
  }

  async findReceipt(reference: string): Promise<ReceiptRecord | null> {
    try {
      return await this.findBy(this.options.cashReceiptsPath, reference, 'Eclipse cash receipt look-up', (v) => toReceiptRecord(v, this.options.referenceField));
    } catch (e) {
      throw receiptServiceMissing(e, this.options.cashReceiptsPath);
    }
  }

  findCreditMemo(reference: string): Promise<CreditMemoRecord | null> {
    return this.findBy(this.options.creditMemosPath, reference, 'Eclipse credit memo look-up', (v) => toCreditMemoRecord(v, this.options.referenceField));
  }

  // ---- writes --------------------------------------------------------------

  async postReceipt(receipt: ReceiptRequest): Promise<ReceiptRecord> {
    const discounts = checkReceiptRequest(receipt, this.options.referenceMaxLength, {
      erp: 'Eclipse',
      credits: this.capabilities.applyCredits === true,
      discounts: this.capabilities.discounts === true,
    });
    await refuseIfAlreadyPosted(() => this.findReceipt(receipt.reference), (existing) => `Eclipse already holds cash receipt ${existing.erpDocumentId} for PayTrace ${receipt.reference}`);
    if (this.options.postingMode === 'lockbox-file') return this.postByLockbox(receipt, discounts);
    const what = `Eclipse cash receipt for PayTrace ${receipt.reference}`;
    const send = () =>
      this.call('POST', this.options.cashReceiptsPath, {
        what,
        isWrite: true,
        lookUpBeforeResend: true,
        body: receiptBody(receipt, this.options.referenceField, discounts, this.options.discountField),
      });
    try {
      await send();
    } catch (e) {
      if (!(e instanceof WriteSessionTimedOut)) throw receiptServiceMissing(e, this.options.cashReceiptsPath);
      // Answered 419: the session is fresh now; send again only if Eclipse shows nothing for the reference.
      const found = await this.findReceipt(receipt.reference);
      if (found) return confirmReceiptBooked(receipt, found, 'Eclipse');
      await send().catch((again: unknown) => {
        throw again instanceof WriteSessionTimedOut ? new ErpError('unknown_outcome', `${what}: Eclipse timed the session out twice; look it up before any retry`) : again;
      });
    }
    // The POST's own reply is not evidence (an upload or an API can acknowledge and book nothing): only the read-back is.
    return confirmReceiptBooked(receipt, await this.readBack(receipt.reference, what), 'Eclipse');
  }

  /** The read-back after a write: a look-up that fails is no answer, so the outcome stays unknown. */
  private async readBack(reference: string, what: string): Promise<ReceiptRecord | null> {
    try {
      return await this.findReceipt(reference);
    } catch (e) {
      if (isErpError(e) && (e.kind === 'partial' || e.kind === 'config')) throw e;
      throw new ErpError('unknown_outcome', `${what}: sent, but the read-back failed (${isErpError(e) ? e.message : 'unexpected error'}); Tieout looks it up before anything is re-sent`);
    }
  }

  /**
   * Lock-box mode. Eclipse's help describes lock-box/EFT cash receipts as an
   * upload a person runs, matched on bank account and ABA number and created
   * in batches for review; a card payment carries neither, so no timed wait
   * can confirm it. The file is written once per reference; the receipt counts
   * as posted only when the read-back shows it; until then the payment waits
   * as unknown_outcome and every later attempt starts with the look-up.
   */
  private async postByLockbox(receipt: ReceiptRequest, discounts: ReadonlyMap<string, Cents>): Promise<ReceiptRecord> {
    const { lockboxFolder: folder, lockboxLayout: layout } = this.options;
    const fileName = lockboxFileName(receipt.reference, layout);
    const what = `The cash receipt for PayTrace ${receipt.reference}`;
    const rejected = join(folder, 'rejected', fileName);
    if (existsSync(rejected)) {
      const reason = (await readFile(`${rejected}.err`, 'utf8').catch(() => 'no reason given')).trim();
      throw new ErpError('validation', `Eclipse rejected the lock-box file ${fileName}: ${reason}`, { erpMessage: reason });
    }
    const taken = existsSync(join(folder, 'processed', fileName));
    if (!taken) await dropFileOnce({ folder, fileName, content: () => buildLockboxFile(receipt, layout, discounts) });
    const found = await this.readBack(receipt.reference, what);
    if (found) return confirmReceiptBooked(receipt, found, 'Eclipse');
    throw new ErpError(
      'unknown_outcome',
      taken
        ? `${what}: Eclipse took the lock-box file ${fileName} but shows no applied cash for it; check the batch in Eclipse's cash receipts review. Nothing is written again.`
        : `${what} is in the lock-box file ${join(folder, fileName)}: run the lock-box upload in Eclipse (Cash Receipts) and review the batch. Tieout shows it posted once Eclipse's read-back shows the applied cash; nothing is written again.`,
    );
  }

  /** Read-only facts for `tieout erp check`: the session behaviour, the API version and paths that answer, the invoice shape (field names only). */
  async discover(): Promise<readonly ErpDiscoveryFact[]> {
    return discoverEclipse({
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      options: this.options,
      signIn: async () => {
        this.session = null;
        return this.ensureSession();
      },
      headersFor: (s) => this.headersFor(s),
    });
  }

  async postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord> {
    checkCreditMemoRequest(memo, this.options.referenceMaxLength);
    await refuseIfAlreadyPosted(() => this.findCreditMemo(memo.reference), (existing) => `Eclipse already holds credit memo ${existing.erpDocumentId} for PayTrace ${memo.reference}`);
    const what = `Eclipse credit memo for PayTrace ${memo.reference}`;
    const send = () => this.call('POST', this.options.creditMemosPath, { what, isWrite: true, lookUpBeforeResend: true, body: creditMemoBody(memo, this.options.referenceField) });
    try {
      await send();
    } catch (e) {
      if (!(e instanceof WriteSessionTimedOut)) throw e;
      const found = await this.findCreditMemo(memo.reference);
      if (found) return found;
      await send().catch((again: unknown) => {
        throw again instanceof WriteSessionTimedOut ? new ErpError('unknown_outcome', `${what}: Eclipse timed the session out twice; look it up before any retry`) : again;
      });
    }
    // As for receipts, Eclipse's read-back is the evidence, not the POST's reply.
    const found = await this.findCreditMemo(memo.reference).catch((e: unknown) => {
      throw new ErpError('unknown_outcome', `${what}: sent, but the read-back failed (${isErpError(e) ? e.message : 'unexpected error'}); look it up before any retry`);
    });
    if (!found) throw new ErpError('unknown_outcome', `${what}: Eclipse accepted it but its read-back does not show it; look it up before any retry`);
    return found;
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (!s || !s.id) return;
    // Signing out is a courtesy; a failure changes nothing for the caller.
    await sendHttp({ method: 'DELETE', url: `${this.baseUrl}/Sessions/${encodeURIComponent(s.id)}`, headers: { sessionToken: s.token }, timeoutMs: Math.min(this.timeoutMs, 5_000) }).catch(() => undefined);
  }
}

/** The new token of a refresh reply: sessionToken, or SessionToken as one public client reads it. */
function refreshedToken(reply: Record<string, unknown> | undefined): string | null {
  for (const k of ['sessionToken', 'SessionToken']) if (typeof reply?.[k] === 'string' && reply[k] !== '') return reply[k] as string;
  return null;
}

function sessionOf(reply: Record<string, unknown>, token: string, userName: string): EclipseSession {
  const expires = reply.expiresIn;
  return {
    id: String(reply.id ?? ''),
    token,
    refreshToken: typeof reply.refreshToken === 'string' ? reply.refreshToken : '',
    userName,
    expiresInSeconds: typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : null,
  };
}

/** A 404 from the cash-receipt resource: the resource is absent on this Eclipse (not licensed, or another path), a setting to fix, not a missing receipt. */
function receiptServiceMissing(e: unknown, path: string): unknown {
  if (isErpError(e) && e.kind === 'not_found') {
    return new ErpError('config', `Eclipse has no cash-receipt resource at ${path} (HTTP 404); check the cashReceiptsPath setting in {host}:5000/swagger, or post by lock-box file`, e.erpMessage === undefined ? {} : { erpMessage: e.erpMessage });
  }
  return e;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
