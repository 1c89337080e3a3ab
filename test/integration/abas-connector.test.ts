import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { OpenInvoice } from '@shared/domain';
import { buildDemoWorld, erpOpenItems } from '../../electron/sandboxes/demo/world';
import { collectPages, type ReceiptRequest } from '../../electron/core/erp/connector';
import { expectErp, invoicePairs } from '../support/erp-fixtures';
import { AbasConnector } from '../../electron/core/erp/abas';
import { ABAS_SANDBOX_PASSWORD, startAbasSandbox, type AbasSandbox } from '../../electron/sandboxes/erp/abas/sandbox';
import { parseMt940 } from '../../electron/core/erp/abas/mt940';

const world = buildDemoWorld({ seed: 23, now: new Date('2026-03-02T15:00:00Z'), customers: 30, payments: 150 });

const nextPair = invoicePairs(world.invoices);

function receiptFor(reference: string, [a, b]: [OpenInvoice, OpenInvoice], extraCents = 0): ReceiptRequest {
  return {
    reference,
    customerId: a.customerId,
    date: '2026-03-02',
    amountCents: cents(a.openBalanceCents + b.openBalanceCents + extraCents),
    currency: 'USD',
    paymentMethod: 'ach',
    allocations: [
      { invoiceNo: a.invoiceNo, amountCents: a.openBalanceCents },
      { invoiceNo: b.invoiceNo, amountCents: b.openBalanceCents },
    ],
    ...(extraCents > 0 ? { unappliedCents: cents(extraCents) } : {}),
  };
}

