import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { centsToDecimalString, MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { formatTerms } from '../../../core/erp/terms';
import { isErpError } from '../../../core/erp/errors';
import type { ErpSandboxSeed, RunningErpSandbox } from '../sandbox-types';
import { startSandboxServer, type RunningSandbox, type SandboxRequest, type SandboxResponse } from '../../kit/server';
import type { FaultPlan } from '../../kit/faults';
import type { RealFailure } from '../../conformance/conformance';
import { parseLockboxFile, type LockboxLayout } from '../../../core/erp/eclipse/lockbox-file';
import { ECLIPSE_OPTION_FIELDS } from '../../../core/erp/eclipse/options';

// A loopback Eclipse (docs/erp/eclipse.md cites each behaviour): POST
// /Sessions and the session token (the sessionToken header or
// "Authorization: SessionToken <token>"), 419 for a timed-out session and
// POST /Sessions/refresh {refreshToken}, {metadata, results} paging, GET
// /Customers, GET /SalesOrders whose generations are the invoices (amounts as
// {value} objects), the unconfirmed cash-receipt and credit-memo resources,
// and a lock-box importer standing in for the clerk who runs the upload. It
// accepts duplicate check numbers, as a real ERP would: refusing duplicates is
// the connector's job, and the tests prove it. The real failure modes are
// armed with `realFailure(...)`.

export const ECLIPSE_SANDBOX_USER = { username: 'tieout', password: 'sandbox-pass' } as const;
/** Signs in but lacks the AR posting role: POSTs answer 403. */
export const ECLIPSE_SANDBOX_VIEWER = { username: 'viewer', password: 'viewer-pass' } as const;

const MAX_PAGE = 500;

export type EclipseSandboxOptions = Readonly<{
  referenceField?: string;
  referenceMaxLength?: number;
  /** How often the stand-in clerk runs the lock-box upload; 0 = never on its own (tests call importNow). */
  importIntervalMs?: number;
}>;

type StoredReceipt = {
  id: string;
  customerId: string;
  receiptDate: string;
  amount: Cents;
  currency: string;
  paymentType: string;
  reference: string;
  /** A negative amount applies an open credit memo; discount is the early-payment discount taken on the invoice. */
  applications: Array<{ invoiceNumber: string; amount: Cents; discount: Cents }>;
  unapplied: Cents;
  source: 'api' | 'lockbox';
};

type StoredMemo = { id: string; customerId: string; memoDate: string; amount: Cents; currency: string; reference: string; originalReference: string; invoiceNumber: string; reason: string };

export type EclipseSandbox = RunningErpSandbox &
  Readonly<{
    url: string;
    faults: FaultPlan;
    lockboxFolder: string;
    expireSessions(): void;
    /** Arms a real failure mode in Eclipse's shape; returns the ERP text when the mode has one. */
    realFailure(failure: RealFailure): Readonly<{ erpText?: string }>;
    clearRealFailures(): void;
    /** Sessions opened by POST /Sessions, and refreshes answered, since the start. */
    signInCount(): number;
    refreshCount(): number;
    receiptCount(reference: string): number;
    openBalance(invoiceNo: string): number | null;
    /** Runs one import pass over the drop folder now (the poller also does). */
    importNow(): Promise<void>;
  }>;

const defaultOf = (key: string): string => String(ECLIPSE_OPTION_FIELDS.find((f) => f.key === key)!.default);

export async function startEclipseSandbox(seed: ErpSandboxSeed, opts: EclipseSandboxOptions = {}): Promise<EclipseSandbox> {
  const referenceField = opts.referenceField ?? defaultOf('referenceField');
  const referenceMaxLength = opts.referenceMaxLength ?? Number(defaultOf('referenceMaxLength'));
  const discountField = defaultOf('discountField');
  const paths = {
    refresh: defaultOf('sessionRefreshPath'),
    customers: defaultOf('customersPath'),
    invoices: defaultOf('openInvoicesPath'),
    receipts: defaultOf('cashReceiptsPath'),
    memos: defaultOf('creditMemosPath'),
  };
  const customers = new Map<string, Customer>(seed.customers.map((c) => [c.customerId, c]));
  const invoices = new Map<string, { invoice: OpenInvoice; open: Cents }>(seed.invoices.map((i) => [i.invoiceNo, { invoice: i, open: i.openBalanceCents }]));
  const invoiceOrder = [...invoices.keys()].sort();
  const receipts: StoredReceipt[] = [];
  const memos: StoredMemo[] = [];
  type Session = { id: string; userName: string; canPost: boolean; refreshToken: string; timedOut: boolean };
  const sessions = new Map<string, Session>();
  let seq = 100;
  // Each invoice is a generation of a sales order: a customer's consecutive invoices share an order, two generations at most.
  const orders: Array<{ id: string; customerId: string; generations: string[] }> = [];
  for (const n of invoiceOrder) {
    const last = orders[orders.length - 1];
    const customerId = invoices.get(n)!.invoice.customerId;
    if (last && last.customerId === customerId && last.generations.length < 2) last.generations.push(n);
    else orders.push({ id: `S${String(orders.length + 1).padStart(7, '0')}`, customerId, generations: [n] });
  }
  // Armed real failure modes: one-shot ones are consumed by the next receipt; the others last until cleared.
  const armed = new Set<RealFailure>();
  let signIns = 0;
  let refreshes = 0;
  const BUSINESS_REFUSAL = 'Cash receipt cannot be posted: the A/R period for this date is closed';

  const workDir = seed.workDir ?? (await mkdtemp(join(tmpdir(), 'tieout-eclipse-')));
  const lockboxFolder = join(workDir, 'lockbox');
  await mkdir(join(lockboxFolder, 'processed'), { recursive: true });
  await mkdir(join(lockboxFolder, 'rejected'), { recursive: true });

  const page = <T>(req: SandboxRequest, rows: readonly T[], render: (r: T) => unknown): SandboxResponse => {
    const startIndex = Math.max(0, Number(req.query.get('startIndex') ?? 0) || 0);
    const pageSize = Math.min(MAX_PAGE, Math.max(1, Number(req.query.get('pageSize') ?? 50) || 50));
    // Counted only when asked (public clients always send includeTotalItems=true).
    const counted = req.query.get('includeTotalItems') === 'true';
    return { status: 200, body: { metadata: { startIndex, pageSize, ...(counted ? { totalItems: rows.length } : {}) }, results: rows.slice(startIndex, startIndex + pageSize).map(render) } };
  };
  const bad = (message: string): SandboxResponse => ({ status: 400, body: { message } });

  const renderReceipt = (r: StoredReceipt) => ({
    id: r.id,
    customerId: r.customerId,
    receiptDate: r.receiptDate,
    amount: amountObject(r.amount),
    currency: r.currency,
    paymentType: r.paymentType,
    [referenceField]: r.reference,
    applications: r.applications.map((a) => ({ invoiceNumber: a.invoiceNumber, amount: amountObject(a.amount), ...(a.discount ? { [discountField]: amountObject(a.discount) } : {}) })),
    unappliedAmount: amountObject(r.unapplied),
  });
  const renderMemo = (m: StoredMemo) => ({
    id: m.id,
    customerId: m.customerId,
    memoDate: m.memoDate,
    amount: centsToDecimalString(m.amount),
    currency: m.currency,
    [referenceField]: m.reference,
    originalReference: m.originalReference,
    invoiceNumber: m.invoiceNumber,
    reason: m.reason,
  });

  /** Validates and applies a receipt; returns an error message or the stored receipt. */
  const applyReceipt = (input: Omit<StoredReceipt, 'id'>): string | StoredReceipt => {
    if (!customers.has(input.customerId)) return `Customer ${input.customerId} does not exist`;
    if (input.reference === '') return `${referenceField} is required`;
    if (input.reference.length > referenceMaxLength) return `${referenceField} exceeds ${referenceMaxLength} characters`;
    if (input.amount <= 0) return 'amount must be positive';
    let applied = 0;
    const seen = new Set<string>();
    for (const a of input.applications) {
      const inv = invoices.get(a.invoiceNumber);
      if (!inv) return `Invoice ${a.invoiceNumber} does not exist`;
      if (inv.invoice.customerId !== input.customerId) return `Invoice ${a.invoiceNumber} belongs to another customer`;
      if (seen.has(a.invoiceNumber)) return `Invoice ${a.invoiceNumber} is applied twice`;
      seen.add(a.invoiceNumber);
      if (a.discount < 0) return `Discount on invoice ${a.invoiceNumber} cannot be negative`;
      if (inv.open < 0) {
        // An open credit memo: consumed with a negative amount, no discount, never beyond what is left.
        if (a.amount >= 0) return `Credit memo ${a.invoiceNumber} must be applied with a negative amount`;
        if (a.discount !== 0) return `Credit memo ${a.invoiceNumber} cannot take a discount`;
        if (a.amount < inv.open) return `Amount applied to credit memo ${a.invoiceNumber} exceeds its open balance`;
      } else if (a.amount <= 0) return `Amount applied to invoice ${a.invoiceNumber} must be greater than zero`;
      else if (a.amount > inv.open) return `Amount applied to invoice ${a.invoiceNumber} exceeds its open balance`;
      else if (a.amount + a.discount > inv.open) return `Amount applied plus discount on invoice ${a.invoiceNumber} exceeds its open balance`;
      applied += a.amount;
    }
    if (applied + input.unapplied !== input.amount) return 'Applications plus unapplied amount do not equal the receipt amount';
    for (const a of input.applications) {
      const inv = invoices.get(a.invoiceNumber)!;
      inv.open = (inv.open - a.amount - a.discount) as Cents;
    }
    const stored: StoredReceipt = { ...input, id: `CR${String(++seq).padStart(6, '0')}` };
    receipts.push(stored);
    return stored;
  };

  const amountOf = (v: unknown, field: string): Cents | string => {
    try {
      return parseDecimalToCents(v);
    } catch (e) {
      if (e instanceof MoneyParseError) return `${field} is not a valid amount`;
      throw e;
    }
  };

  const jsonBody = (req: SandboxRequest): Record<string, unknown> | null => {
    try {
      return JSON.parse(req.bodyText) as Record<string, unknown>;
    } catch {
      return null;
    }
  };

  const postReceipt = (req: SandboxRequest, canPost: boolean): SandboxResponse => {
    if (!canPost) return { status: 403, body: { message: 'User lacks the AR cash receipt entry authorization' } };
    const b = jsonBody(req);
    if (!b) return bad('Request body is not valid JSON');
    if (armed.delete('business-refusal')) {
      // An ASP.NET Core problem body (the API is served by Kestrel on port 5000): title plus field errors.
      return { status: 400, body: { type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { receiptDate: [BUSINESS_REFUSAL] } } };
    }
    const amount = amountOf(b.amount, 'amount');
    if (typeof amount === 'string') return bad(amount);
    const unapplied = amountOf(b.unappliedAmount ?? '0', 'unappliedAmount');
    if (typeof unapplied === 'string') return bad(unapplied);
    const applications: StoredReceipt['applications'] = [];
    for (const a of Array.isArray(b.applications) ? (b.applications as Array<Record<string, unknown>>) : []) {
      const amt = amountOf(a.amount, 'applications.amount');
      if (typeof amt === 'string') return bad(amt);
      const discount = amountOf(a[discountField] ?? '0', `applications.${discountField}`);
      if (typeof discount === 'string') return bad(discount);
      for (const k of Object.keys(a)) if (!['invoiceNumber', 'amount', discountField].includes(k)) return bad(`Unknown application field ${k}`);
      applications.push({ invoiceNumber: String(a.invoiceNumber ?? ''), amount: amt, discount });
    }
    const input: Omit<StoredReceipt, 'id'> = {
      customerId: String(b.customerId ?? ''),
      receiptDate: String(b.receiptDate ?? ''),
      amount,
      currency: String(b.currency ?? 'USD'),
      paymentType: String(b.paymentType ?? ''),
      reference: String(b[referenceField] ?? ''),
      applications,
      unapplied,
      source: 'api',
    };
    if (armed.delete('accepted-not-booked')) {
      // Acknowledged in the success shape, nothing booked.
      return { status: 201, body: renderReceipt({ ...input, id: `CR${String(++seq).padStart(6, '0')}` }) };
    }
    const result = applyReceipt(armed.delete('partial-booking') ? withoutLastLine(input) : input);
    if (typeof result === 'string') return bad(result);
    return { status: 201, body: renderReceipt(result) };
  };

  const postMemo = (req: SandboxRequest, canPost: boolean): SandboxResponse => {
    if (!canPost) return { status: 403, body: { message: 'User lacks the AR credit memo authorization' } };
    const b = jsonBody(req);
    if (!b) return bad('Request body is not valid JSON');
    const amount = amountOf(b.amount, 'amount');
    if (typeof amount === 'string') return bad(amount);
    const customerId = String(b.customerId ?? '');
    if (!customers.has(customerId)) return bad(`Customer ${customerId} does not exist`);
    const reference = String(b[referenceField] ?? '');
    if (reference === '' || reference.length > referenceMaxLength) return bad(`${referenceField} is required and holds at most ${referenceMaxLength} characters`);
    const memo: StoredMemo = {
      id: `CM${String(++seq).padStart(6, '0')}`,
      customerId,
      memoDate: String(b.memoDate ?? ''),
      amount,
      currency: String(b.currency ?? 'USD'),
      reference,
      originalReference: String(b.originalReference ?? ''),
      invoiceNumber: String(b.invoiceNumber ?? ''),
      reason: String(b.reason ?? ''),
    };
    memos.push(memo);
    return { status: 201, body: renderMemo(memo) };
  };

  /** The receipt booked without its last application: that line's cash stays unapplied (the line Eclipse could not match). */
  const withoutLastLine = (input: Omit<StoredReceipt, 'id'>): Omit<StoredReceipt, 'id'> => {
    const last = input.applications[input.applications.length - 1];
    if (!last) return input;
    return { ...input, applications: input.applications.slice(0, -1), unapplied: (input.unapplied + last.amount) as Cents };
  };

  const tokenOf = (req: SandboxRequest): string | undefined => {
    const header = req.headers['sessiontoken'];
    if (typeof header === 'string' && header !== '') return header;
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^SessionToken\s+(.+)$/i.exec(auth) : null;
    return m ? m[1]!.trim() : undefined;
  };

  /** POST /Sessions/refresh {sessionId} or {refreshToken} (public clients send either): the old token is retired, a new one issued for the same session. */
  const refreshSession = (req: SandboxRequest): SandboxResponse => {
    const b = jsonBody(req);
    const refreshToken = typeof b?.refreshToken === 'string' ? b.refreshToken : '';
    const sessionId = typeof b?.sessionId === 'string' ? b.sessionId : '';
    const entry = [...sessions.entries()].find(([, s]) => (refreshToken !== '' && s.refreshToken === refreshToken) || (sessionId !== '' && s.id === sessionId));
    if (!entry) return { status: 401, body: { message: 'Invalid refresh token' } };
    const [oldToken, old] = entry;
    sessions.delete(oldToken);
    const token = randomBytes(24).toString('base64url');
    const next: Session = { ...old, refreshToken: randomBytes(24).toString('base64url'), timedOut: false };
    sessions.set(token, next);
    refreshes++;
    const now = new Date().toISOString();
    return { status: 200, body: { id: next.id, sessionToken: token, refreshToken: next.refreshToken, creationDateTime: now, lastUsedDateTime: now } };
  };

  // Contacts as a public client reads them: emails[{address}].
  const renderCustomer = (c: Customer) => ({ id: c.customerId, name: c.name, emails: c.email ? [{ address: c.email }] : [] });

  const amountObject = (c: Cents) => ({ value: Number(centsToDecimalString(c)) });

  const renderOrder = (order: (typeof orders)[number]) => {
    const first = invoices.get(order.generations[0]!)!.invoice;
    const name = first.customerName ?? customers.get(order.customerId)?.name ?? '';
    return {
      id: order.id,
      generations: order.generations.map((n, i) => {
        const { invoice: inv, open } = invoices.get(n)!;
        return {
          generationId: i + 1,
          // Real ones read "S105418530.001"; the sandbox keeps the seed's numbers so matching tests stay about matching.
          fullInvoiceID: inv.invoiceNo,
          shipDate: inv.invoiceDate,
          dueDate: inv.dueDate,
          billToId: order.customerId,
          billToName: name,
          shipToId: order.customerId,
          shipToName: name,
          poNumber: inv.poNo,
          currency: inv.currency,
          terms: inv.terms ? formatTerms(inv.terms).toUpperCase() : open < 0 ? '' : 'NET 30',
          salesTotal: amountObject(inv.amountCents),
          // A renamed balance field is how an Eclipse of another version breaks the open-item read.
          ...(armed.has('unknown-read-field') ? { openBalance: amountObject(open) } : { balanceDue: amountObject(open) }),
        };
      }),
    };
  };

  const handler = (req: SandboxRequest): SandboxResponse => {
    if (req.method === 'POST' && req.path === '/Sessions') {
      let b: Record<string, unknown>;
      try {
        b = JSON.parse(req.bodyText) as Record<string, unknown>;
      } catch {
        return bad('Request body is not valid JSON');
      }
      const known = [ECLIPSE_SANDBOX_USER, ECLIPSE_SANDBOX_VIEWER].find((u) => u.username === b.username && u.password === b.password);
      if (!known) return { status: 401, body: { message: 'Invalid username or password' } };
      const id = String(10_000_000 + sessions.size + 1);
      const token = randomBytes(24).toString('base64url');
      const refreshToken = randomBytes(24).toString('base64url');
      signIns++;
      sessions.set(token, { id, userName: known.username, canPost: known === ECLIPSE_SANDBOX_USER, refreshToken, timedOut: false });
      const now = new Date().toISOString();
      return {
        status: 200,
        body: {
          id,
          sessionUser: { id: known.username.toUpperCase(), userName: known.username, type: 'Employee', roles: [{ id: known === ECLIPSE_SANDBOX_USER ? 'AR_CASH' : 'AR_INQUIRY' }], companies: [{ id: '1' }] },
          sessionToken: token,
          refreshToken,
          applicationKey: null,
          developerKey: null,
          workstationId: null,
          printerLocationId: null,
          creationDateTime: now,
          lastUsedDateTime: now,
        },
      };
    }
    if (req.method === 'POST' && req.path === paths.refresh) return refreshSession(req);
    const token = tokenOf(req);
    const session = token === undefined ? undefined : sessions.get(token);
    if (!session) return { status: 401, body: { message: 'Invalid or expired session' } };
    if (session.timedOut) return { status: 419, body: { message: 'Session timed out' } };
    if (req.method === 'DELETE' && req.path.startsWith('/Sessions/')) {
      sessions.delete(token as string);
      return { status: 204 };
    }
    if (req.method === 'GET' && req.path === paths.customers) return page(req, [...customers.values()], renderCustomer);
    if (req.method === 'GET' && req.path === paths.invoices) {
      // Every sales order, settled generations too (balanceDue 0); open credits are generations with a negative balance.
      // ShipTo narrows to one ship-to as a public client asks; OrderStatus=Invoice is what every order here is.
      const shipTo = req.query.get('ShipTo');
      const status = req.query.get('OrderStatus');
      const listed = orders.filter((o) => (shipTo === null || o.customerId === shipTo) && (status === null || status === 'Invoice'));
      return page(req, listed, renderOrder);
    }
    if (req.method === 'GET' && req.path.startsWith(`${paths.invoices}/`)) {
      const order = orders.find((o) => o.id === decodeURIComponent(req.path.slice(paths.invoices.length + 1)));
      return order ? { status: 200, body: renderOrder(order) } : { status: 404, body: { message: `Sales order not found` } };
    }
    if (req.method === 'GET' && req.path.startsWith(`${paths.customers}/`)) {
      const c = customers.get(decodeURIComponent(req.path.slice(paths.customers.length + 1)));
      return c ? { status: 200, body: renderCustomer(c) } : { status: 404, body: { message: 'Customer not found' } };
    }
    if (req.method === 'GET' && req.path === '/swagger/v1/swagger.json') {
      const listed = [paths.refresh, paths.customers, `${paths.customers}/{id}`, paths.invoices, `${paths.invoices}/{id}`, '/Sessions', '/Sessions/{id}'];
      return { status: 200, body: { openapi: '3.0.1', info: { title: 'Eclipse API (Tieout sandbox)', version: 'sandbox' }, paths: Object.fromEntries(listed.map((p) => [p, {}])) } };
    }
    if (req.path === paths.receipts && armed.has('receipt-service-unavailable')) {
      // The resource is not there on this Eclipse: ASP.NET routing answers 404 with no body.
      return { status: 404, body: '' };
    }
    if (req.path === paths.receipts) {
      if (req.method === 'POST') return postReceipt(req, session.canPost);
      const ref = req.query.get(referenceField);
      return page(req, ref === null ? receipts : receipts.filter((r) => r.reference === ref), renderReceipt);
    }
    if (req.path === paths.memos) {
      if (req.method === 'POST') return postMemo(req, session.canPost);
      const ref = req.query.get(referenceField);
      return page(req, ref === null ? memos : memos.filter((m) => m.reference === ref), renderMemo);
    }
    return { status: 404, body: { message: `No resource at ${req.method} ${req.path}` } };
  };

  // ---- lock-box importer ---------------------------------------------------

  let importing: Promise<void> | null = null;
  const importOnce = async (): Promise<void> => {
    const names = (await readdir(lockboxFolder).catch(() => [] as string[])).filter((n) => !n.startsWith('.') && /\.(csv|txt)$/.test(n)).sort();
    for (const name of names) {
      const file = join(lockboxFolder, name);
      const layout: LockboxLayout = name.endsWith('.csv') ? 'csv' : 'fixed-width';
      let error: string | null = null;
      try {
        const parsed = parseLockboxFile(await readFile(file, 'utf8'), layout);
        const first = parsed.details[0];
        if (!first) throw new Error('the file has no detail records');
        const applications = parsed.details.filter((d) => d.invoiceNo !== '').map((d) => ({ invoiceNumber: d.invoiceNo, amount: d.amountCents, discount: (d.discountCents ?? 0) as Cents }));
        const unapplied = parsed.details.filter((d) => d.invoiceNo === '').reduce((s, d) => s + d.amountCents, 0) as Cents;
        const input: Omit<StoredReceipt, 'id'> = {
          customerId: first.customerId,
          receiptDate: first.date,
          amount: parsed.totalCents,
          currency: parsed.currency,
          paymentType: first.method,
          reference: first.reference,
          applications,
          unapplied,
          source: 'lockbox',
        };
        // Upload acknowledged (the file is taken), nothing applied: the batch sits unreviewed.
        const result = armed.delete('accepted-not-booked') ? null : applyReceipt(armed.delete('partial-booking') ? withoutLastLine(input) : input);
        if (typeof result === 'string') error = result;
      } catch (e) {
        error = isErpError(e) || e instanceof Error ? e.message : 'unreadable file';
      }
      if (error === null) await rename(file, join(lockboxFolder, 'processed', name));
      else {
        await writeFile(join(lockboxFolder, 'rejected', `${name}.err`), `${error}\n`, 'utf8');
        await rename(file, join(lockboxFolder, 'rejected', name));
      }
    }
  };
  const importNow = (): Promise<void> => {
    importing ??= importOnce().finally(() => {
      importing = null;
    });
    return importing;
  };
  const interval = opts.importIntervalMs ?? 100;
  const poller =
    interval > 0
      ? setInterval(() => {
          if (existsSync(lockboxFolder)) void importNow().catch(() => undefined);
        }, interval)
      : null;
  poller?.unref();

  const realFailure = (failure: RealFailure): Readonly<{ erpText?: string }> => {
    if (failure === 'session-timeout') {
      // Eclipse's timeout signal: the next call with any current token answers 419; the refresh token still works.
      for (const s of sessions.values()) s.timedOut = true;
      return {};
    }
    armed.add(failure);
    return failure === 'business-refusal' ? { erpText: BUSINESS_REFUSAL } : {};
  };

  const server: RunningSandbox = await startSandboxServer({
    name: 'eclipse',
    port: seed.port,
    handler,
    control: {
      'expire-sessions': () => {
        sessions.clear();
        return { ok: true };
      },
      'time-out-sessions': () => {
        realFailure('session-timeout');
        return { ok: true };
      },
      receipts: (body) => {
        const ref = (body as { reference?: string } | undefined)?.reference ?? '';
        return { count: receipts.filter((r) => r.reference === ref).length };
      },
      'open-balance': (body) => {
        const inv = invoices.get((body as { invoiceNo?: string } | undefined)?.invoiceNo ?? '');
        return { openBalanceCents: inv && inv.open !== 0 ? inv.open : null };
      },
      import: async () => {
        await importNow();
        return { ok: true };
      },
    },
  });

  return {
    url: server.url,
    baseUrl: server.url,
    faults: server.faults,
    lockboxFolder,
    options: { lockboxFolder, referenceField, referenceMaxLength },
    credentials: { ...ECLIPSE_SANDBOX_USER },
    expireSessions: () => sessions.clear(),
    realFailure,
    clearRealFailures: () => armed.clear(),
    signInCount: () => signIns,
    refreshCount: () => refreshes,
    receiptCount: (reference) => receipts.filter((r) => r.reference === reference).length,
    openBalance: (invoiceNo) => {
      const inv = invoices.get(invoiceNo);
      return inv && inv.open !== 0 ? inv.open : null;
    },
    importNow,
    close: async () => {
      if (poller) clearInterval(poller);
      await importing?.catch(() => undefined);
      await server.close();
    },
  };
}
