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
import { parseLockboxFile, type LockboxLayout } from '../../../core/erp/eclipse/lockbox-file';
import { ECLIPSE_OPTION_FIELDS } from '../../../core/erp/eclipse/options';

// A loopback Eclipse: POST /Sessions + sessionToken header, {metadata,
// results} paging, the AR resources at the (unconfirmed) default paths, and a
// lock-box importer that polls a drop folder the way Eclipse's Cash Receipts
// batch import would. It accepts duplicate check numbers, as a real ERP
// would: refusing duplicates is the connector's job, and the tests prove it.

export const ECLIPSE_SANDBOX_USER = { username: 'tieout', password: 'sandbox-pass' } as const;
/** Signs in but lacks the AR posting role: POSTs answer 403. */
export const ECLIPSE_SANDBOX_VIEWER = { username: 'viewer', password: 'viewer-pass' } as const;

const MAX_PAGE = 500;

export type EclipseSandboxOptions = Readonly<{
  referenceField?: string;
  referenceMaxLength?: number;
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
  const sessions = new Map<string, { id: string; userName: string; canPost: boolean }>();
  let seq = 100;

  const workDir = seed.workDir ?? (await mkdtemp(join(tmpdir(), 'tieout-eclipse-')));
  const lockboxFolder = join(workDir, 'lockbox');
  await mkdir(join(lockboxFolder, 'processed'), { recursive: true });
  await mkdir(join(lockboxFolder, 'rejected'), { recursive: true });

  const page = <T>(req: SandboxRequest, rows: readonly T[], render: (r: T) => unknown): SandboxResponse => {
    const startIndex = Math.max(0, Number(req.query.get('startIndex') ?? 0) || 0);
    const pageSize = Math.min(MAX_PAGE, Math.max(1, Number(req.query.get('pageSize') ?? 50) || 50));
    return { status: 200, body: { metadata: { startIndex, pageSize, totalItems: rows.length }, results: rows.slice(startIndex, startIndex + pageSize).map(render) } };
  };
  const bad = (message: string): SandboxResponse => ({ status: 400, body: { message } });

  const renderReceipt = (r: StoredReceipt) => ({
    id: r.id,
    customerId: r.customerId,
    receiptDate: r.receiptDate,
    amount: centsToDecimalString(r.amount),
    currency: r.currency,
    paymentType: r.paymentType,
    [referenceField]: r.reference,
    applications: r.applications.map((a) => ({ invoiceNumber: a.invoiceNumber, amount: centsToDecimalString(a.amount), ...(a.discount ? { [discountField]: centsToDecimalString(a.discount) } : {}) })),
    unappliedAmount: centsToDecimalString(r.unapplied),
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
    const result = applyReceipt({
      customerId: String(b.customerId ?? ''),
      receiptDate: String(b.receiptDate ?? ''),
      amount,
      currency: String(b.currency ?? 'USD'),
      paymentType: String(b.paymentType ?? ''),
      reference: String(b[referenceField] ?? ''),
      applications,
      unapplied,
      source: 'api',
    });
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
      sessions.set(token, { id, userName: known.username, canPost: known === ECLIPSE_SANDBOX_USER });
      const now = new Date().toISOString();
      return {
        status: 200,
        body: {
          id,
          sessionUser: { id: known.username.toUpperCase(), userName: known.username, type: 'Employee', roles: [{ id: known === ECLIPSE_SANDBOX_USER ? 'AR_CASH' : 'AR_INQUIRY' }], companies: [{ id: '1' }] },
          sessionToken: token,
          refreshToken: randomBytes(24).toString('base64url'),
          applicationKey: null,
          developerKey: null,
          workstationId: null,
          printerLocationId: null,
          creationDateTime: now,
          lastUsedDateTime: now,
        },
      };
    }
    const token = req.headers['sessiontoken'];
    const session = typeof token === 'string' ? sessions.get(token) : undefined;
    if (!session) return { status: 401, body: { message: 'Invalid or expired session' } };
    if (req.method === 'DELETE' && req.path.startsWith('/Sessions/')) {
      sessions.delete(token as string);
      return { status: 204 };
    }
    if (req.method === 'GET' && req.path === paths.customers) return page(req, [...customers.values()], (c) => ({ id: c.customerId, name: c.name, email: c.email ?? null }));
    if (req.method === 'GET' && req.path === paths.invoices) {
      // Open credits are listed with the invoices, with a negative open amount.
      const open = invoiceOrder.map((n) => invoices.get(n)!).filter((i) => i.open !== 0);
      return page(req, open, ({ invoice: i, open: o }) => ({
        invoiceNumber: i.invoiceNo,
        customerId: i.customerId,
        customerName: i.customerName ?? customers.get(i.customerId)?.name ?? '',
        invoiceDate: i.invoiceDate,
        dueDate: i.dueDate,
        originalAmount: centsToDecimalString(i.amountCents),
        openAmount: centsToDecimalString(o),
        currency: i.currency,
        poNumber: i.poNo,
        terms: i.terms ? formatTerms(i.terms).toUpperCase() : o < 0 ? '' : 'NET 30',
      }));
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
        const result = applyReceipt({
          customerId: first.customerId,
          receiptDate: first.date,
          amount: parsed.totalCents,
          currency: parsed.currency,
          paymentType: first.method,
          reference: first.reference,
          applications,
          unapplied,
          source: 'lockbox',
        });
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
  const poller = setInterval(() => {
    if (existsSync(lockboxFolder)) void importNow().catch(() => undefined);
  }, opts.importIntervalMs ?? 100);
  poller.unref();

  const server: RunningSandbox = await startSandboxServer({
    name: 'eclipse',
    port: seed.port,
    handler,
    control: {
      'expire-sessions': () => {
        sessions.clear();
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
    receiptCount: (reference) => receipts.filter((r) => r.reference === reference).length,
    openBalance: (invoiceNo) => {
      const inv = invoices.get(invoiceNo);
      return inv && inv.open !== 0 ? inv.open : null;
    },
    importNow,
    close: async () => {
      clearInterval(poller);
      await importing?.catch(() => undefined);
      await server.close();
    },
  };
}