describe('abas connector against its sandbox (editor flow)', () => {
  let sandbox: AbasSandbox;
  const make = (extra: Record<string, string | number> = {}, timeoutMs = 2_000, credentials = sandbox.credentials) =>
    new AbasConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, ...extra }, credentials, timeoutMs });

  beforeAll(async () => {
    sandbox = await startAbasSandbox({ customers: world.customers, invoices: world.invoices });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.resetFaults());

  it('diagnoses OAuth2 and Basic sign-in, bad secrets and a wrong field name', async () => {
    const ok = await make().testConnection();
    expect(ok.ok).toBe(true);
    expect(ok.summary).toBe('Signed in to tenant "demo" as client tieout-client; customers, open items and payments readable; posting by the editor API.');

    const badClient = await make({}, 2_000, { username: 'tieout-client', password: 'nope' }).testConnection();
    expect(badClient.ok).toBe(false);
    expect(badClient.summary).toContain('abas refused the credentials (client tieout-client)');
    expect(JSON.stringify(badClient)).not.toContain('nope');

    const basic = await make({ authMode: 'basic' }, 2_000, { username: '', password: ABAS_SANDBOX_PASSWORD }).testConnection();
    expect(basic.ok).toBe(true);
    const badBasic = await make({ authMode: 'basic' }, 2_000, { username: '', password: 'wrong' }).testConnection();
    expect(badBasic.summary).toContain('abas refused the credentials (empty user + abas password)');

    const wrongField = await make({ opOpenField: 'restbetrag' }).testConnection();
    expect(wrongField.ok).toBe(false);
    expect(wrongField.summary).toContain('Field restbetrag does not exist in 7:5');
  });

  it('pages open items and customers with limit/offset and notices an ignored paging parameter', async () => {
    const c = make({ pageSize: 9 });
    const pages: number[] = [];
    const all: OpenInvoice[] = [];
    for await (const p of c.listOpenInvoices()) {
      pages.push(p.length);
      all.push(...p);
    }
    expect(pages.length).toBeGreaterThan(3);
    expect(new Set(all.map((i) => i.invoiceNo)).size).toBe(all.length);
    const sample = all.find((i) => i.invoiceNo === world.invoices[0]!.invoiceNo);
    expect(sample?.amountCents).toBe(world.invoices[0]!.amountCents);
    expect(sample?.invoiceDate).toBe(world.invoices[0]!.invoiceDate);
    const customers = await collectPages(c.listCustomers());
    expect(customers).toHaveLength(30);
    expect(customers[0]!.name).toBe(world.customers[0]!.name);
    await expectErp(collectPages(make({ pageSize: 9, offsetParam: 'skip' }).listOpenInvoices()), 'config');
  });

  it('posts a payment through NEW → SetFieldValue → Commit → CLOSE, reads it back, refuses the same reference', async () => {
    const c = make();
    const pair = nextPair();
    const rec = await c.postReceipt(receiptFor('712000001', pair, 300));
    expect(rec.reference).toBe('712000001');
    expect(rec.amountCents).toBe(pair[0].openBalanceCents + pair[1].openBalanceCents + 300);
    expect(rec.allocations).toEqual([
      { invoiceNo: pair[0].invoiceNo, amountCents: pair[0].openBalanceCents },
      { invoiceNo: pair[1].invoiceNo, amountCents: pair[1].openBalanceCents },
    ]);
    expect(rec.date).toBe('2026-03-02');
    expect(sandbox.openBalance(pair[0].invoiceNo)).toBeNull();
    expect(sandbox.openWorkingSets()).toBe(0);
    expect(await c.findReceipt('712000001')).toEqual(rec);
    const dup = await expectErp(c.postReceipt(receiptFor('712000001', pair, 300)), 'duplicate');
    expect(dup.existingDocumentId).toBe(rec.erpDocumentId);
    expect(sandbox.receiptCount('712000001')).toBe(1);
  });

  it("keeps abas's validation message and cancels the working set", async () => {
    const c = make();
    const [a, b] = nextPair();
    const over: ReceiptRequest = { ...receiptFor('712000002', [a, b]), allocations: [{ invoiceNo: a.invoiceNo, amountCents: cents(a.openBalanceCents + 1) }, { invoiceNo: b.invoiceNo, amountCents: cents(b.openBalanceCents - 1) }] };
    const e = await expectErp(c.postReceipt(over), 'validation');
    expect(e.erpMessage).toBe(`Amount for invoice ${a.invoiceNo} exceeds its open balance`);
    expect(sandbox.openWorkingSets()).toBe(0);
    // The look-up names the reference field first: a field abas does not have is a setting to fix.
    const badField = await expectErp(make({ payReferenceField: 'zweck' }).postReceipt(receiptFor('712000002', [a, b])), 'config');
    expect(badField.erpMessage).toContain('Field zweck does not exist');
    expect(sandbox.openWorkingSets()).toBe(0);
    await expectErp(c.postReceipt(receiptFor('7'.repeat(31), [a, b])), 'validation');
    expect(sandbox.receiptCount('712000002')).toBe(0);
  });

  it('fetches a new token when the old one expires mid-run', async () => {
    const c = make({ pageSize: 5 });
    const it1 = c.listOpenInvoices()[Symbol.asyncIterator]();
    expect((await it1.next()).done).toBe(false);
    sandbox.expireTokens();
    expect((await it1.next()).done).toBe(false);
    sandbox.expireTokens();
    expect((await c.postReceipt(receiptFor('712000003', nextPair()))).reference).toBe('712000003');
  });

  it('types 500, 429 and timeouts before the Commit as transient and leaves nothing behind', async () => {
    const c = make({}, 800);
    const pair = nextPair();
    sandbox.faults.add({ fault: { kind: 'status', status: 500 }, method: 'POST', times: 1 });
    await expectErp(c.postReceipt(receiptFor('712000004', pair)), 'transient');
    sandbox.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 3 }, method: 'GET', times: 1 });
    expect((await expectErp(c.findReceipt('712000004'), 'transient')).retryAfterSeconds).toBe(3);
    sandbox.faults.add({ fault: { kind: 'timeout' }, method: 'GET', times: 1 });
    await expectErp(collectPages(c.listCustomers()), 'transient');
    sandbox.faults.add({ fault: { kind: 'malformed' }, method: 'GET', times: 1 });
    await expectErp(collectPages(c.listOpenInvoices()), 'malformed');
    sandbox.failNextCommit({ kind: 'status', status: 503 });
    await expectErp(c.postReceipt(receiptFor('712000004', pair)), 'transient');
    expect(sandbox.openWorkingSets()).toBe(0);
    expect(sandbox.receiptCount('712000004')).toBe(0);
    expect((await c.postReceipt(receiptFor('712000004', pair))).reference).toBe('712000004');
  });

  it('reports a Commit whose reply is lost as unknown_outcome, resolved by the look-up', async () => {
    const c = make({}, 800);
    const pair = nextPair();
    sandbox.failNextCommit({ kind: 'commit-then-drop' });
    await expectErp(c.postReceipt(receiptFor('712000005', pair)), 'unknown_outcome');
    expect(sandbox.receiptCount('712000005')).toBe(1);
    expect((await c.findReceipt('712000005'))?.allocations).toHaveLength(2);
    await expectErp(c.postReceipt(receiptFor('712000005', pair)), 'duplicate');
    sandbox.failNextCommit({ kind: 'timeout' });
    await expectErp(c.postReceipt(receiptFor('712000006', nextPair())), 'unknown_outcome');
  });

  it('discovers the objects, the commands of the payment objects, the editor address and the protocol version (read-only)', async () => {
    const before = sandbox.receiptCount('712000001');
    const editorsBefore = sandbox.openWorkingSets();
    const facts = await make().discover();
    const by = (name: string) => facts.find((f) => f.name === name);
    expect(by('customers object')).toMatchObject({ setting: 'customersObject' });
    expect(by('customers object')?.value).toContain('0:1 answers headFields nummer,such,name');
    expect(by('open items object')?.ok).not.toBe(false);
    expect(by('payment object commands')).toMatchObject({ value: '8:1: NEW, VIEW, UPDATE, PAYMENT', ok: true });
    expect(by('working-set editor')?.value).toContain('/mw/r/demo/workspace/{workingSet}/wip/{workingSetEditor}');
    expect(by('REST protocol version')).toMatchObject({ value: '1.2.0', ok: true });
    const wrong = await make({ opOpenField: 'restbetrag' }).discover();
    expect(wrong.find((f) => f.name === 'open items object')).toMatchObject({ ok: false, setting: 'openItemsObject' });
    expect(sandbox.openWorkingSets()).toBe(editorsBefore);
    expect(sandbox.receiptCount('712000001')).toBe(before);
  });

  it('posts and finds credit memos exactly once', async () => {
    const c = make();
    const memo = { reference: '812000001', originalReference: '712000001', customerId: world.customers[0]!.customerId, date: '2026-03-02', amountCents: cents(4550), currency: 'USD', reason: 'refund' };
    const rec = await c.postCreditMemo(memo);
    expect(rec.amountCents).toBe(4550);
    expect(await c.findCreditMemo('812000001')).toEqual(rec);
    await expectErp(c.postCreditMemo(memo), 'duplicate');
  });
});

