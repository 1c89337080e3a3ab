import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { centsToDecimalString, MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import { termsPercent } from '../../../core/erp/terms';
import type { Customer } from '@shared/domain';
import type { ErpSandboxSeed, RunningErpSandbox } from '../sandbox-types';
import { startSandboxServer, type SandboxRequest, type SandboxResponse } from '../../kit/server';
import type { Fault, FaultPlan } from '../../kit/faults';
import { parseMt940 } from '../../../core/erp/abas/mt940';
import { ABAS_OPTION_FIELDS } from '../../../core/erp/abas/options';
import { DOCUMENTED_QUERY, dataObject, editDialog, editError, editSuccess, envelope, errorEnvelope, inForm, objectList, workingSet, workingSetClosed, type EditorView } from './replies';

// A loopback abas "mw" REST middleware answering in the shapes and statuses of
// the published abas ERP REST OpenAPI v1.2.0 (replies.ts, docs/erp/abas.md):
// Basic auth (empty user + password) or OAuth2 client credentials from a
// Keycloak-style token endpoint; obj/data queries with criteria / headFields /
// tableFields / offset / limit (default 20, 0 = all), refusing parameters the
// endpoint does not document; the working-set editor (commands/NEW answers 201
// with x-abas-mw-workingset / x-abas-mw-workingseteditor → POST actions to
// workspace/{ws}/wip/{editor} → Commit → CLOSE the working set, CANCEL the
// editor), every edit call answering HTTP 200 with success, an error
// (category, text[], remainingActions) or a dialog in the body; and an MT940
// importer polling a folder like abas's bank-statement import. Duplicate
// references are accepted, as the real ERP would: the connector must refuse them.

export const ABAS_SANDBOX_TENANT = 'demo';
export const ABAS_SANDBOX_PASSWORD = 'sandbox-pass';
export const ABAS_SANDBOX_CLIENT = { username: 'tieout-client', password: 'sandbox-secret' } as const;
export const ABAS_TOKEN_PATH = '/auth/realms/abas/protocol/openid-connect/token';

type Fields = Record<string, string>;
type AbasRecord = { id: string; head: Fields; rows: Fields[] };
type WorkingSet = { id: string; editorId: string; dbGroup: string; head: Fields; rows: Fields[]; current: number; committedId: string | null; cancelled: boolean };

/** The real failure modes and abas-specific replies the sandbox can be armed with (docs/erp/abas.md). */
export type AbasRealFailure =
  /** NEW on the payment object answers 200 EditErrorResponse UNAVAILABLE until reset. */
  | 'object-unavailable'
  /** The open-item object loses its open-amount field until reset: a query naming it is refused. */
  | 'unknown-field'
  /** The next Commit answers EditSuccessResponse but books nothing. */
  | 'commit-without-document'
  /** The next Commit (or MT940 import) books the payment without its last row. */
  | 'commit-drops-last-row'
  /** The next Commit answers 200 EditErrorResponse (OTHER) with abas's text. */
  | 'commit-refused'
  /** The next Commit answers 200 EditErrorResponse RECORD_LOCKED. */
  | 'record-locked'
  /** The next Commit answers 200 EditDialogResponse until answered. */
  | 'commit-dialog'
  /** The next row amount SetFieldValue answers 200 EditErrorResponse ILLEGAL_ARGUMENT. */
  | 'row-field-refused';

export const ABAS_REFUSAL_TEXT = 'Buchungsperiode 12/2026 ist gesperrt (posting period is locked)';
export const ABAS_DIALOG = { id: 'OPAUSGL', title: 'Offene Posten', prompt: 'Zahlung übersteigt den offenen Posten. Differenz als Vorauszahlung buchen?' } as const;

export type AbasSandbox = RunningErpSandbox &
  Readonly<{
    url: string;
    faults: FaultPlan;
    mt940Folder: string;
    expireTokens(): void;
    receiptCount(reference: string): number;
    openBalance(invoiceNo: string): number | null;
    /** Makes the next Commit of a working set meet this fault (commit-then-drop, timeout, status...). */
    failNextCommit(fault: Fault): void;
    /** Clears the fault plan, any armed Commit faults and real failures. */
    resetFaults(): void;
    /** Arms one of abas's real failure modes (next Commit, or until resetFaults). */
    armRealFailure(failure: AbasRealFailure): void;
    /** Every query parameter the sandbox refused as undocumented (method path?query). */
    refusedParameters(): readonly string[];
    openWorkingSets(): number;
    importNow(): Promise<void>;
  }>;

const def = (key: string): string => String(ABAS_OPTION_FIELDS.find((f) => f.key === key)!.default);

/** Every reply the REST handler gives, with its request (the OpenAPI conformance test validates them). */
export type AbasReplyObserver = (req: SandboxRequest, res: SandboxResponse) => void;

export async function startAbasSandbox(
  seed: ErpSandboxSeed,
  opts: Readonly<{ importIntervalMs?: number; tokenLifetimeSeconds?: number; onReply?: AbasReplyObserver }> = {},
): Promise<AbasSandbox> {
  const tenant = ABAS_SANDBOX_TENANT;
  const root = `/mw/r/${tenant}`;
  const op = { invoice: def('opInvoiceField'), customer: def('opCustomerField'), date: def('opDateField'), due: def('opDueField'), amount: def('opAmountField'), open: def('opOpenField'), currency: def('opCurrencyField'), po: def('opPoField') };
  // The sandbox's own names for the discount fields (real ones are not public); handed to connectors in `options`.
  const opTerms = { percent: 'skproz', days: 'sktage', netDays: 'nettotage' };
  const pay = { customer: def('payCustomerField'), amount: def('payAmountField'), date: def('payDateField'), currency: def('payCurrencyField'), reference: def('payReferenceField'), rowInvoice: def('rowInvoiceField'), rowAmount: def('rowAmountField') };
  const groups = { customers: def('customersObject'), openItems: def('openItemsObject'), payments: def('paymentObject'), memos: def('creditMemoObject') };
  const referenceMaxLength = Number(def('referenceMaxLength'));

  const customers = new Map<string, Customer>(seed.customers.map((c) => [c.customerId, c]));
  const invoices = new Map(seed.invoices.map((i) => [i.invoiceNo, { invoice: i, open: i.openBalanceCents }]));
  const invoiceOrder = [...invoices.keys()].sort();
  const stored: Record<string, AbasRecord[]> = { [groups.payments]: [], [groups.memos]: [] };
  const workingSets = new Map<string, WorkingSet>();
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let seq = 1000;
  const armedCommitFaults: Fault[] = [];
  let faults: FaultPlan | null = null;
  const armed = new Set<AbasRealFailure>();
  const refused: string[] = [];

  const workDir = seed.workDir ?? (await mkdtemp(join(tmpdir(), 'tieout-abas-')));
  const mt940Folder = join(workDir, 'mt940');
  await mkdir(join(mt940Folder, 'processed'), { recursive: true });
  await mkdir(join(mt940Folder, 'rejected'), { recursive: true });

  const view = (ws: WorkingSet): EditorView => ({
    workingSetId: ws.id,
    workingSetEditorId: ws.editorId,
    dbGroup: ws.dbGroup,
    head: ws.head,
    rows: ws.rows,
    state: ws.committedId ? 'COMMITTED' : ws.cancelled ? 'CANCELED' : 'ACTIVE',
    objectId: ws.committedId ?? '',
    tenant,
    root,
  });
  // `id` is a head field of every object (omnisloader asks headFields "id,nummer,such,…").
  const record = (r: AbasRecord, dbGroup: string, headFields: string[] | null, tableFields: string[] | null) =>
    dataObject({ id: r.id, dbGroup, head: { id: r.id, ...r.head }, rows: r.rows, tenant, root }, headFields, tableFields);
  /** Field lists: "-" = none, "*" or absent = all (OpenAPI). */
  const fieldList = (v: string | null): string[] | null => (v === null || v === '*' ? null : v === '-' ? [] : v.split(',').filter(Boolean));

  const customerHead = (c: Customer): Fields => ({ nummer: c.customerId, such: c.name.split(' ')[0]!.toUpperCase(), name: c.name });
  const openItemHead = (n: string): Fields => {
    const { invoice: i, open } = invoices.get(n)!;
    return {
      [op.invoice]: i.invoiceNo,
      [op.customer]: i.customerId,
      [op.date]: i.invoiceDate.replace(/-/g, ''),
      [op.due]: (i.dueDate ?? '').replace(/-/g, ''),
      [op.amount]: centsToDecimalString(i.amountCents),
      [op.open]: centsToDecimalString(open),
      [op.currency]: i.currency,
      [op.po]: i.poNo,
      [opTerms.percent]: i.terms ? termsPercent(i.terms) : '0.000',
      [opTerms.days]: i.terms ? String(i.terms.discountDays) : '0',
      [opTerms.netDays]: i.terms ? String(i.terms.netDays) : '30',
    };
  };
  const knownFields: Record<string, string[]> = {
    [groups.customers]: ['nummer', 'such', 'name', 'saldo'],
    [groups.openItems]: [...Object.values(op), ...Object.values(opTerms)],
    [groups.payments]: Object.values(pay).filter((f) => f !== pay.rowInvoice && f !== pay.rowAmount),
    [groups.memos]: Object.values(pay).filter((f) => f !== pay.rowInvoice && f !== pay.rowAmount),
  };
  /** A group's head fields; the open-amount field vanishes while 'unknown-field' is armed. */
  const fieldsOfGroup = (dbGroup: string): string[] => (dbGroup === groups.openItems && armed.has('unknown-field') ? knownFields[dbGroup]!.filter((f) => f !== op.open) : knownFields[dbGroup]!);
  const rowDiscount = def('rowDiscountField');
  const knownRowFields = [pay.rowInvoice, pay.rowAmount, rowDiscount];

  /** abas selection: field=from!to or field=value, several joined by ';'. */
  const matches = (head: Fields, criteria: string | null): boolean => {
    if (!criteria) return true;
    return criteria.split(';').every((cond) => {
      const eq = cond.indexOf('=');
      if (eq < 0) return true;
      const field = cond.slice(0, eq);
      const [from, to] = cond.slice(eq + 1).split('!');
      const v = head[field] ?? '';
      if (to === undefined) return v === from;
      return (from === '' || v >= from!) && (to === '' || v <= to);
    });
  };

  const query = (req: SandboxRequest, dbGroup: string): SandboxResponse => {
    const headFields = fieldList(req.query.get('headFields'));
    // tableFields defaults to "-" (no rows) on a query.
    const tableFields = fieldList(req.query.get('tableFields') ?? '-');
    const known = fieldsOfGroup(dbGroup);
    for (const f of headFields ?? []) if (f !== 'id' && !known.includes(f)) return errorEnvelope(400, `Field ${f} does not exist in ${dbGroup}`);
    for (const f of tableFields ?? []) if (!knownRowFields.includes(f)) return errorEnvelope(400, `Table field ${f} does not exist in ${dbGroup}`);
    const limitParam = Number(req.query.get('limit') ?? 20);
    const offset = Math.max(0, Number(req.query.get('offset') ?? 0) || 0);
    let all: AbasRecord[];
    if (dbGroup === groups.customers) all = [...customers.values()].map((c) => ({ id: `(${c.customerId},0,1)`, head: customerHead(c), rows: [] }));
    else if (dbGroup === groups.openItems) all = invoiceOrder.filter((n) => invoices.get(n)!.open !== 0).map((n) => ({ id: `(${n},7,5)`, head: openItemHead(n), rows: [] }));
    else all = stored[dbGroup]!;
    const hits = all.filter((r) => matches(r.head, req.query.get('criteria')));
    // limit 0 = all objects (OpenAPI getList).
    const page = limitParam === 0 ? hits.slice(offset) : hits.slice(offset, offset + Math.max(1, limitParam || 20));
    return envelope(200, 'ErpResponseErpDataObjectList', objectList(page.map((r) => record(r, dbGroup, headFields, tableFields))));
  };

  const parseAmount = (v: string | undefined): Cents | null => {
    try {
      return parseDecimalToCents(v ?? '');
    } catch (e) {
      if (e instanceof MoneyParseError) return null;
      throw e;
    }
  };

  /** Validates and books a payment or credit memo; a message when refused. */
  const book = (dbGroup: string, head: Fields, rows: Fields[]): string | AbasRecord => {
    const customerId = head[pay.customer] ?? '';
    if (!customers.has(customerId)) return `Kunde ${customerId} existiert nicht (customer does not exist)`;
    const reference = head[pay.reference] ?? '';
    if (!reference) return `Field ${pay.reference} is required`;
    if (reference.length > referenceMaxLength) return `Field ${pay.reference} holds at most ${referenceMaxLength} characters`;
    const amount = parseAmount(head[pay.amount]);
    if (amount === null || amount <= 0) return `Field ${pay.amount} is not a positive amount`;
    if (!/^\d{8}$/.test(head[pay.date] ?? '')) return `Field ${pay.date} is not a date (YYYYMMDD)`;
    const applications: Array<{ inv: { open: Cents }; amount: Cents; skonto: Cents }> = [];
    let applied = 0;
    for (const r of rows) {
      const n = r[pay.rowInvoice] ?? '';
      const inv = invoices.get(n);
      if (!inv) return `Rechnung ${n} nicht gefunden (invoice not found)`;
      if (inv.invoice.customerId !== customerId) return `Invoice ${n} belongs to another customer`;
      const a = parseAmount(r[pay.rowAmount]);
      const skonto = parseAmount(r[rowDiscount] || '0');
      if (skonto === null || skonto < 0) return `Skonto for invoice ${n} is not a valid amount`;
      const open = inv.open - applications.filter((x) => x.inv === inv).reduce((s, x) => s + x.amount + x.skonto, 0);
      if (dbGroup === groups.payments && open < 0) {
        // An open credit (negative OP) is offset with a negative row, without Skonto, never beyond what is left.
        if (a === null || a >= 0) return `Offener Posten ${n} ist eine Gutschrift: Betrag muss negativ sein (a credit is offset with a negative amount)`;
        if (skonto !== 0) return `Gutschrift ${n} erlaubt kein Skonto (no cash discount on a credit)`;
        if (a < open) return `Amount for credit ${n} exceeds its open balance`;
      } else {
        if (a === null || a <= 0) return `Row amount for invoice ${n} is not a positive amount`;
        if (dbGroup === groups.payments && a > open) return `Amount for invoice ${n} exceeds its open balance`;
        if (dbGroup === groups.payments && a + skonto > open) return `Amount plus Skonto for invoice ${n} exceeds its open balance`;
      }
      applications.push({ inv, amount: a, skonto });
      applied += a;
    }
    if (applied > amount) return 'Row amounts exceed the payment amount';
    if (dbGroup === groups.payments) for (const { inv, amount: a, skonto } of applications) inv.open = (inv.open - a - skonto) as Cents;
    const rec: AbasRecord = { id: `(${++seq},${dbGroup.replace(':', ',')})`, head: { ...head }, rows: rows.map((r) => ({ ...r })) };
    stored[dbGroup]!.push(rec);
    return rec;
  };

  const editorPath = (ws: WorkingSet) => `${root}/workspace/${ws.id}/wip/${ws.editorId}`;

  type Action = Record<string, unknown> & { _type?: unknown };
  const hasDialogAnswer = (a: Action, id: string): boolean =>
    Array.isArray(a.dialogAnswers) && a.dialogAnswers.some((d: unknown) => typeof d === 'object' && d !== null && (d as { id?: unknown }).id === id);

  const editorPost = (req: SandboxRequest, ws: WorkingSet): SandboxResponse => {
    if (ws.committedId || ws.cancelled) return editError(view(ws), 'MISSING_OBJECT', `Editor ${ws.editorId} is no longer active`, { successCount: 0, remaining: [] });
    let body: { actions?: unknown };
    try {
      body = JSON.parse(req.bodyText) as typeof body;
    } catch {
      return errorEnvelope(400, 'Body is not valid JSON');
    }
    const actions = (Array.isArray(body.actions) ? body.actions : []).filter((a): a is Action => typeof a === 'object' && a !== null);
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]!;
      const refuse = (category: Parameters<typeof editError>[1], text: string, context: { fieldNames?: string[]; rowSpec?: string; value?: string } = {}) =>
        editError(view(ws), category, text, { ...context, successCount: i, remaining: actions.slice(i) });
      if (a._type === 'SetFieldValue') {
        const field = typeof a.fieldName === 'string' ? a.fieldName : '';
        const value = typeof a.value === 'string' ? a.value : '';
        if (a.rowSpec !== undefined && a.rowSpec !== '0') {
          if (!knownRowFields.includes(field)) return refuse('ILLEGAL_ARGUMENT', `Feld ${field} existiert nicht in der Tabelle (table field does not exist in ${ws.dbGroup})`, { fieldNames: [field], rowSpec: String(a.rowSpec) });
          const row = a.rowSpec === '.' ? ws.rows[ws.current] : ws.rows[Number(a.rowSpec) - 1];
          if (!row) return refuse('ILLEGAL_ARGUMENT', `Zeile ${String(a.rowSpec)} existiert nicht (row does not exist)`, { rowSpec: String(a.rowSpec) });
          if (field === pay.rowAmount && armed.delete('row-field-refused')) {
            return refuse('ILLEGAL_ARGUMENT', `Betrag ${value} ist für diesen offenen Posten nicht zulässig (amount not allowed for this open item)`, { fieldNames: [field], rowSpec: String(ws.current + 1), value });
          }
          row[field] = value;
        } else {
          if (!knownFields[ws.dbGroup]!.includes(field)) return refuse('ILLEGAL_ARGUMENT', `Feld ${field} existiert nicht (field does not exist in ${ws.dbGroup})`, { fieldNames: [field] });
          ws.head[field] = value;
        }
      } else if (a._type === 'InsertRow') {
        ws.rows.push({});
        ws.current = ws.rows.length - 1;
      } else if (a._type === 'Commit') {
        return commit(ws, a, i, actions.slice(i));
      } else return refuse('ILLEGAL_ARGUMENT', `Unknown action ${String(a._type)}`);
    }
    const armedFault = armedCommitFaults.shift();
    // The next POST to this editor is its Commit: aim the armed fault at it.
    if (armedFault && faults) faults.add({ fault: armedFault, method: 'POST', pathPrefix: editorPath(ws), times: 1 });
    return editSuccess(view(ws));
  };

  const commit = (ws: WorkingSet, action: Action, successCount: number, remaining: Action[]): SandboxResponse => {
    if (armed.delete('record-locked')) {
      return editError(view(ws), 'RECORD_LOCKED', 'Datensatz wird von einem anderen Benutzer bearbeitet (record is locked by another user)', { successCount, remaining });
    }
    if (armed.has('commit-dialog')) {
      if (!hasDialogAnswer(action, ABAS_DIALOG.id)) return editDialog(view(ws), ABAS_DIALOG, successCount, remaining);
      armed.delete('commit-dialog');
    }
    if (armed.delete('commit-refused')) return editError(view(ws), 'OTHER', ABAS_REFUSAL_TEXT, { successCount, remaining });
    if (armed.delete('commit-without-document')) {
      // Acknowledged in the success shape, booked nowhere.
      ws.committedId = `(${++seq},${ws.dbGroup.replace(':', ',')})`;
      return editSuccess(view(ws));
    }
    const rows = armed.delete('commit-drops-last-row') ? ws.rows.slice(0, -1) : ws.rows;
    const result = book(ws.dbGroup, ws.head, rows);
    if (typeof result === 'string') return editError(view(ws), 'OTHER', result, { successCount, remaining });
    ws.committedId = result.id;
    return editSuccess(view(ws));
  };

  const authorised = (req: SandboxRequest): boolean => {
    const h = req.headers.authorization ?? '';
    if (h.startsWith('Basic ')) return Buffer.from(h.slice(6), 'base64').toString('utf8') === `:${ABAS_SANDBOX_PASSWORD}`;
    if (h.startsWith('Bearer ')) {
      const exp = tokens.get(h.slice(7));
      return exp !== undefined && exp > Date.now();
    }
    return false;
  };

  const handler = (req: SandboxRequest): SandboxResponse => {
    if (req.method === 'POST' && req.path === ABAS_TOKEN_PATH) {
      const form = new URLSearchParams(req.bodyText);
      if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
      if (form.get('client_id') !== ABAS_SANDBOX_CLIENT.username || form.get('client_secret') !== ABAS_SANDBOX_CLIENT.password) {
        return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client credentials' } };
      }
      const token = randomBytes(24).toString('base64url');
      const lifetime = opts.tokenLifetimeSeconds ?? 599;
      tokens.set(token, Date.now() + lifetime * 1000);
      return { status: 200, body: { access_token: token, token_type: 'bearer', refresh_token: randomBytes(16).toString('base64url'), expires_in: lifetime, scope: 'abas-fusion openid', id_token: 'sandbox' } };
    }
    if (!req.path.startsWith(`${root}/`)) return errorEnvelope(404, `Unknown tenant or path ${req.path}`);
    if (!authorised(req)) return errorEnvelope(401, 'Authentication required', 'SECURITY_ERROR');
    const rest = req.path.slice(root.length + 1);
    const onlyDocumented = (allowed: readonly string[]): SandboxResponse | null => {
      const unknown = [...req.query.keys()].filter((k) => !allowed.includes(k));
      if (unknown.length === 0) return null;
      refused.push(`${req.method} ${req.path}?${req.query.toString()}`);
      return errorEnvelope(400, `Unknown query parameter(s): ${unknown.join(', ')}`);
    };

    const obj = /^obj\/data\/(\d+:\d+)(?:\/(.+))?$/.exec(rest);
    if (obj) {
      const dbGroup = obj[1]!;
      if (!knownFields[dbGroup]) return errorEnvelope(404, `Database group ${dbGroup} is not available`);
      const tail = obj[2];
      if (req.method === 'POST' && tail === 'commands/NEW') {
        const bad = onlyDocumented(DOCUMENTED_QUERY.command);
        if (bad) return bad;
        const ws: WorkingSet = { id: `ws${randomBytes(6).toString('hex')}`, editorId: `wse${randomBytes(6).toString('hex')}`, dbGroup, head: {}, rows: [], current: -1, committedId: null, cancelled: false };
        if (dbGroup !== groups.payments && dbGroup !== groups.memos) return editError(view(ws), 'ACCESS_DENIED', `NEW is not allowed for ${dbGroup}`, { successCount: 0, remaining: [] });
        if (dbGroup === groups.payments && armed.has('object-unavailable')) {
          return editError(view(ws), 'UNAVAILABLE', `Die Datenbank ${dbGroup} ist nicht verfügbar (not licensed in this installation)`, { successCount: 0, remaining: [] });
        }
        workingSets.set(ws.id, ws);
        // Production clients find the editor through these headers (NEW answers 201 there).
        return editSuccess(view(ws), { 'x-abas-mw-workingset': ws.id, 'x-abas-mw-workingseteditor': ws.editorId, location: editorPath(ws) }, 201);
      }
      if (req.method === 'GET' && tail === 'commands') {
        const bad = onlyDocumented(DOCUMENTED_QUERY.commands);
        if (bad) return bad;
        const names = dbGroup === groups.payments || dbGroup === groups.memos ? ['NEW', 'VIEW', 'UPDATE', 'PAYMENT'] : ['VIEW', 'UPDATE'];
        return envelope(200, 'ErpResponseLinkList', { data: { name: dbGroup, links: names.map((n) => ({ rel: `urn:abas:rel:command:${n}`, href: `${root}/obj/data/${dbGroup}/commands/${n}`, description: n, objectType: dbGroup })) }, messages: [] });
      }
      if (req.method === 'GET' && tail === undefined) return onlyDocumented(DOCUMENTED_QUERY.list) ?? query(req, dbGroup);
      if (req.method === 'GET' && tail !== undefined) {
        const bad = onlyDocumented(DOCUMENTED_QUERY.record);
        if (bad) return bad;
        const id = decodeURIComponent(tail);
        const rec = (stored[dbGroup] ?? []).find((r) => r.id === id);
        if (!rec) return errorEnvelope(404, `Object ${id} not found`);
        return envelope(200, 'ErpResponseErpDataObject', { data: record(rec, dbGroup, fieldList(req.query.get('headFields')), fieldList(req.query.get('tableFields') ?? '-')), messages: [] });
      }
      return errorEnvelope(405, `${req.method} is not supported on ${rest}`);
    }

    const wsMatch = /^workspace\/([A-Za-z0-9]+)(?:\/wip\/([A-Za-z0-9]+))?(?:\/commands\/([A-Z]+))?$/.exec(rest);
    if (wsMatch) {
      const ws = workingSets.get(wsMatch[1]!);
      const [, , editorId, command] = wsMatch;
      if (!ws || (editorId !== undefined && editorId !== ws.editorId)) return errorEnvelope(404, 'Working set or editor not found');
      if (editorId === undefined) {
        if (req.method === 'GET' && !command) return onlyDocumented(DOCUMENTED_QUERY.none) ?? workingSet(view(ws));
        // Working-set commands: CLOSE or CANCEL (OpenAPI postCommand).
        if (req.method === 'POST' && (command === 'CLOSE' || command === 'CANCEL')) {
          const bad = onlyDocumented(DOCUMENTED_QUERY.none);
          if (bad) return bad;
          if (!ws.committedId) ws.cancelled = true;
          workingSets.delete(ws.id);
          return workingSetClosed([view(ws)]);
        }
        return errorEnvelope(404, `No resource at ${req.method} ${req.path}`);
      }
      if (req.method === 'GET' && !command) return onlyDocumented(DOCUMENTED_QUERY.editorGet) ?? editSuccess(view(ws));
      if (req.method === 'POST' && !command) return onlyDocumented(DOCUMENTED_QUERY.editorPost) ?? editorPost(req, ws);
      if (req.method === 'POST' && command === 'CANCEL') {
        const bad = onlyDocumented(DOCUMENTED_QUERY.none);
        if (bad) return bad;
        if (ws.committedId) return editError(view(ws), 'ILLEGAL_ARGUMENT', 'Editor is already committed', { successCount: 0, remaining: [] });
        ws.cancelled = true;
        return editSuccess(view(ws));
      }
      if (req.method === 'POST' && command === 'COMMIT') {
        const bad = onlyDocumented(DOCUMENTED_QUERY.editorPost);
        if (bad) return bad;
        let answers: unknown = [];
        try {
          answers = (JSON.parse(req.bodyText || '{}') as { dialogAnswers?: unknown }).dialogAnswers ?? [];
        } catch {
          return errorEnvelope(400, 'Body is not valid JSON');
        }
        if (ws.committedId || ws.cancelled) return editError(view(ws), 'MISSING_OBJECT', `Editor ${ws.editorId} is no longer active`, { successCount: 0, remaining: [] });
        const action: Action = { _type: 'Commit', dialogAnswers: answers };
        return commit(ws, action, 0, [action]);
      }
    }
    return errorEnvelope(404, `No resource at ${req.method} ${req.path}`);
  };

  // ---- MT940 bank-statement importer ---------------------------------------

  let importing: Promise<void> | null = null;
  const importOnce = async (): Promise<void> => {
    const names = (await readdir(mt940Folder).catch(() => [] as string[])).filter((n) => !n.startsWith('.') && /\.(sta|mt940|txt)$/i.test(n)).sort();
    for (const name of names) {
      const file = join(mt940Folder, name);
      let problem: string | null = null;
      try {
        const s = parseMt940(await readFile(file, 'utf8'));
        const head: Fields = {
          [pay.customer]: s.customerId,
          [pay.amount]: centsToDecimalString(s.amountCents),
          [pay.date]: s.date.replace(/-/g, ''),
          [pay.currency]: s.currency,
          [pay.reference]: s.reference,
        };
        const rows = s.allocations.map((a) => ({ [pay.rowInvoice]: a.invoiceNo, [pay.rowAmount]: centsToDecimalString(a.amountCents) }));
        // The import's own allocation can miss a line as well.
        const result = book(groups.payments, head, armed.delete('commit-drops-last-row') ? rows.slice(0, -1) : rows);
        if (typeof result === 'string') problem = result;
      } catch (e) {
        problem = e instanceof Error ? e.message : 'unreadable statement';
      }
      if (problem === null) await rename(file, join(mt940Folder, 'processed', name));
      else {
        await writeFile(join(mt940Folder, 'rejected', `${name}.err`), `${problem}\n`, 'utf8');
        await rename(file, join(mt940Folder, 'rejected', name));
      }
    }
  };
  const importNow = (): Promise<void> => {
    importing ??= importOnce().finally(() => {
      importing = null;
    });
    return importing;
  };
  const poller = setInterval(() => {
    if (existsSync(mt940Folder)) void importNow().catch(() => undefined);
  }, opts.importIntervalMs ?? 100);
  poller.unref();

  const receiptCount = (reference: string): number => stored[groups.payments]!.filter((r) => r.head[pay.reference] === reference).length;
  const openBalance = (invoiceNo: string): number | null => {
    const inv = invoices.get(invoiceNo);
    return inv && inv.open !== 0 ? inv.open : null;
  };

  const server = await startSandboxServer({
    name: 'abas',
    port: seed.port,
    handler: (req) => {
      const res = req.path.startsWith('/mw/') ? inForm(handler(req), req.headers.accept) : handler(req);
      opts.onReply?.(req, res);
      return res;
    },
    control: {
      'expire-sessions': () => {
        tokens.clear();
        return { ok: true };
      },
      receipts: (body) => ({ count: receiptCount((body as { reference?: string } | undefined)?.reference ?? '') }),
      'open-balance': (body) => ({ openBalanceCents: openBalance((body as { invoiceNo?: string } | undefined)?.invoiceNo ?? '') }),
      import: async () => {
        await importNow();
        return { ok: true };
      },
    },
  });
  faults = server.faults;

  return {
    url: server.url,
    baseUrl: server.url,
    faults: server.faults,
    mt940Folder,
    options: {
      tenant, authMode: 'oauth2', tokenUrl: `${server.url}${ABAS_TOKEN_PATH}`, mt940Folder,
      opDiscountPercentField: opTerms.percent, opDiscountDaysField: opTerms.days, opNetDaysField: opTerms.netDays,
    },
    credentials: { ...ABAS_SANDBOX_CLIENT },
    expireTokens: () => tokens.clear(),
    receiptCount,
    openBalance,
    failNextCommit: (fault) => {
      armedCommitFaults.push(fault);
    },
    resetFaults: () => {
      armedCommitFaults.length = 0;
      armed.clear();
      server.faults.reset();
    },
    armRealFailure: (failure) => {
      armed.add(failure);
    },
    refusedParameters: () => [...refused],
    openWorkingSets: () => [...workingSets.values()].filter((w) => !w.committedId && !w.cancelled).length,
    importNow,
    close: async () => {
      clearInterval(poller);
      await importing?.catch(() => undefined);
      await server.close();
    },
  };
}
