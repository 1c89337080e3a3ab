import { existsSync } from 'node:fs';
import { centsToDecimalString, type Cents } from '@shared/money';
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
import { termsFromParts } from '../terms';
import { systemClock } from '../../clock';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import type { ErpConnectionConfig } from '../kind-module';
import { awaitImported, dropFileOnce } from '../file-drop';
import { HttpTransportError, parseJsonOutcome, parseJsonReply, sendHttp, statusError, transportToErpError, type HttpReply, type StatusWording } from '../http-transport';
import { checkCreditMemoRequest, checkReceiptRequest } from '../request-checks';
import { buildMt940, mt940FileName } from './mt940';
import { ABAS_MEDIA_TYPE, amountOf, compactDate, isoDate, need, parseLinks, parseObjects, type AbasObject } from './objects';
import { parseAbasOptions, type AbasOptions } from './options';

// abas ERP over the "mw" REST middleware (reference §5). Reads query
// obj/data/{db}:{group}; writes go through the editor (working set) flow:
// commands/NEW → SetFieldValue/InsertRow actions → Commit → CLOSE, and CANCEL
// on any error before the commit. Only the Commit can commit, so only a lost
// Commit reply is an unknown outcome.

type Action = Readonly<Record<string, string>>;
type CallOptions = Readonly<{ what: string; isWrite?: boolean; query?: Record<string, string>; body?: unknown }>;
type Called = Readonly<{ reply: HttpReply; body: unknown }>;

const CLOSE = 'urn:abas:rel:workingSet:CLOSE';
const CANCEL = 'urn:abas:rel:workingSet:CANCEL';

const ABAS_WORDING: StatusWording = {
  erp: 'abas',
  authStatuses: new Set([401]),
  authMessage: 'abas refused the credentials',
  notFoundHint: 'check the tenant and database:group settings',
};

function erpMessageOf(text: string): string | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    for (const k of ['errorMessage', 'message', 'error_description', 'error']) if (typeof o[k] === 'string') return o[k] as string;
  } catch {
    /* not JSON: no ERP message to keep */
  }
  return undefined;
}

