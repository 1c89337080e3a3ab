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
import { ABAS_MEDIA_TYPE } from '../../../core/erp/abas/objects';
import { ABAS_OPTION_FIELDS } from '../../../core/erp/abas/options';

// A loopback abas "mw" REST middleware: Basic auth (empty user + password) or
// OAuth2 client credentials from a Keycloak-style token endpoint; obj/data
// queries with criteria/headFields/filterTableFields/limit/offset; the editor
// flow (commands/NEW → actions → Commit → CLOSE / CANCEL); and an MT940
// importer polling a folder like abas's bank-statement import. Duplicate
// references are accepted, as the real ERP would: the connector must refuse them.

export const ABAS_SANDBOX_TENANT = 'demo';
export const ABAS_SANDBOX_PASSWORD = 'sandbox-pass';
export const ABAS_SANDBOX_CLIENT = { username: 'tieout-client', password: 'sandbox-secret' } as const;
export const ABAS_TOKEN_PATH = '/auth/realms/abas/protocol/openid-connect/token';

type Fields = Record<string, string>;
type AbasRecord = { id: string; head: Fields; rows: Fields[] };
type WorkingSet = { id: string; dbGroup: string; head: Fields; rows: Fields[]; current: number; committedId: string | null };

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
    /** Clears the fault plan and any armed Commit faults. */
    resetFaults(): void;
    openWorkingSets(): number;
    importNow(): Promise<void>;
  }>;

const def = (key: string): string => String(ABAS_OPTION_FIELDS.find((f) => f.key === key)!.default);

