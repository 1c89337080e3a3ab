import { existsSync } from 'node:fs';
import { centsToDecimalString, formatMoney, type Cents } from '@shared/money';
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
import { termsFromParts } from '../terms';
import { systemClock } from '../../clock';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import { confirmReceiptBooked } from '../read-back';
import type { ErpConnectionConfig } from '../kind-module';
import { awaitImported, dropFileOnce } from '../file-drop';
import { HttpTransportError, parseJsonOutcome, parseJsonReply, sendHttp, statusError, transportToErpError, type HttpReply, type StatusWording } from '../http-transport';
import { checkCreditMemoRequest, checkReceiptRequest } from '../request-checks';
import { buildMt940, mt940FileName } from './mt940';
import { ABAS_MEDIA_TYPE, amountOf, compactDate, isoDate, need, parseLinks, parseObjects, type AbasObject } from './objects';
import { abasErrorText } from './edit-reply';
import { runEditorFlow, type EditorDeps } from './editor';
import { parseAbasOptions, type AbasOptions } from './options';

// abas ERP over the "mw" REST middleware (reference §5; the published abas
// ERP REST OpenAPI v1.2.0, docs/erp/abas.md). Reads query
// obj/data/{db}:{group} with headFields/tableFields/offset/limit; writes go
// through a working-set editor: commands/NEW → the editor at
// workspace/{workingSet}/wip/{workingSetEditor} (named by the
// x-abas-mw-workingset / x-abas-mw-workingseteditor headers) → field actions →
// Commit → CLOSE the working set; CANCEL the editor on any error before the
// commit. abas answers every edit call with HTTP 200 and says in the body
// whether it worked (edit-reply.ts): every reply is read, an error stops the
// flow, a dialog is answered only from the dialogAnswers setting. Only the
// Commit can commit, so only a lost Commit reply is an unknown outcome, and a
// receipt counts as posted only when the read-back shows it (read-back.ts).

import type { Action } from './editor';
type CallOptions = Readonly<{ what: string; isWrite?: boolean; query?: Record<string, string>; body?: unknown }>;
type Called = Readonly<{ reply: HttpReply; body: unknown }>;

const ABAS_WORDING: StatusWording = {
  erp: 'abas',
  authStatuses: new Set([401]),
  authMessage: 'abas refused the credentials',
  notFoundHint: 'check the tenant and database:group settings',
};