describe('abas connector in MT940 file mode', () => {
  let sandbox: AbasSandbox;
  beforeAll(async () => {
    sandbox = await startAbasSandbox({ customers: world.customers, invoices: world.invoices }, { importIntervalMs: 50 });
  });
  afterAll(() => sandbox.close());
  const make = (extra: Record<string, string | number> = {}) =>
    new AbasConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, postingMode: 'mt940-file', mt940PollIntervalMs: 50, mt940ConfirmTimeoutMs: 5_000, ...extra }, credentials: sandbox.credentials, timeoutMs: 2_000 });

  it('round-trips a payment through an MT940 statement and refuses it again', async () => {
    const c = make();
    expect(c.capabilities.postReceipts).toBe('file');
    const pair = nextPair();
    const rec = await c.postReceipt(receiptFor('912000001', pair, 75));
    expect(rec.allocations.map((a) => a.invoiceNo)).toEqual([pair[0].invoiceNo, pair[1].invoiceNo]);
    const processed = await readdir(join(sandbox.mt940Folder, 'processed'));
    expect(processed).toContain('tieout-912000001.sta');
    const text = await readFile(join(sandbox.mt940Folder, 'processed', 'tieout-912000001.sta'), 'utf8');
    for (const tag of [':20:', ':25:TIEOUT-CLEARING', ':28C:', ':60F:C260302USD0,00', ':61:2603020302C', ':86:TIEOUT 912000001 KD', ':62F:C260302USD']) expect(text).toContain(tag);
    const parsed = parseMt940(text);
    expect(parsed.amountCents).toBe(rec.amountCents);
    expect(parsed.unappliedCents).toBe(75);
    await expectErp(c.postReceipt(receiptFor('912000001', pair, 75)), 'duplicate');
    expect(sandbox.receiptCount('912000001')).toBe(1);
  });

  it('reports an import that booked fewer lines than the statement as partial, never as posted', async () => {
    const pair = nextPair();
    sandbox.armRealFailure('commit-drops-last-row');
    const e = await expectErp(make().postReceipt(receiptFor('912000009', pair)), 'partial');
    expect(e.message).toContain(`invoice ${pair[1].invoiceNo}`);
    expect(sandbox.receiptCount('912000009')).toBe(1);
  });

  it('surfaces a rejected statement as a validation error and times out to unknown_outcome without a second file', async () => {
    const [a, b] = nextPair();
    const e = await expectErp(make().postReceipt({ ...receiptFor('912000002', [a, b]), customerId: '99999' }), 'validation');
    expect(e.erpMessage).toContain('Kunde 99999 existiert nicht');
    const stalled = join(sandbox.mt940Folder, '..', 'stalled-mt940');
    const c = make({ mt940Folder: stalled, mt940ConfirmTimeoutMs: 300 });
    await expectErp(c.postReceipt(receiptFor('912000003', [a, b])), 'unknown_outcome');
    const first = await readFile(join(stalled, 'tieout-912000003.sta'), 'utf8');
    await expectErp(c.postReceipt(receiptFor('912000003', [a, b])), 'unknown_outcome');
    expect(await readdir(stalled)).toEqual(['tieout-912000003.sta']);
    expect(await readFile(join(stalled, 'tieout-912000003.sta'), 'utf8')).toBe(first);
  });
});