export async function startAbasSandbox(seed: ErpSandboxSeed, opts: Readonly<{ importIntervalMs?: number; tokenLifetimeSeconds?: number }> = {}): Promise<AbasSandbox> {
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

  const workDir = seed.workDir ?? (await mkdtemp(join(tmpdir(), 'tieout-abas-')));
  const mt940Folder = join(workDir, 'mt940');
  await mkdir(join(mt940Folder, 'processed'), { recursive: true });
  await mkdir(join(mt940Folder, 'rejected'), { recursive: true });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse => ({ status, body, headers: { 'content-type': `${ABAS_MEDIA_TYPE}; charset=utf-8`, ...headers } });
  const error = (status: number, errorMessage: string, wsId?: string): SandboxResponse =>
    json(status, { errorMessage, ...(wsId ? { links: [{ rel: 'up', href: `${root}/workingsets/${wsId}` }] } : {}) });
  const render = (id: string, head: Fields, rows: Fields[], headFields: string[] | null, tableFields: string[] | null, dbGroup: string) => ({
    id,
    head: { fields: Object.fromEntries(Object.entries(head).filter(([k]) => !headFields || headFields.includes(k)).map(([k, v]) => [k, { value: v, text: v }])) },
    table: tableFields ? rows.map((r) => ({ fields: Object.fromEntries(Object.entries(r).filter(([k]) => tableFields.includes(k)).map(([k, v]) => [k, { value: v, text: v }])) })) : [],
    meta: { rowCount: rows.length, link: { href: `${root}/obj/data/${dbGroup}/${id}` } },
  });

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
    const headFields = req.query.get('headFields')?.split(',').filter(Boolean) ?? null;
    const tableFields = req.query.get('filterTableFields')?.split(',').filter(Boolean) ?? null;
    for (const f of headFields ?? []) if (!knownFields[dbGroup]!.includes(f)) return error(400, `Field ${f} does not exist in ${dbGroup}`);
    for (const f of tableFields ?? []) if (!knownRowFields.includes(f)) return error(400, `Table field ${f} does not exist in ${dbGroup}`);
    const limit = Math.min(1000, Math.max(1, Number(req.query.get('limit') ?? 100) || 100));
    const offset = Math.max(0, Number(req.query.get('offset') ?? 0) || 0);
    let all: AbasRecord[];
    if (dbGroup === groups.customers) all = [...customers.values()].map((c) => ({ id: `(${c.customerId},0,1)`, head: customerHead(c), rows: [] }));
    else if (dbGroup === groups.openItems) all = invoiceOrder.filter((n) => invoices.get(n)!.open !== 0).map((n) => ({ id: `(${n},7,5)`, head: openItemHead(n), rows: [] }));
    else all = stored[dbGroup]!;
    const hits = all.filter((r) => matches(r.head, req.query.get('criteria')));
    return json(200, { content: { data: { erpDataObjects: hits.slice(offset, offset + limit).map((r) => render(r.id, r.head, r.rows, headFields, tableFields, dbGroup)) } } });
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

  const wsLinks = (ws: WorkingSet) => [
    { rel: 'self', href: `${root}/workingsets/${ws.id}` },
    { rel: 'urn:abas:rel:workingSet:CLOSE', href: `${root}/workingsets/${ws.id}/commands/CLOSE` },
    ...(ws.committedId ? [] : [{ rel: 'urn:abas:rel:workingSet:CANCEL', href: `${root}/workingsets/${ws.id}/commands/CANCEL` }]),
  ];

  const editorPost = (req: SandboxRequest, ws: WorkingSet): SandboxResponse => {
    if (ws.committedId) return error(409, 'Working set is already committed', ws.id);
    let body: { actions?: Array<Record<string, string>> };
    try {
      body = JSON.parse(req.bodyText) as typeof body;
    } catch {
      return error(400, 'Body is not valid JSON', ws.id);
    }
    const actions = Array.isArray(body.actions) ? body.actions : [];
    let commit = false;
    for (const a of actions) {
      if (a._type === 'SetFieldValue') {
        const field = a.fieldName ?? '';
        if (a.rowSpec !== undefined) {
          if (!knownRowFields.includes(field)) return error(400, `Table field ${field} does not exist in ${ws.dbGroup}`, ws.id);
          const row = a.rowSpec === '.' ? ws.rows[ws.current] : ws.rows[Number(a.rowSpec) - 1];
          if (!row) return error(400, `Row ${a.rowSpec} does not exist`, ws.id);
          row[field] = a.value ?? '';
        } else {
          if (!knownFields[ws.dbGroup]!.includes(field)) return error(400, `Field ${field} does not exist in ${ws.dbGroup}`, ws.id);
          ws.head[field] = a.value ?? '';
        }
      } else if (a._type === 'InsertRow') {
        ws.rows.push({});
        ws.current = ws.rows.length - 1;
      } else if (a._type === 'Commit') commit = true;
      else return error(400, `Unknown action ${a._type}`, ws.id);
    }
    if (!commit) {
      const armed = armedCommitFaults.shift();
      // The next POST to this working set is its Commit: aim the armed fault at it.
      if (armed && faults) faults.add({ fault: armed, method: 'POST', pathPrefix: `${root}/workingsets/${ws.id}`, times: 1 });
      return json(200, { content: { data: { id: ws.id, links: wsLinks(ws) } } });
    }
    const result = book(ws.dbGroup, ws.head, ws.rows);
    if (typeof result === 'string') return error(400, result, ws.id);
    ws.committedId = result.id;
    return json(200, {
      content: {
        data: {
          id: result.id,
          links: [{ rel: 'latest-version', href: `${root}/obj/data/${ws.dbGroup}/${encodeURIComponent(result.id)}` }, ...wsLinks(ws)],
        },
      },
    });
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
    if (!req.path.startsWith(`${root}/`)) return error(404, `Unknown tenant or path ${req.path}`);
    if (!authorised(req)) return error(401, 'Authentication required');
    const rest = req.path.slice(root.length + 1);

    const obj = /^obj\/data\/(\d+:\d+)(?:\/(.+))?$/.exec(rest);
    if (obj) {
      const dbGroup = obj[1]!;
      if (!knownFields[dbGroup]) return error(404, `Database group ${dbGroup} is not available`);
      const tail = obj[2];
      if (req.method === 'POST' && tail === 'commands/NEW') {
        if (dbGroup !== groups.payments && dbGroup !== groups.memos) return error(403, `NEW is not allowed for ${dbGroup}`);
        const ws: WorkingSet = { id: randomBytes(8).toString('hex'), dbGroup, head: {}, rows: [], current: -1, committedId: null };
        workingSets.set(ws.id, ws);
        return json(201, { content: { data: { id: ws.id, links: wsLinks(ws) } } }, { location: `${root}/workingsets/${ws.id}` });
      }
      if (req.method === 'GET' && tail === undefined) return query(req, dbGroup);
      if (req.method === 'GET' && tail !== undefined) {
        const id = decodeURIComponent(tail);
        const rec = (stored[dbGroup] ?? []).find((r) => r.id === id);
        if (!rec) return error(404, `Object ${id} not found`);
        const headFields = req.query.get('headFields')?.split(',').filter(Boolean) ?? null;
        const tableFields = req.query.get('filterTableFields')?.split(',').filter(Boolean) ?? null;
        return json(200, { content: { data: { erpDataObjects: [render(rec.id, rec.head, rec.rows, headFields, tableFields, dbGroup)] } } });
      }
      return error(405, `${req.method} is not supported on ${rest}`);
    }

    const wsMatch = /^workingsets\/([0-9a-f]+)(?:\/commands\/(CLOSE|CANCEL))?$/.exec(rest);
    if (wsMatch) {
      const ws = workingSets.get(wsMatch[1]!);
      if (!ws) return error(404, 'Working set not found');
      const command = wsMatch[2];
      if (req.method === 'GET' && !command) return json(200, { content: { data: { id: ws.id, links: wsLinks(ws) } } });
      if (req.method === 'POST' && command === 'CLOSE') {
        workingSets.delete(ws.id);
        return json(200, { content: { data: { id: ws.committedId ?? ws.id } } });
      }
      if (req.method === 'POST' && command === 'CANCEL') {
        if (ws.committedId) return error(409, 'Working set is already committed', ws.id);
        workingSets.delete(ws.id);
        return json(200, { content: { data: { id: ws.id } } });
      }
      if (req.method === 'POST' && !command) return editorPost(req, ws);
    }
    return error(404, `No resource at ${req.method} ${req.path}`);
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
        const result = book(groups.payments, head, rows);
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
    handler,
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
      server.faults.reset();
    },
    openWorkingSets: () => [...workingSets.values()].filter((w) => !w.committedId).length,
    importNow,
    close: async () => {
      clearInterval(poller);
      await importing?.catch(() => undefined);
      await server.close();
    },
  };
}