/** The ERP's message in an error reply: the REST envelope's content.error (Error/AbasErpError) or a flat OAuth/legacy field. */
function erpMessageOf(text: string): string | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const content = o.content as Record<string, unknown> | undefined;
    const error = typeof content === 'object' && content !== null ? (content.error as Record<string, unknown> | undefined) : undefined;
    if (typeof error === 'object' && error !== null) {
      if (typeof error.message === 'string') return error.message;
      const inner = error.error as Record<string, unknown> | undefined;
      if (typeof inner === 'object' && inner !== null && typeof inner.message === 'string') return inner.message;
      const edit = abasErrorText(error);
      if (edit) return edit;
    }
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
  /** `protocolVersion` of the last REST envelope abas sent (for discover()). */
  private protocolVersion = '';

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
      const body = parseJsonOutcome(reply, c.what, c.isWrite ?? false);
      const version = (body as { protocolVersion?: unknown } | null)?.protocolVersion;
      if (typeof version === 'string' && version) this.protocolVersion = version;
      return { reply, body };
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
      // `tableFields` is the query's name (OpenAPI getList); `filterTableFields` belongs to commands/NEW only.
      if (q.tableFields) query.tableFields = q.tableFields.join(',');
      const { body } = await this.call('GET', `obj/data/${dbGroup}`, { what, query }).catch((e: unknown) => {
        // A query holds nothing of the user's but settings (object, field names, criteria):
        // abas refusing it means a setting names something this installation does not have.
        if (isErpError(e) && e.kind === 'validation') {
          throw new ErpError('config', `${what}: abas refused the query of ${dbGroup}${e.erpMessage ? ` (${e.erpMessage})` : ''}; check the object and field-name settings`, e.erpMessage === undefined ? {} : { erpMessage: e.erpMessage });
        }
        throw e;
      });
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

  /**
   * Read-only facts for `tieout erp check`: which database:group objects answer
   * with the configured field names, whether the payment objects offer the NEW
   * command, the editor address form and the REST protocol version.
   */
  async discover(): Promise<readonly ErpDiscoveryFact[]> {
    const facts: ErpDiscoveryFact[] = [];
    const objects: Array<[string, string, string, string[]]> = [
      ['customers object', 'customersObject', this.o.customersObject, ['nummer', 'such', 'name']],
      ['open items object', 'openItemsObject', this.o.openItemsObject, this.openItemFields()],
      ['payment object', 'paymentObject', this.o.paymentObject, this.paymentFields()],
      ['credit memo object', 'creditMemoObject', this.o.creditMemoObject, this.paymentFields()],
    ];
    for (const [name, setting, dbGroup, headFields] of objects) {
      try {
        let first: AbasObject | undefined;
        for await (const page of this.objects(dbGroup, `abas ${name}`, { headFields, pageSize: 1 })) {
          first = page[0];
          break;
        }
        facts.push({ name, value: `${dbGroup} answers headFields ${headFields.join(',')}${first ? ` (e.g. ${first.id || 'a record'})` : ' (no records yet)'}`, setting });
      } catch (e) {
        facts.push({ name, value: `${dbGroup}: ${isErpError(e) ? e.message : 'unexpected error'}`, setting, ok: false });
      }
    }
    for (const [name, setting, dbGroup] of [['payment object commands', 'paymentObject', this.o.paymentObject], ['credit memo object commands', 'creditMemoObject', this.o.creditMemoObject]] as const) {
      try {
        const { body } = await this.call('GET', `obj/data/${dbGroup}/commands`, { what: `abas ${name}` });
        const commands = parseLinks(body)
          .map((l) => /\/commands\/([A-Za-z_]+)$/.exec(l.href)?.[1])
          .filter((c): c is string => c !== undefined);
        facts.push({ name, value: `${dbGroup}: ${commands.length ? commands.join(', ') : '(none listed)'}`, setting, ok: commands.includes('NEW') });
      } catch (e) {
        facts.push({ name, value: `${dbGroup}: ${isErpError(e) ? e.message : 'unexpected error'}`, setting, ok: false });
      }
    }
    facts.push({ name: 'working-set editor', value: `/mw/r/${this.o.tenant}/workspace/{workingSet}/wip/{workingSetEditor}, named by the x-abas-mw-workingset / x-abas-mw-workingseteditor headers of commands/NEW (opened only when posting)` });
    facts.push({ name: 'REST protocol version', value: this.protocolVersion || 'abas stated none (expected protocolVersion in every reply)', ok: this.protocolVersion !== '' });
    return facts;
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
      // The bank-statement import allocates by its own rules: what it booked must match line for line.
      const imported = await awaitImported({
        folder: this.o.mt940Folder,
        fileName,
        what: `the payment for PayTrace ${receipt.reference}`,
        find: () => this.findReceipt(receipt.reference),
        timeoutMs: this.o.mt940ConfirmTimeoutMs,
        pollMs: this.o.mt940PollIntervalMs,
      });
      return confirmReceiptBooked(receipt, imported, 'abas');
    }
    const actions: Action[] = [
      ...this.headActions(receipt.customerId, receipt.amountCents, receipt.date, receipt.currency, receipt.reference),
      ...receipt.allocations.flatMap((a) => {
        // The Skonto rides on the first (paying) row of its invoice, once.
        const skonto = a.amountCents > 0 ? discounts.get(a.invoiceNo.trim()) : undefined;
        if (skonto !== undefined) discounts.delete(a.invoiceNo.trim());
        return this.rowActions(a.invoiceNo, a.amountCents, skonto);
      }),
    ];
    await runEditorFlow(this.editorDeps(), this.o.paymentObject, actions, `abas payment for PayTrace ${receipt.reference}`);
    // Posted only when abas's own read-back shows it, line for line: never a record made from what was sent.
    const read = await this.readBack(() => this.findIn(this.o.paymentObject, receipt.reference, 'abas payment read-back'));
    return confirmReceiptBooked(receipt, read ? this.toReceipt(read) : null, 'abas');
  }

  async postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord> {
    checkCreditMemoRequest(memo, this.o.referenceMaxLength);
    await refuseIfAlreadyPosted(() => this.findCreditMemo(memo.reference), (existing) => `abas already holds credit memo ${existing.erpDocumentId} for PayTrace ${memo.reference}`);
    const actions: Action[] = [
      ...this.headActions(memo.customerId, memo.amountCents, memo.date, memo.currency, memo.reference),
      ...(memo.invoiceNo ? this.rowActions(memo.invoiceNo, memo.amountCents) : []),
    ];
    await runEditorFlow(this.editorDeps(), this.o.creditMemoObject, actions, `abas credit memo for PayTrace ${memo.reference}`);
    const read = await this.readBack(() => this.findIn(this.o.creditMemoObject, memo.reference, 'abas credit memo read-back'));
    if (!read) throw new ErpError('unknown_outcome', `abas accepted credit memo ${memo.reference} but its read-back does not show it; Tieout looks it up again before anything is re-sent`);
    const found = this.toCreditMemo(read);
    if (found.amountCents !== memo.amountCents || found.customerId.trim() !== memo.customerId.trim()) {
      throw new ErpError('partial', `abas holds credit memo ${found.erpDocumentId} for PayTrace ${memo.reference} with customer ${found.customerId} and ${formatMoney(found.amountCents, memo.currency)} instead of ${memo.customerId} and ${formatMoney(memo.amountCents, memo.currency)}; nothing more was sent`, { existingDocumentId: found.erpDocumentId });
    }
    return found;
  }

  private headActions(customerId: string, amount: Cents, date: string, currency: string, reference: string): Action[] {
    const f = this.o.pay;
    // Every edit action carries dialogAnswers (required by the OpenAPI's EditorEditCommand).
    const set = (fieldName: string, value: string): Action => ({ _type: 'SetFieldValue', fieldName, value, dialogAnswers: [] });
    return [set(f.customer, customerId), set(f.date, compactDate(date)), set(f.currency, currency), set(f.amount, centsToDecimalString(amount)), set(f.reference, reference)];
  }

  private rowActions(invoiceNo: string, amount: Cents, skonto?: Cents): Action[] {
    const f = this.o.pay;
    const set = (fieldName: string, value: string): Action => ({ _type: 'SetFieldValue', rowSpec: '.', fieldName, value, dialogAnswers: [] });
    return [
      { _type: 'InsertRow', rowSpec: '0', dialogAnswers: [] },
      set(f.rowInvoice, invoiceNo),
      set(f.rowAmount, centsToDecimalString(amount)),
      ...(skonto ? [set(this.o.rowDiscount, centsToDecimalString(skonto))] : []),
    ];
  }

  private editorDeps(): EditorDeps {
    return { call: (method, path, c) => this.call(method, path, c), dialogAnswers: this.o.dialogAnswers };
  }

  /** The read-back after a Commit; a failed read is no evidence either way. */
  private async readBack(find: () => Promise<AbasObject | null>): Promise<AbasObject | null> {
    try {
      return await find();
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.token = null;
  }
}
