import { existsSync } from 'node:fs';
import type { Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
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
import { creditMemoBody, parsePage, receiptBody, toCreditMemoRecord, toCustomer, toOpenInvoice, toReceiptRecord } from './records';
import { checkCreditMemoRequest, checkReceiptRequest } from '../request-checks';
import { awaitImported, dropFileOnce } from '../file-drop';

// Epicor Eclipse over its REST API (reference §2): POST /Sessions gives a
// sessionToken sent as a header on every call; lists page with
// startIndex/pageSize. The invalid-session status is unconfirmed (the sample
// client re-logs in on any failure), so a 401 or 440 triggers one re-login.

type Session = Readonly<{ id: string; token: string; userName: string }>;

type CallOptions = Readonly<{ what: string; isWrite?: boolean; query?: Record<string, string>; body?: unknown }>;

const SESSION_INVALID = new Set([401, 440]);

const ECLIPSE_WORDING: StatusWording = {
  erp: 'Eclipse',
  authStatuses: SESSION_INVALID,
  authMessage: 'Eclipse rejected the session again after signing in anew',
  notFoundHint: 'check the resource path setting against {host}:5000/swagger',
};

function erpMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  for (const k of ['message', 'errorMessage', 'error', 'title']) if (typeof o[k] === 'string') return o[k] as string;
  if (Array.isArray(o.errors)) return o.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
  return undefined;
}

export class EclipseConnector implements ErpConnector {
  readonly kind = 'eclipse' as const;
  readonly capabilities: ErpCapabilities;
  private readonly options: EclipseOptions;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private session: Session | null = null;
  private loggingIn: Promise<Session> | null = null;

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

  private async login(): Promise<Session> {
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
    return { id: String(parsed?.id ?? ''), token, userName: typeof user.userName === 'string' ? user.userName : this.config.credentials.username };
  }

  private async ensureSession(): Promise<Session> {
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
          headers: { accept: 'application/json', 'content-type': 'application/json', sessionToken: session.token },
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
          timeoutMs: this.timeoutMs,
        });
      } catch (e) {
        if (e instanceof HttpTransportError) throw transportToErpError(e, o.what, o.isWrite ?? false);
        throw e;
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
      const body = await this.call('GET', path, { what, query: { ...extra, startIndex: String(startIndex), pageSize: String(pageSize) } });
      const page = parsePage(body, what);
      if (page.results.length === 0) return;
      yield page.results;
      startIndex += page.results.length;
      if (startIndex >= page.totalItems) return;
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
    let session: Session;
    try {
      this.session = null;
      session = await this.ensureSession();
      checks.push({ name: 'sign-in', ok: true, detail: `Signed in as ${session.userName}` });
    } catch (e) {
      return fail(e, 'sign-in');
    }
    const count = async (name: string, path: string): Promise<number | ConnectionDiagnosis> => {
      try {
        const page = parsePage(await this.call('GET', path, { what: name, query: { startIndex: '0', pageSize: '1' } }), name);
        checks.push({ name, ok: true, detail: `${page.totalItems} readable at ${path}` });
        return page.totalItems;
      } catch (e) {
        return fail(e, name);
      }
    };
    const customers = await count('customers', this.options.customersPath);
    if (typeof customers !== 'number') return customers;
    const invoices = await count('open invoices', this.options.openInvoicesPath);
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
      summary: `Signed in as ${session.userName}; ${invoices.toLocaleString('en-US')} open invoices and ${customers.toLocaleString('en-US')} customers readable; posting by ${this.options.postingMode === 'api' ? 'API' : 'lock-box file'}.`,
      checks,
    };
  }

  async *listCustomers(): AsyncIterable<readonly Customer[]> {
    for await (const rows of this.pages(this.options.customersPath, 'Eclipse customers')) yield rows.map(toCustomer);
  }

  async *listOpenInvoices(options: ListInvoicesOptions = {}): AsyncIterable<readonly OpenInvoice[]> {
    for await (const rows of this.pages(this.options.openInvoicesPath, 'Eclipse open invoices', {}, options.pageSize ?? this.options.pageSize)) {
      // The server-side date filter is unconfirmed, so `since` is applied here.
      const page = rows.map((r) => toOpenInvoice(r, this.options.termsField)).filter((i) => i.openBalanceCents !== 0 && (!options.since || i.invoiceDate >= options.since));
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

  findReceipt(reference: string): Promise<ReceiptRecord | null> {
    return this.findBy(this.options.cashReceiptsPath, reference, 'Eclipse cash receipt look-up', (v) => toReceiptRecord(v, this.options.referenceField));
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
    const body = await this.call('POST', this.options.cashReceiptsPath, { what, isWrite: true, body: receiptBody(receipt, this.options.referenceField, discounts, this.options.discountField) });
    try {
      return toReceiptRecord(body, this.options.referenceField);
    } catch {
      throw new ErpError('unknown_outcome', `${what}: Eclipse answered but the reply does not describe a receipt; look it up before any retry`);
    }
  }

  private async postByLockbox(receipt: ReceiptRequest, discounts: ReadonlyMap<string, Cents>): Promise<ReceiptRecord> {
    const { lockboxFolder: folder, lockboxLayout: layout } = this.options;
    const fileName = lockboxFileName(receipt.reference, layout);
    await dropFileOnce({ folder, fileName, content: () => buildLockboxFile(receipt, layout, discounts) });
    return awaitImported({
      folder,
      fileName,
      what: `the cash receipt for PayTrace ${receipt.reference}`,
      find: () => this.findReceipt(receipt.reference),
      timeoutMs: this.options.lockboxConfirmTimeoutMs,
      pollMs: this.options.lockboxPollIntervalMs,
    });
  }

  async postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord> {
    checkCreditMemoRequest(memo, this.options.referenceMaxLength);
    await refuseIfAlreadyPosted(() => this.findCreditMemo(memo.reference), (existing) => `Eclipse already holds credit memo ${existing.erpDocumentId} for PayTrace ${memo.reference}`);
    const what = `Eclipse credit memo for PayTrace ${memo.reference}`;
    const body = await this.call('POST', this.options.creditMemosPath, { what, isWrite: true, body: creditMemoBody(memo, this.options.referenceField) });
    try {
      return toCreditMemoRecord(body, this.options.referenceField);
    } catch {
      throw new ErpError('unknown_outcome', `${what}: the reply does not describe a credit memo; look it up before any retry`);
    }
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (!s || !s.id) return;
    // Signing out is a courtesy; a failure changes nothing for the caller.
    await sendHttp({ method: 'DELETE', url: `${this.baseUrl}/Sessions/${encodeURIComponent(s.id)}`, headers: { sessionToken: s.token }, timeoutMs: Math.min(this.timeoutMs, 5_000) }).catch(() => undefined);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