describe('abas open credits and discount terms (demo world items over HTTP)', () => {
  it('reads negative open items as open credits and Skonto fields as discount terms once configured', async () => {
    const sandbox = await startAbasSandbox({ customers: world.customers, invoices: erpOpenItems(world) });
    try {
      const make = (extra: Record<string, string> = {}) => new AbasConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, ...extra }, credentials: sandbox.credentials, timeoutMs: 2_000 });
      const read = new Map((await collectPages(make().listOpenInvoices())).map((i) => [i.invoiceNo, i]));
      expect(world.openCredits.length).toBeGreaterThan(0);
      for (const credit of world.openCredits) {
        expect(read.get(credit.invoiceNo)).toMatchObject({ customerId: credit.customerId, amountCents: credit.amountCents, openBalanceCents: credit.openBalanceCents });
        expect(read.get(credit.invoiceNo)!.terms).toBeUndefined();
      }
      for (const [no, terms] of Object.entries(world.invoiceTerms)) expect(read.get(no)?.terms, no).toEqual(terms);
      expect([...read.values()].filter((i) => i.terms)).toHaveLength(Object.keys(world.invoiceTerms).length);
      // The field names are unconfirmed, so a connection without them reads no terms (and asks abas for no unknown field).
      const plain = await collectPages(make({ opDiscountPercentField: '', opDiscountDaysField: '', opNetDaysField: '' }).listOpenInvoices());
      expect(plain.some((i) => i.terms)).toBe(false);
      expect(plain).toHaveLength(read.size);
    } finally {
      await sandbox.close();
    }
  });
});

