import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { OpenInvoice } from '@shared/domain';
import { buildDemoWorld, erpOpenItems } from '../../electron/sandboxes/demo/world';
import { collectPages, type ReceiptRequest } from '../../electron/core/erp/connector';
import { expectErp, invoicePairs } from '../support/erp-fixtures';
import { optionDefaults } from '../../electron/core/erp/kind-module';
import { EclipseConnector, eclipseModule } from '../../electron/core/erp/eclipse';
import { ECLIPSE_SANDBOX_VIEWER, startEclipseSandbox, type EclipseSandbox } from '../../electron/sandboxes/erp/eclipse/sandbox';
import { parseLockboxFile } from '../../electron/core/erp/eclipse/lockbox-file';
import { verifyFoundReceipt } from '../../electron/core/erp/read-back';

const world = buildDemoWorld({ seed: 11, now: new Date('2026-03-02T15:00:00Z'), customers: 30, payments: 150 });

const nextPair = invoicePairs(world.invoices);

function receiptFor(reference: string, [a, b]: [OpenInvoice, OpenInvoice], extraCents = 0): ReceiptRequest {
  const amount = cents(a.openBalanceCents + b.openBalanceCents + extraCents);
  return {
    reference,
    customerId: a.customerId,
    date: '2026-03-02',
    amountCents: amount,
    currency: 'USD',
    paymentMethod: 'card',
    cardBrand: 'VISA',
    allocations: [
      { invoiceNo: a.invoiceNo, amountCents: a.openBalanceCents },
      { invoiceNo: b.invoiceNo, amountCents: b.openBalanceCents },
    ],
    ...(extraCents > 0 ? { unappliedCents: cents(extraCents) } : {}),
  };
}