export class AbasConnector implements ErpConnector {
  readonly kind = 'abas' as const;
  readonly capabilities: ErpCapabilities;
  private readonly o: AbasOptions;
  private readonly baseUrl: string;
  private readonly apiRoot: string;
  private readonly timeoutMs: number;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly config: ErpConnectionConfig) {
    this.o = parseAbasOptions(config.options);
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.apiRoot = `${this.baseUrl}/mw/r/${this.o.tenant}`;
    this.timeoutMs = config.timeoutMs ?? 30_000;
    const editor = this.o.postingMode === 'api';
    this.capabilities = {
      postReceipts: editor ? 'api' : 'file',
      creditMemos: 'api',
      receiptLookup: true,
      reverseReceipt: false,
      // The editor takes a Skonto and negative (credit) rows; an MT940 statement line carries neither.
      // Discounts (Skonto) only: abas takes no other write-off reason from Tieout.
      writeOffs: false,
      discounts: editor && this.o.rowDiscount !== '',
      applyCredits: editor && this.o.creditApplication === 'negative-row',
    };
  }

  // ---- auth ----------------------------------------------------------------

  private async authorization(): Promise<string> {
    if (this.o.authMode === 'basic') {
      return `Basic ${Buffer.from(`${this.o.basicUser}:${this.config.credentials.password}`).toString('base64')}`;
    }
    if (!this.token || (this.config.clock ?? systemClock).now() >= this.token.expiresAt) this.token = await this.fetchToken();
    return `Bearer ${this.token.value}`;
  }

  private async fetchToken(): Promise<{ value: string; expiresAt: number }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.config.credentials.username, client_secret: this.config.credentials.password });
    if (this.o.oauthScope) form.set('scope', this.o.oauthScope);
    let reply: HttpReply;
    try {
      reply = await sendHttp({ method: 'POST', url: this.o.tokenUrl, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(), timeoutMs: this.timeoutMs });
    } catch (e) {
      if (e instanceof HttpTransportError) throw transportToErpError(e, 'abas token request', false);
      throw e;
    }
    if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
      const erpMessage = erpMessageOf(reply.text);
      throw new ErpError('auth', `The token endpoint refused client "${this.config.credentials.username}"`, erpMessage === undefined ? {} : { erpMessage });
    }
    this.throwForStatus(reply, 'abas token request', false);
    const body = parseJsonReply(reply, 'abas token request') as Record<string, unknown> | null;
    const value = body?.access_token;
    if (typeof value !== 'string' || !value) throw new ErpError('malformed', 'abas token request: the reply has no access_token');
    const expiresIn = Number(body?.expires_in ?? 300);
    // Renew a little early so a token never dies between check and use.
    return { value, expiresAt: (this.config.clock ?? systemClock).now() + Math.max(5, (Number.isFinite(expiresIn) ? expiresIn : 300) - 30) * 1000 };
  }

  // ---- calls ---------------------------------------------------------------

  private url(pathOrHref: string): string {
    if (/^https?:\/\//.test(pathOrHref)) return pathOrHref;
    if (pathOrHref.startsWith('/')) return `${this.baseUrl}${pathOrHref}`;
    return `${this.apiRoot}/${pathOrHref}`;
  }

  private async call(method: string, pathOrHref: string, c: CallOptions): Promise<Called> {
    for (let attempt = 0; ; attempt++) {
      const qs = c.query ? `?${new URLSearchParams(c.query).toString()}` : '';
      let reply: HttpReply;
      try {
        reply = await sendHttp({
          method,
          url: `${this.url(pathOrHref)}${qs}`,
          headers: { accept: ABAS_MEDIA_TYPE, 'content-type': ABAS_MEDIA_TYPE, 'accept-language': this.o.language, authorization: await this.authorization() },
          body: c.body === undefined ? undefined : JSON.stringify(c.body),
          timeoutMs: this.timeoutMs,
        });
      } catch (e) {
        if (e instanceof HttpTransportError) throw transportToErpError(e, c.what, c.isWrite ?? false);
        throw e;
      }
      if (reply.status === 401 && this.o.authMode === 'oauth2' && attempt === 0) {
        // An expired token is refused before any work: fetch a new one and repeat.
        this.token = null;
        continue;
      }
      this.throwForStatus(reply, c.what, c.isWrite ?? false);
      if (reply.text.trim() === '') return { reply, body: undefined };
      return { reply, body: parseJsonOutcome(reply, c.what, c.isWrite ?? false) };
    }
  }

  private throwForStatus(reply: HttpReply, what: string, isWrite: boolean): void {
    const error = statusError(reply, what, isWrite, erpMessageOf(reply.text), ABAS_WORDING);
    if (error) throw error;
  }

  private async *objects(dbGroup: string, what: string, q: Readonly<{ headFields: string[]; tableFields?: string[]; criteria?: string; pageSize?: number }>): AsyncGenerator<AbasObject[]> {
    const limit = q.pageSize ?? this.o.pageSize;
    let offset = 0;
    let previousFirst: string | null = null;
    for (;;) {
      const query: Record<string, string> = { headFields: q.headFields.join(','), limit: String(limit), [this.o.offsetParam]: String(offset) };
      if (q.criteria) query.criteria = q.criteria;
      if (q.tableFields) query.filterTableFields = q.tableFields.join(',');
      const { body } = await this.call('GET', `obj/data/${dbGroup}`, { what, query });
      const page = parseObjects(body, what);
      if (page.length === 0) return;
      const first = `${page[0]!.id}|${JSON.stringify(page[0]!.head)}`;
      if (offset > 0 && first === previousFirst) {
        throw new ErpError('config', `${what}: abas returned the same page again; it ignores the paging parameter "${this.o.offsetParam}" (setting offsetParam)`);
      }
      previousFirst = first;
      yield page;
      if (page.length < limit) return;
      offset += page.length;
    }
  }

  // ---- reads ---------------------------------------------------------------

  async testConnection(): Promise<ConnectionDiagnosis> {
    const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
    const who = this.o.authMode === 'oauth2' ? `client ${this.config.credentials.username}` : this.o.basicUser ? `user ${this.o.basicUser}` : 'empty user + abas password';
    const probe = async (name: string, run: () => Promise<unknown>, okDetail: string): Promise<ConnectionDiagnosis | null> => {
      try {
        await run();
        checks.push({ name, ok: true, detail: okDetail });
        return null;
      } catch (e) {
        const detail = isErpError(e) ? e.message : 'unexpected error';
        checks.push({ name, ok: false, detail });
        const summary =
          isErpError(e) && e.kind === 'auth'
            ? `abas refused the credentials (${who}) for tenant "${this.o.tenant}".`
            : isErpError(e) && e.kind === 'transient'
              ? `Cannot reach abas at ${this.baseUrl}: ${detail}`
              : `${name} failed: ${detail}`;
        return { ok: false, summary, checks };
      }
    };
    const first = (dbGroup: string, what: string, headFields: string[]) => async () => {
      for await (const page of this.objects(dbGroup, what, { headFields, pageSize: 1 })) return page;
      return [];
    };
    const steps: Array<[string, () => Promise<unknown>, string]> = [
      ['sign-in and customers', first(this.o.customersObject, 'abas customers', ['nummer', 'such', 'name']), `Customers readable in ${this.o.customersObject}`],
      ['open items', first(this.o.openItemsObject, 'abas open items', this.openItemFields()), `Open items readable in ${this.o.openItemsObject} with the configured field names`],
      ['payment look-up', first(this.o.paymentObject, 'abas payments', this.paymentFields()), `Payments readable in ${this.o.paymentObject} (idempotency look-up on ${this.o.pay.reference})`],
    ];
    for (const [name, run, detail] of steps) {
      const failed = await probe(name, run, detail);
      if (failed) return failed;
    }
    if (this.o.postingMode === 'mt940-file') {
      const ok = existsSync(this.o.mt940Folder);
      checks.push({ name: 'MT940 folder', ok, detail: ok ? `Import folder ${this.o.mt940Folder} exists` : `Import folder ${this.o.mt940Folder} does not exist` });
      if (!ok) return { ok: false, summary: `The MT940 import folder ${this.o.mt940Folder} does not exist.`, checks };
    }
    return {
      ok: true,
      summary: `Signed in to tenant "${this.o.tenant}" as ${who}; customers, open items and payments readable; posting by ${this.o.postingMode === 'api' ? 'the editor API' : 'MT940 statement file'}.`,
      checks,
    };
  }

  async *listCustomers(): AsyncIterable<readonly Customer[]> {
    for await (const page of this.objects(this.o.customersObject, 'abas customers', { headFields: ['nummer', 'such', 'name'] })) {
      yield page.map((c) => ({ customerId: need(c, 'nummer', 'abas customer'), name: c.head.name || c.head.such || '' }));
    }
  }

  private openItemFields(): string[] {
    const f = this.o.op;
    const t = this.o.opTerms;
    return [f.invoice, f.customer, f.date, f.due, f.amount, f.open, f.currency, f.po, t.percent, t.days, t.netDays].filter((x) => x !== '');
  }

  private paymentFields(): string[] {
    const p = this.o.pay;
    return [p.customer, p.amount, p.date, p.currency, p.reference];
  }

  async *listOpenInvoices(options: ListInvoicesOptions = {}): AsyncIterable<readonly OpenInvoice[]> {
    const f = this.o.op;
    const q = { headFields: this.openItemFields(), ...(this.o.openItemsCriteria ? { criteria: this.o.openItemsCriteria } : {}), ...(options.pageSize ? { pageSize: options.pageSize } : {}) };
    for await (const page of this.objects(this.o.openItemsObject, 'abas open items', q)) {
      const invoices = page.map((op): OpenInvoice => {
        const invoiceNo = need(op, f.invoice, 'abas open item');
        const what = `abas open item ${invoiceNo}`;
        const due = isoDate(op.head[f.due], f.due, what);
        const open = amountOf(op.head[f.open], f.open, what);
        const t = this.o.opTerms;
        // Only with both discount fields configured; a credit has nothing to discount.
        const terms = t.percent && t.days && open > 0
          ? termsFromParts({ rate: op.head[t.percent], discountDays: op.head[t.days], netDays: t.netDays ? op.head[t.netDays] : undefined })
          : null;
        return {
          invoiceNo,
          customerId: need(op, f.customer, what),
          invoiceDate: isoDate(need(op, f.date, what), f.date, what),
          dueDate: due || null,
          amountCents: amountOf(op.head[f.amount], f.amount, what),
          openBalanceCents: open,
          currency: op.head[f.currency] || 'USD',
          poNo: op.head[f.po] ?? '',
          ...(terms ? { terms } : {}),
        };
      });
      // The date filter's criteria syntax for this object is unconfirmed, so `since` is applied here.
      // Open credits (negative open amount: credit memos, payments on account) are open items too.
      const kept = invoices.filter((i) => i.openBalanceCents !== 0 && (!options.since || i.invoiceDate >= options.since));
      if (kept.length > 0) yield kept;
    }
  }

  private async findIn(dbGroup: string, reference: string, what: string): Promise<AbasObject | null> {
    const ref = this.o.pay.reference;
    // Matching again here keeps the look-up right if the criteria is looser than exact.
    for await (const page of this.objects(dbGroup, what, { headFields: this.paymentFields(), tableFields: [this.o.pay.rowInvoice, this.o.pay.rowAmount], criteria: `${ref}=${reference}!${reference}` })) {
      const hit = page.find((p) => p.head[ref] === reference);
      if (hit) return hit;
    }
    return null;
  }

  private toReceipt(p: AbasObject): ReceiptRecord {
    const f = this.o.pay;
    const what = `abas payment ${p.id}`;
    return {
      reference: need(p, f.reference, what),
      erpDocumentId: p.id,
      customerId: need(p, f.customer, what),
      amountCents: amountOf(p.head[f.amount], f.amount, what),
      date: isoDate(need(p, f.date, what), f.date, what),
      allocations: p.rows.filter((r) => r[f.rowInvoice]).map((r) => ({ invoiceNo: r[f.rowInvoice]!, amountCents: amountOf(r[f.rowAmount], f.rowAmount, what) })),
    };
  }

  private toCreditMemo(p: AbasObject): CreditMemoRecord {
    const r = this.toReceipt(p);
    return { reference: r.reference, erpDocumentId: r.erpDocumentId, customerId: r.customerId, amountCents: r.amountCents, date: r.date };
  }

  async findReceipt(reference: string): Promise<ReceiptRecord | null> {
    this.checkSelectable(reference);
    const hit = await this.findIn(this.o.paymentObject, reference, 'abas payment look-up');
    return hit ? this.toReceipt(hit) : null;
  }

  async findCreditMemo(reference: string): Promise<CreditMemoRecord | null> {
    this.checkSelectable(reference);
    const hit = await this.findIn(this.o.creditMemoObject, reference, 'abas credit memo look-up');
    return hit ? this.toCreditMemo(hit) : null;
  }

  /** `!` and `;` are abas selection syntax; a reference holding them cannot be looked up safely. */
  private checkSelectable(reference: string): void {
    if (/[!;=]/.test(reference)) throw new ErpError('validation', `The reference "${reference}" contains ! ; or =, which abas selections cannot match`);
  }

  // ---- writes --------------------------------------------------------------

  async postReceipt(receipt: ReceiptRequest): Promise<ReceiptRecord> {
    const discounts = checkReceiptRequest(receipt, this.o.referenceMaxLength, {
      erp: this.o.postingMode === 'api' ? 'abas' : 'abas MT940',
      credits: this.capabilities.applyCredits === true,
      discounts: this.capabilities.discounts === true,
    });
    await refuseIfAlreadyPosted(() => this.findReceipt(receipt.reference), (existing) => `abas already holds payment ${existing.erpDocumentId} for PayTrace ${receipt.reference}`);
    if (this.o.postingMode === 'mt940-file') {
      const fileName = mt940FileName(receipt.reference);
      const content = buildMt940(receipt, this.o.mt940Account); // validates before anything is written
      await dropFileOnce({ folder: this.o.mt940Folder, fileName, content: () => content });
      return awaitImported({
        folder: this.o.mt940Folder,
        fileName,
        what: `the payment for PayTrace ${receipt.reference}`,
        find: () => this.findReceipt(receipt.reference),
        timeoutMs: this.o.mt940ConfirmTimeoutMs,
        pollMs: this.o.mt940PollIntervalMs,
      });
    }
    const f = this.o.pay;
    const actions: Action[] = [
      ...this.headActions(receipt.customerId, receipt.amountCents, receipt.date, receipt.currency, receipt.reference),
      ...receipt.allocations.flatMap((a) => {
        // The Skonto rides on the first (paying) row of its invoice, once.
        const skonto = a.amountCents > 0 ? discounts.get(a.invoiceNo.trim()) : undefined;
        if (skonto !== undefined) discounts.delete(a.invoiceNo.trim());
        return this.rowActions(a.invoiceNo, a.amountCents, skonto);
      }),
    ];
    const committed = await this.editorFlow(this.o.paymentObject, actions, `abas payment for PayTrace ${receipt.reference}`);
    const read = await this.readBack(committed, () => this.findIn(this.o.paymentObject, receipt.reference, 'abas payment read-back'));
    if (read) return this.toReceipt(read);
    // Committed, but the read-back failed: describe what was sent under the new id.
    return { reference: receipt.reference, erpDocumentId: committed.id || `(${f.reference}=${receipt.reference})`, customerId: receipt.customerId, amountCents: receipt.amountCents, date: receipt.date, allocations: receipt.allocations };
  }

  async postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord> {
    checkCreditMemoRequest(memo, this.o.referenceMaxLength);
    await refuseIfAlreadyPosted(() => this.findCreditMemo(memo.reference), (existing) => `abas already holds credit memo ${existing.erpDocumentId} for PayTrace ${memo.reference}`);
    const actions: Action[] = [
      ...this.headActions(memo.customerId, memo.amountCents, memo.date, memo.currency, memo.reference),
      ...(memo.invoiceNo ? this.rowActions(memo.invoiceNo, memo.amountCents) : []),
    ];
    const committed = await this.editorFlow(this.o.creditMemoObject, actions, `abas credit memo for PayTrace ${memo.reference}`);
    const read = await this.readBack(committed, () => this.findIn(this.o.creditMemoObject, memo.reference, 'abas credit memo read-back'));
    if (read) return this.toCreditMemo(read);
    return { reference: memo.reference, erpDocumentId: committed.id, customerId: memo.customerId, amountCents: memo.amountCents, date: memo.date };
  }

  private headActions(customerId: string, amount: Cents, date: string, currency: string, reference: string): Action[] {
    const f = this.o.pay;
    const set = (fieldName: string, value: string): Action => ({ _type: 'SetFieldValue', fieldName, value });
    return [set(f.customer, customerId), set(f.date, compactDate(date)), set(f.currency, currency), set(f.amount, centsToDecimalString(amount)), set(f.reference, reference)];
  }

  private rowActions(invoiceNo: string, amount: Cents, skonto?: Cents): Action[] {
    const f = this.o.pay;
    return [
      { _type: 'InsertRow', rowSpec: '0' },
      { _type: 'SetFieldValue', rowSpec: '.', fieldName: f.rowInvoice, value: invoiceNo },
      { _type: 'SetFieldValue', rowSpec: '.', fieldName: f.rowAmount, value: centsToDecimalString(amount) },
      ...(skonto ? [{ _type: 'SetFieldValue', rowSpec: '.', fieldName: this.o.rowDiscount, value: centsToDecimalString(skonto) }] : []),
    ];
  }

  /** NEW → actions → Commit → CLOSE. Returns the committed object's id and links. */
  private async editorFlow(dbGroup: string, actions: readonly Action[], what: string): Promise<{ id: string; latest: string | null }> {
    // NEW and the field actions commit nothing, so a lost reply there is transient.
    const created = await this.call('POST', `obj/data/${dbGroup}/commands/NEW`, { what: `${what} (NEW)` });
    const editor = created.reply.headers.location;
    if (!editor) throw new ErpError('malformed', `${what}: commands/NEW gave no Location for the editor`);

    try {
      await this.call('POST', editor, { what: `${what} (fields)`, body: { actions } });
    } catch (e) {
      await this.cancel(editor);
      throw e;
    }

    let commit: Called;
    try {
      commit = await this.call('POST', editor, { what: `${what} (Commit)`, isWrite: true, body: { actions: [{ _type: 'Commit' }] } });
    } catch (e) {
      if (isErpError(e) && (e.kind === 'validation' || e.kind === 'transient' || e.kind === 'permission')) {
        // A refused commit leaves the working set open: cancel it. If the
        // cancel fails we cannot tell whether a 5xx commit went through.
        const cancelled = await this.cancel(editor);
        if (!cancelled && e.kind === 'transient') throw new ErpError('unknown_outcome', `${what}: the Commit failed (${e.message}) and the working set could not be cancelled; look the payment up before any retry`);
      }
      throw e;
    }
    const links = parseLinks(commit.body);
    const close = links.find((l) => l.rel === CLOSE)?.href;
    // Closing frees the working set; the payment is committed either way.
    if (close) await this.call('POST', close, { what: `${what} (CLOSE)` }).catch(() => undefined);
    const data = (commit.body as { content?: { data?: { id?: unknown } } } | undefined)?.content?.data;
    return { id: typeof data?.id === 'string' ? data.id : '', latest: links.find((l) => l.rel === 'latest-version')?.href ?? null };
  }

  private async readBack(committed: { latest: string | null }, find: () => Promise<AbasObject | null>): Promise<AbasObject | null> {
    try {
      if (committed.latest) {
        const { body } = await this.call('GET', committed.latest, {
          what: 'abas read-back',
          query: { headFields: this.paymentFields().join(','), filterTableFields: `${this.o.pay.rowInvoice},${this.o.pay.rowAmount}` },
        });
        const objs = parseObjects(body, 'abas read-back');
        if (objs[0]) return objs[0];
      }
      return await find();
    } catch {
      return null;
    }
  }

  /** Reads the working set (the `up` of an editor error) for its CANCEL link and follows it. True when cancelled. */
  private async cancel(editor: string): Promise<boolean> {
    try {
      const { body } = await this.call('GET', editor, { what: 'abas working set' });
      const cancel = parseLinks(body).find((l) => l.rel === CANCEL)?.href;
      if (!cancel) return false;
      await this.call('POST', cancel, { what: 'abas CANCEL' });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.token = null;
  }
}