describe('abas cash discount (Skonto) and open credits in a payment', () => {
  const customers = [{ customerId: '70001', name: 'Maschinenbau Nord GmbH' }, { customerId: '70002', name: 'Werkzeug Sued AG' }];
  const item = (invoiceNo: string, customerId: string, amount: number, extra: Partial<OpenInvoice> = {}): OpenInvoice => ({
    invoiceNo, customerId, invoiceDate: '2026-02-25', dueDate: '2026-03-27', amountCents: cents(amount), openBalanceCents: cents(amount), currency: 'EUR', poNo: '', ...extra,
  });
  const seed = () => [
    item('RE-4711', '70001', 50000, { terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } }),
    item('RE-4712', '70001', 30000),
    item('GS-0815', '70001', -4000, { dueDate: '2026-02-25' }),
  ];
  const skonto = (reference: string): ReceiptRequest => ({
    reference, customerId: '70001', date: '2026-03-02', amountCents: cents(49000), currency: 'EUR', paymentMethod: 'ach',
    allocations: [{ invoiceNo: 'RE-4711', amountCents: cents(49000) }],
    writeOffs: [{ invoiceNo: 'RE-4711', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }],
  });
  const credit = (reference: string): ReceiptRequest => ({
    reference, customerId: '70001', date: '2026-03-02', amountCents: cents(26000), currency: 'EUR', paymentMethod: 'ach',
    allocations: [{ invoiceNo: 'RE-4712', amountCents: cents(30000) }, { invoiceNo: 'GS-0815', amountCents: cents(-4000) }],
  });

  let sandbox: AbasSandbox;
  beforeEach(async () => {
    sandbox = await startAbasSandbox({ customers, invoices: seed() }, { importIntervalMs: 50 });
    return () => sandbox.close();
  });
  const make = (extra: Record<string, string | number> = {}) =>
    new AbasConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, mt940PollIntervalMs: 50, mt940ConfirmTimeoutMs: 5_000, ...extra }, credentials: sandbox.credentials, timeoutMs: 2_000 });

  /** The stored payment rows, read over the REST API (Basic auth: empty user + abas password). */
  async function rows(reference: string): Promise<Array<Record<string, string>>> {
    const q = new URLSearchParams({ criteria: `verwzweck=${reference}!${reference}`, headFields: 'verwzweck,betrag', tableFields: 'rechnr,zbetrag,skonto' });
    const res = await fetch(`${sandbox.url}/mw/r/demo/obj/data/8:1?${q.toString()}`, {
      headers: { accept: 'application/abas.objects+json', authorization: `Basic ${Buffer.from(`:${ABAS_SANDBOX_PASSWORD}`).toString('base64')}` },
    });
    const body = (await res.json()) as { content: { data: { erpDataObjects: Array<{ table: Array<{ fields: Record<string, { value: string }> }> }> } } };
    return body.content.data.erpDataObjects[0]!.table.map((r) => Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, v.value])));
  }

  it('editor mode declares both capabilities; MT940 mode declares neither', () => {
    // Discounts (Skonto) only: abas takes no other write-off reason.
    expect(make().capabilities).toMatchObject({ discounts: true, writeOffs: false, applyCredits: true });
    expect(make({ postingMode: 'mt940-file' }).capabilities).toMatchObject({ discounts: false, writeOffs: false, applyCredits: false });
    expect(make({ rowDiscountField: '', creditApplication: 'off' }).capabilities).toMatchObject({ discounts: false, writeOffs: false, applyCredits: false });
  });

  it('posts a Skonto once in the row discount field; read back; the open item closes', async () => {
    const c = make();
    const posted = await c.postReceipt(skonto('913000001'));
    await expectErp(make().postReceipt(skonto('913000001')), 'duplicate');
    expect(sandbox.receiptCount('913000001')).toBe(1);
    expect(await c.findReceipt('913000001')).toMatchObject({ erpDocumentId: posted.erpDocumentId, amountCents: 49000, allocations: [{ invoiceNo: 'RE-4711', amountCents: 49000 }] });
    expect(await rows('913000001')).toEqual([{ rechnr: 'RE-4711', zbetrag: '490.00', skonto: '10.00' }]);
    expect(sandbox.openBalance('RE-4711')).toBeNull();
    expect(sandbox.openWorkingSets()).toBe(0);
  });

  it('offsets an open credit once with a negative row; invoice and credit close', async () => {
    const c = make();
    await c.postReceipt(credit('913000002'));
    await expectErp(c.postReceipt(credit('913000002')), 'duplicate');
    expect(sandbox.receiptCount('913000002')).toBe(1);
    expect(await make().findReceipt('913000002')).toMatchObject({ amountCents: 26000, allocations: [{ invoiceNo: 'RE-4712', amountCents: 30000 }, { invoiceNo: 'GS-0815', amountCents: -4000 }] });
    expect(await rows('913000002')).toEqual([{ rechnr: 'RE-4712', zbetrag: '300.00' }, { rechnr: 'GS-0815', zbetrag: '-40.00' }]);
    expect([sandbox.openBalance('RE-4712'), sandbox.openBalance('GS-0815')]).toEqual([null, null]);
    expect((await collectPages(c.listOpenInvoices())).map((i) => i.invoiceNo)).toEqual(['RE-4711']);
  });

  it('refuses malformed Skonto and credits before NEW; abas refuses what breaks its rules and the working set is cancelled', async () => {
    const c = make();
    await expectErp(c.postReceipt({ ...skonto('913000003'), writeOffs: [{ invoiceNo: 'RE-4711', amountCents: cents(1000), reasonCode: 'SHORT_PAY' }] }), 'validation');
    await expectErp(c.postReceipt({ ...skonto('913000003'), writeOffs: [{ invoiceNo: 'RE-4712', amountCents: cents(1000), reasonCode: 'EARLY_PAYMENT_DISCOUNT' }] }), 'validation');
    await expectErp(make({ creditApplication: 'off' }).postReceipt(credit('913000003')), 'validation');
    // MT940 cannot carry either: refused before any file is written.
    const mt = make({ postingMode: 'mt940-file' });
    await expectErp(mt.postReceipt(skonto('913000003')), 'validation');
    await expectErp(mt.postReceipt(credit('913000003')), 'validation');
    expect((await readdir(sandbox.mt940Folder)).filter((n) => n.endsWith('.sta'))).toEqual([]);
    expect(sandbox.receiptCount('913000003')).toBe(0);
    // abas's own rules: more credit than the open item holds; a credit offset positively.
    const over = await expectErp(c.postReceipt({ ...credit('913000004'), amountCents: cents(25000), allocations: [{ invoiceNo: 'RE-4712', amountCents: cents(30000) }, { invoiceNo: 'GS-0815', amountCents: cents(-5000) }] }), 'validation');
    expect(over.erpMessage).toContain('exceeds its open balance');
    const positive = await expectErp(c.postReceipt({ ...credit('913000005'), amountCents: cents(100), allocations: [{ invoiceNo: 'GS-0815', amountCents: cents(100) }] }), 'validation');
    expect(positive.erpMessage).toContain('Gutschrift');
    expect(sandbox.receiptCount('913000004') + sandbox.receiptCount('913000005')).toBe(0);
    expect(sandbox.openWorkingSets()).toBe(0);
  });
});