describe('Eclipse connector against its sandbox (API posting)', () => {
  let sandbox: EclipseSandbox;
  const make = (extra: Record<string, string | number> = {}, timeoutMs = 2_000, credentials = sandbox.credentials) =>
    new EclipseConnector({ baseUrl: sandbox.baseUrl, options: { ...optionDefaults(eclipseModule.optionFields), ...sandbox.options, ...extra }, credentials, timeoutMs });

  beforeAll(async () => {
    sandbox = await startEclipseSandbox({ customers: world.customers, invoices: world.invoices });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.faults.reset());

  it('diagnoses a good connection, bad credentials, a missing role and an unreachable host', async () => {
    const ok = await make().testConnection();
    expect(ok.ok).toBe(true);
    expect(ok.summary).toMatch(/^Signed in as tieout; [\d,]+ invoiced sales orders and 30 customers readable; posting by API\.$/);

    const bad = await make({}, 2_000, { username: 'tieout', password: 'nope' }).testConnection();
    expect(bad.ok).toBe(false);
    expect(bad.summary).toContain('refused the user name or password');
    expect(JSON.stringify(bad)).not.toContain('nope');

    const wrongPath = await make({ openInvoicesPath: '/AR/Invoices' }).testConnection();
    expect(wrongPath.ok).toBe(false);
    expect(wrongPath.summary).toContain('/swagger');

    const down = await new EclipseConnector({ baseUrl: 'http://127.0.0.1:1', options: {}, credentials: sandbox.credentials, timeoutMs: 1_000 }).testConnection();
    expect(down.ok).toBe(false);
    expect(down.summary).toContain('Cannot reach Eclipse');
  });

  it('refuses a post for a user without the AR role as a permission error', async () => {
    const viewer = make({}, 2_000, { ...ECLIPSE_SANDBOX_VIEWER });
    const pair = nextPair();
    const e = await expectErp(viewer.postReceipt(receiptFor('VIEW-1', pair)), 'permission');
    expect(e.erpMessage).toContain('authorization');
    expect(sandbox.receiptCount('VIEW-1')).toBe(0);
  });

  it('pages open invoices and customers with startIndex/pageSize', async () => {
    const c = make({ pageSize: 7 });
    const pages: number[] = [];
    const all: OpenInvoice[] = [];
    for await (const p of c.listOpenInvoices()) {
      pages.push(p.length);
      all.push(...p);
    }
    expect(pages.length).toBeGreaterThan(3);
    expect(new Set(all.map((i) => i.invoiceNo)).size).toBe(all.length);
    expect(all.length).toBe(world.invoices.filter((i) => sandbox.openBalance(i.invoiceNo) !== null).length);
    const customers = await collectPages(c.listCustomers());
    expect(customers.map((x) => x.customerId).sort()).toEqual(world.customers.map((x) => x.customerId).sort());
    const since = await collectPages(c.listOpenInvoices({ since: '2026-02-20' }));
    expect(since.every((i) => i.invoiceDate >= '2026-02-20')).toBe(true);
  });

  it('posts a receipt applied to two invoices, reads it back and refuses the same reference by look-up', async () => {
    const c = make();
    const pair = nextPair();
    const rec = await c.postReceipt(receiptFor('412000001', pair, 125));
    expect(rec.reference).toBe('412000001');
    expect(rec.allocations).toHaveLength(2);
    expect(sandbox.openBalance(pair[0].invoiceNo)).toBeNull();
    const back = await c.findReceipt('412000001');
    expect(back).toEqual(rec);
    expect(back?.amountCents).toBe(pair[0].openBalanceCents + pair[1].openBalanceCents + 125);

    const dup = await expectErp(c.postReceipt(receiptFor('412000001', pair, 125)), 'duplicate');
    expect(dup.existingDocumentId).toBe(rec.erpDocumentId);
    expect(sandbox.receiptCount('412000001')).toBe(1);
    expect(await c.findReceipt('412000999')).toBeNull();
  });

  it("passes the ERP's own validation message through", async () => {
    const c = make();
    const [a, b] = nextPair();
    const over: ReceiptRequest = { ...receiptFor('412000002', [a, b]), allocations: [{ invoiceNo: a.invoiceNo, amountCents: cents(a.openBalanceCents + 1) }, { invoiceNo: b.invoiceNo, amountCents: cents(b.openBalanceCents - 1) }] };
    const e = await expectErp(c.postReceipt(over), 'validation');
    expect(e.erpMessage).toContain('exceeds its open balance');
    await expectErp(c.postReceipt({ ...receiptFor('X'.repeat(21), [a, b]) }), 'validation');
    expect(sandbox.receiptCount('412000002')).toBe(0);
  });

  it('signs in again when the session expires mid-run', async () => {
    const c = make({ pageSize: 5 });
    const it1 = c.listOpenInvoices()[Symbol.asyncIterator]();
    const first = await it1.next();
    expect(first.done).toBe(false);
    sandbox.expireSessions();
    const second = await it1.next();
    expect(second.done).toBe(false);
    sandbox.expireSessions();
    const rec = await c.postReceipt(receiptFor('412000003', nextPair()));
    expect(rec.erpDocumentId).toMatch(/^CR/);
  });

  it('types 500, 429 and a read timeout as transient and writes nothing', async () => {
    const c = make({}, 800);
    const pair = nextPair();
    sandbox.faults.add({ fault: { kind: 'status', status: 500 }, method: 'POST', times: 1 });
    await expectErp(c.postReceipt(receiptFor('412000004', pair)), 'transient');
    sandbox.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 7 }, times: 1 });
    const e = await expectErp(c.findReceipt('412000004'), 'transient');
    expect(e.retryAfterSeconds).toBe(7);
    sandbox.faults.add({ fault: { kind: 'timeout' }, method: 'GET', times: 1 });
    await expectErp(collectPages(c.listCustomers()), 'transient');
    sandbox.faults.add({ fault: { kind: 'malformed' }, method: 'GET', times: 1 });
    await expectErp(collectPages(c.listCustomers()), 'malformed');
    expect(sandbox.receiptCount('412000004')).toBe(0);
    expect((await c.postReceipt(receiptFor('412000004', pair))).reference).toBe('412000004');
  });

  it('reports a reply lost after commit as unknown_outcome, resolved by the look-up', async () => {
    const c = make({}, 1_000);
    const pair = nextPair();
    sandbox.faults.add({ fault: { kind: 'commit-then-drop' }, method: 'POST', pathPrefix: '/CashReceipts', times: 1 });
    await expectErp(c.postReceipt(receiptFor('412000005', pair)), 'unknown_outcome');
    expect(sandbox.receiptCount('412000005')).toBe(1);
    expect((await c.findReceipt('412000005'))?.allocations).toHaveLength(2);
    await expectErp(c.postReceipt(receiptFor('412000005', pair)), 'duplicate');

    sandbox.faults.add({ fault: { kind: 'timeout' }, method: 'POST', pathPrefix: '/CashReceipts', times: 1 });
    await expectErp(c.postReceipt(receiptFor('412000006', nextPair())), 'unknown_outcome');
  });

  it('posts and finds credit memos exactly once', async () => {
    const c = make();
    const memo = { reference: '512000001', originalReference: '412000001', customerId: world.customers[0]!.customerId, date: '2026-03-02', amountCents: cents(1999), currency: 'USD', reason: 'refund' };
    const rec = await c.postCreditMemo(memo);
    expect(rec.amountCents).toBe(1999);
    expect(await c.findCreditMemo('512000001')).toEqual(rec);
    await expectErp(c.postCreditMemo(memo), 'duplicate');
    await c.close();
  });
});

describe('Eclipse connector in lock-box file mode', () => {
  let sandbox: EclipseSandbox;
  beforeAll(async () => {
    // importIntervalMs 0: nobody runs the upload until the test plays the clerk (importNow).
    sandbox = await startEclipseSandbox({ customers: world.customers, invoices: world.invoices }, { importIntervalMs: 0 });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.clearRealFailures());

  const make = (layout: 'csv' | 'fixed-width', extra: Record<string, string | number> = {}) =>
    new EclipseConnector({
      baseUrl: sandbox.baseUrl,
      options: { ...sandbox.options, postingMode: 'lockbox-file', lockboxLayout: layout, ...extra },
      credentials: sandbox.credentials,
      timeoutMs: 2_000,
    });

  for (const layout of ['csv', 'fixed-width'] as const) {
    it(`a ${layout} file waits as unknown_outcome until the clerk's upload shows in the read-back; then it is refused again`, async () => {
      const c = make(layout);
      expect(c.capabilities.postReceipts).toBe('file');
      expect((await c.testConnection()).summary).toContain('lock-box file');
      const pair = nextPair();
      const ref = layout === 'csv' ? '612000001' : '612000002';
      // Eclipse's lock-box import is an upload a person runs: no wait confirms it, the payment is never reported posted before the read-back shows it.
      const waiting = await expectErp(c.postReceipt(receiptFor(ref, pair, 50)), 'unknown_outcome');
      expect(waiting.message).toContain('run the lock-box upload in Eclipse');
      await expectErp(c.postReceipt(receiptFor(ref, pair, 50)), 'unknown_outcome');
      expect((await readdir(sandbox.lockboxFolder)).filter((n) => n.includes(ref))).toHaveLength(1);
      await sandbox.importNow();
      const rec = (await c.findReceipt(ref))!;
      expect(rec.amountCents).toBe(pair[0].openBalanceCents + pair[1].openBalanceCents + 50);
      expect(rec.allocations.map((a) => a.invoiceNo)).toEqual([pair[0].invoiceNo, pair[1].invoiceNo]);
      const processed = await readdir(join(sandbox.lockboxFolder, 'processed'));
      const name = processed.find((n) => n.includes(ref))!;
      const parsed = parseLockboxFile(await readFile(join(sandbox.lockboxFolder, 'processed', name), 'utf8'), layout);
      expect(parsed.totalCents).toBe(rec.amountCents);
      expect(parsed.details).toHaveLength(3);
      await expectErp(c.postReceipt(receiptFor(ref, pair, 50)), 'duplicate');
      expect(sandbox.receiptCount(ref)).toBe(1);
    });
  }

  it('surfaces a rejected file as a validation error with the import message', async () => {
    const c = make('csv');
    const [a, b] = nextPair();
    const bad: ReceiptRequest = { ...receiptFor('612000003', [a, b]), customerId: 'NOPE' };
    await expectErp(c.postReceipt(bad), 'unknown_outcome');
    await sandbox.importNow();
    const e = await expectErp(c.postReceipt(bad), 'validation');
    expect(e.erpMessage).toContain('Customer NOPE does not exist');
  });

  it('an upload Eclipse took without applying anything stays unknown_outcome and is never written again (accepted-not-booked)', async () => {
    const c = make('csv');
    const pair = nextPair();
    await expectErp(c.postReceipt(receiptFor('612000005', pair)), 'unknown_outcome');
    sandbox.realFailure('accepted-not-booked');
    await sandbox.importNow();
    expect(existsSync(join(sandbox.lockboxFolder, 'processed', 'tieout-612000005.csv'))).toBe(true);
    const e = await expectErp(c.postReceipt(receiptFor('612000005', pair)), 'unknown_outcome');
    expect(e.message).toContain('shows no applied cash');
    expect(existsSync(join(sandbox.lockboxFolder, 'tieout-612000005.csv'))).toBe(false);
    expect(sandbox.receiptCount('612000005')).toBe(0);
  });

  it('a batch applied without one line is a partial booking on the look-up, never posted (partial-booking)', async () => {
    const c = make('csv');
    const pair = nextPair();
    const request = receiptFor('612000006', pair);
    await expectErp(c.postReceipt(request), 'unknown_outcome');
    sandbox.realFailure('partial-booking');
    await sandbox.importNow();
    const found = await c.findReceipt('612000006');
    expect(() => verifyFoundReceipt(request, found)).toThrow(pair[1].invoiceNo);
    expect(() => verifyFoundReceipt(request, found)).toThrow(/Partial booking/);
    await expectErp(c.postReceipt(request), 'duplicate');
    expect(sandbox.receiptCount('612000006')).toBe(1);
  });

  it('reports unknown_outcome while nobody runs the upload and never drops a second file', async () => {
    // A folder nobody imports from stands in for an upload nobody has run.
    const stalled = join(sandbox.lockboxFolder, '..', 'stalled');
    const c = make('csv', { lockboxFolder: stalled });
    const pair = nextPair();
    await expectErp(c.postReceipt(receiptFor('612000004', pair)), 'unknown_outcome');
    const file = join(stalled, 'tieout-612000004.csv');
    expect(existsSync(file)).toBe(true);
    const before = await readFile(file, 'utf8');
    await expectErp(c.postReceipt(receiptFor('612000004', pair)), 'unknown_outcome');
    expect(await readdir(stalled)).toEqual(['tieout-612000004.csv']);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(sandbox.receiptCount('612000004')).toBe(0);
  });
});

describe('Eclipse open credits and discount terms (demo world items over HTTP)', () => {
  it('lists open credits with a negative open amount and reads "2/10 NET 30" terms text', async () => {
    const items = erpOpenItems(world);
    const sandbox = await startEclipseSandbox({ customers: world.customers, invoices: items });
    try {
      const c = new EclipseConnector({ baseUrl: sandbox.baseUrl, options: { ...optionDefaults(eclipseModule.optionFields), ...sandbox.options }, credentials: sandbox.credentials, timeoutMs: 2_000 });
      const read = new Map((await collectPages(c.listOpenInvoices())).map((i) => [i.invoiceNo, i]));
      expect(world.openCredits.length).toBeGreaterThan(0);
      for (const credit of world.openCredits) {
        expect(read.get(credit.invoiceNo)).toMatchObject({ customerId: credit.customerId, amountCents: credit.amountCents, openBalanceCents: credit.openBalanceCents });
        expect(read.get(credit.invoiceNo)!.openBalanceCents).toBeLessThan(0);
        expect(read.get(credit.invoiceNo)!.terms).toBeUndefined();
      }
      const termed = Object.keys(world.invoiceTerms);
      expect(termed.length).toBeGreaterThan(0);
      for (const no of termed) expect(read.get(no)?.terms, no).toEqual(world.invoiceTerms[no]);
      // Plain "NET 30" states no discount.
      expect([...read.values()].filter((i) => i.terms).length).toBe(termed.length);
      // termsField empty: no terms at all.
      const plain = new EclipseConnector({ baseUrl: sandbox.baseUrl, options: { ...optionDefaults(eclipseModule.optionFields), ...sandbox.options, termsField: '' }, credentials: sandbox.credentials, timeoutMs: 2_000 });
      expect((await collectPages(plain.listOpenInvoices())).some((i) => i.terms)).toBe(false);
    } finally {
      await sandbox.close();
    }
  });
});

describe('Eclipse early-payment discounts and open credits in a cash receipt', () => {
  const customers = [{ customerId: 'C100', name: 'Granite Supply' }, { customerId: 'C200', name: 'Harbor Tools' }];
  const item = (invoiceNo: string, customerId: string, amount: number, extra: Partial<OpenInvoice> = {}): OpenInvoice => ({
    invoiceNo, customerId, invoiceDate: '2026-02-25', dueDate: '2026-03-27', amountCents: cents(amount), openBalanceCents: cents(amount), currency: 'USD', poNo: '', ...extra,
  });
  const seed = () => [
    item('INV-501', 'C100', 50000, { terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } }),
    item('INV-502', 'C100', 30000),
    item('CM-501', 'C100', -4000, { dueDate: '2026-02-25' }),
    item('INV-601', 'C200', 10000),
  ];
  const discounted = (reference: string): ReceiptRequest => ({
    reference, customerId: 'C100', date: '2026-03-02', amountCents: cents(49000), currency: 'USD', paymentMethod: 'card',
    allocations: [{ invoiceNo: 'INV-501', amountCents: cents(49000) }],
    writeOffs: [{ invoiceNo: 'INV-501', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
  });
  const credited = (reference: string): ReceiptRequest => ({
    reference, customerId: 'C100', date: '2026-03-02', amountCents: cents(26000), currency: 'USD', paymentMethod: 'ach',
    allocations: [{ invoiceNo: 'INV-502', amountCents: cents(30000) }, { invoiceNo: 'CM-501', amountCents: cents(-4000) }],
  });

  let sandbox: EclipseSandbox;
  beforeEach(async () => {
    sandbox = await startEclipseSandbox({ customers, invoices: seed() }, { importIntervalMs: 0 });
    return () => sandbox.close();
  });
  const make = (extra: Record<string, string | number> = {}) =>
    new EclipseConnector({ baseUrl: sandbox.baseUrl, options: { ...optionDefaults(eclipseModule.optionFields), ...sandbox.options, ...extra }, credentials: sandbox.credentials, timeoutMs: 2_000 });

  async function rawReceipt(reference: string): Promise<Record<string, unknown>> {
    const login = await fetch(`${sandbox.url}/Sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sandbox.credentials) });
    const { sessionToken } = (await login.json()) as { sessionToken: string };
    const res = await fetch(`${sandbox.url}/CashReceipts?checkNumber=${reference}`, { headers: { sessionToken } });
    return ((await res.json()) as { results: Array<Record<string, unknown>> }).results[0]!;
  }

  it('declares the capabilities; settings withdraw them', () => {
    // Discounts only: Eclipse takes no other write-off reason.
    expect(make().capabilities).toMatchObject({ discounts: true, writeOffs: false, applyCredits: true });
    expect(make({ discountField: '', creditApplication: 'off' }).capabilities).toMatchObject({ discounts: false, writeOffs: false, applyCredits: false });
  });

  it('API: posts a discount once in the application discount field; the invoice closes; read back by reference', async () => {
    const c = make();
    const posted = await c.postReceipt(discounted('613000001'));
    await expectErp(make().postReceipt(discounted('613000001')), 'duplicate');
    expect(sandbox.receiptCount('613000001')).toBe(1);
    expect(await c.findReceipt('613000001')).toMatchObject({ erpDocumentId: posted.erpDocumentId, amountCents: 49000, allocations: [{ invoiceNo: 'INV-501', amountCents: 49000 }] });
    // Amounts travel as Eclipse's {value} objects.
    expect((await rawReceipt('613000001')).applications).toEqual([{ invoiceNumber: 'INV-501', amount: { value: 490 }, discountAmount: { value: 10 } }]);
    expect(sandbox.openBalance('INV-501')).toBeNull();
  });

  it('API: applies an open credit once as a negative application; invoice and credit close', async () => {
    const c = make();
    await c.postReceipt(credited('613000002'));
    await expectErp(c.postReceipt(credited('613000002')), 'duplicate');
    expect(sandbox.receiptCount('613000002')).toBe(1);
    const found = await make().findReceipt('613000002');
    expect(found).toMatchObject({ amountCents: 26000, allocations: [{ invoiceNo: 'INV-502', amountCents: 30000 }, { invoiceNo: 'CM-501', amountCents: -4000 }] });
    expect(sandbox.openBalance('INV-502')).toBeNull();
    expect(sandbox.openBalance('CM-501')).toBeNull();
    expect((await collectPages(c.listOpenInvoices())).map((i) => i.invoiceNo)).toEqual(['INV-501', 'INV-601']);
  });

  for (const layout of ['csv', 'fixed-width'] as const) {
    it(`lock-box ${layout}: the discount rides beside its detail, the credit is a negative detail; each posts once`, async () => {
      const c = make({ postingMode: 'lockbox-file', lockboxLayout: layout });
      await expectErp(c.postReceipt(discounted('613000003')), 'unknown_outcome');
      await expectErp(c.postReceipt(credited('613000004')), 'unknown_outcome');
      await sandbox.importNow();
      expect(verifyFoundReceipt(discounted('613000003'), await c.findReceipt('613000003'))).not.toBeNull();
      await expectErp(c.postReceipt(credited('613000004')), 'duplicate');
      expect([sandbox.receiptCount('613000003'), sandbox.receiptCount('613000004')]).toEqual([1, 1]);
      const ext = layout === 'csv' ? 'csv' : 'txt';
      const file = (ref: string) => readFile(join(sandbox.lockboxFolder, 'processed', `tieout-${ref}.${ext}`), 'utf8');
      const d = parseLockboxFile(await file('613000003'), layout);
      expect(d.details).toMatchObject([{ invoiceNo: 'INV-501', amountCents: 49000, discountCents: 1000 }]);
      expect(d.totalCents).toBe(49000);
      const k = parseLockboxFile(await file('613000004'), layout);
      expect(k.details.map((x) => [x.invoiceNo, x.amountCents])).toEqual([['INV-502', 30000], ['CM-501', -4000]]);
      expect(k.totalCents).toBe(26000);
      if (layout === 'fixed-width') expect((await file('613000003')).trimEnd().split('\r\n').map((l) => l[0])).toEqual(['1', '6', '4', '9']);
      expect((await c.findReceipt('613000004'))?.allocations).toEqual([{ invoiceNo: 'INV-502', amountCents: 30000 }, { invoiceNo: 'CM-501', amountCents: -4000 }]);
      expect([sandbox.openBalance('INV-501'), sandbox.openBalance('INV-502'), sandbox.openBalance('CM-501')]).toEqual([null, null, null]);
    });
  }

  it('refuses malformed discounts and credits before sending; Eclipse refuses what breaks its rules', async () => {
    const c = make();
    await expectErp(c.postReceipt({ ...discounted('613000005'), writeOffs: [{ invoiceNo: 'INV-501', amountCents: cents(1000), reasonCode: 'SHORT_PAY' }] }), 'validation');
    await expectErp(c.postReceipt({ ...discounted('613000005'), writeOffs: [{ invoiceNo: 'INV-502', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] }), 'validation');
    await expectErp(make({ creditApplication: 'off' }).postReceipt(credited('613000005')), 'validation');
    await expectErp(make({ discountField: '' }).postReceipt(discounted('613000005')), 'validation');
    await expectErp(c.postReceipt({ ...credited('613000005'), amountCents: cents(30000) }), 'validation');
    expect(sandbox.receiptCount('613000005')).toBe(0);
    // Eclipse's own rules: more credit than the memo holds; a credit applied positively.
    const over = await expectErp(c.postReceipt({ ...credited('613000006'), amountCents: cents(25000), allocations: [{ invoiceNo: 'INV-502', amountCents: cents(30000) }, { invoiceNo: 'CM-501', amountCents: cents(-5000) }] }), 'validation');
    expect(over.erpMessage).toContain('exceeds its open balance');
    const positive = await expectErp(c.postReceipt({ ...credited('613000007'), amountCents: cents(100), allocations: [{ invoiceNo: 'CM-501', amountCents: cents(100) }] }), 'validation');
    expect(positive.erpMessage).toContain('negative amount');
    expect(sandbox.receiptCount('613000006') + sandbox.receiptCount('613000007')).toBe(0);
  });
});
