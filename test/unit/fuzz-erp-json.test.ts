import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../../electron/core/erp/errors';
import { parseJsonOutcome, parseJsonReply, statusError, type HttpReply } from '../../electron/core/erp/http-transport';
import { dateOnly, normalizeCustomerId } from '../../electron/core/erp/p21/odata';
import { erpMessageOf, parseTokenReply } from '../../electron/core/erp/p21/http';
import { collectMessages, findResultValue, interpretTransactionReply } from '../../electron/core/erp/p21/transaction';
import { parsePage, toCreditMemoRecord, toCustomer, toOpenInvoices, toReceiptRecord } from '../../electron/core/erp/eclipse/records';
import { amountOf, isoDate, need, parseLinks, parseObjects } from '../../electron/core/erp/abas/objects';
import { assertTyped, fuzzParams, hostileValue, isCents, isIsoDate, junkText, mutatedJson, mutatedText, outcomeOf, RUNS } from '../support/fuzz-arbitraries';

// Property-based fuzzing of the JSON-speaking ERP reply parsers (P21 OData and
// Transaction API, Eclipse, abas) and the shared transport's JSON readers.
// Invariant: a value satisfying the domain rules, or an ErpError with a
// message; never a TypeError/RangeError/SyntaxError, never a hang.

const SEED = 120_101;
const typed = [ErpError];

const reply = (text: string, status = 200): HttpReply => ({ status, headers: {}, text });

describe(`shared ERP transport JSON readers (fuzz seed ${SEED})`, () => {
  it('parseJsonReply / parseJsonOutcome: any body is JSON or a malformed / unknown_outcome ErpError', () => {
    fc.assert(
      fc.property(junkText, fc.boolean(), (text, isWrite) => {
        assertTyped(outcomeOf(() => parseJsonReply(reply(text), 'read')), typed);
        const o = outcomeOf(() => parseJsonOutcome(reply(text), 'write', isWrite));
        assertTyped(o, typed);
        if (!o.ok) expect((o.error as ErpError).kind).toBe(isWrite ? 'unknown_outcome' : 'malformed');
      }),
      fuzzParams(SEED, RUNS.parser),
    );
  });

  it('statusError: any status and body give null for 2xx and a typed error otherwise', () => {
    const wording = { erp: 'X', authStatuses: new Set([401]), authMessage: 'auth', notFoundHint: 'hint' };
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 999 }), fc.boolean(), fc.option(fc.string(), { nil: undefined }), hostileValue, (status, isWrite, message, retryAfter) => {
        const r: HttpReply = { status, headers: typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {}, text: '' };
        const e = statusError(r, 'call', isWrite, message, wording);
        if (status >= 200 && status < 300) expect(e).toBeNull();
        else {
          expect(e).toBeInstanceOf(ErpError);
          // A write answered with something other than a clear refusal is never read as done.
          if (isWrite && status < 200) expect(e!.kind).toBe('unknown_outcome');
        }
      }),
      fuzzParams(SEED + 1, RUNS.parser),
    );
  });
});

describe(`P21 replies (fuzz seed ${SEED + 10})`, () => {
  const validToken = fc.record({ AccessToken: fc.string({ minLength: 1, maxLength: 30 }), ExpiresInSeconds: fc.integer({ min: 0, max: 100_000 }) });

  it('token reply (JSON or XML, mutated): a token with a finite expiry, or a malformed ErpError', () => {
    const body = fc.oneof(
      junkText,
      mutatedJson(validToken).map((v) => JSON.stringify(v) ?? ''),
      mutatedText(validToken.map((t) => JSON.stringify(t))),
      mutatedText(validToken.map((t) => `<Token><AccessToken>${t.AccessToken.replace(/[<&]/g, '')}</AccessToken><ExpiresInSeconds>${t.ExpiresInSeconds}</ExpiresInSeconds></Token>`)),
    );
    fc.assert(
      fc.property(body, (text) => {
        const t = assertTyped(outcomeOf(() => parseTokenReply(text, 1_000)), typed);
        if (t) {
          expect(typeof t.accessToken).toBe('string');
          expect(t.accessToken.length).toBeGreaterThan(0);
          expect(Number.isFinite(t.expiresAt)).toBe(true);
        }
      }),
      fuzzParams(SEED + 10, RUNS.parser),
    );
  });

  it('error bodies: erpMessageOf reads any body as text or nothing', () => {
    fc.assert(
      fc.property(fc.oneof(junkText, fc.jsonValue().map((v) => JSON.stringify(v) ?? '')), (text) => {
        const m = assertTyped(outcomeOf(() => erpMessageOf(text)), []);
        expect(m === undefined || typeof m === 'string').toBe(true);
      }),
      fuzzParams(SEED + 11, RUNS.cheapParser),
    );
  });

  const validSummary = fc.record({
    Summary: fc.record({ Succeeded: fc.integer({ min: 0, max: 2 }), Failed: fc.integer({ min: 0, max: 2 }), Other: fc.constant(0) }),
    Messages: fc.array(fc.constantFrom('Transaction 1:: Customer ID is required', 'Unexpected response window', ''), { maxLength: 2 }),
    Results: fc.record({ Transactions: fc.array(fc.record({ DataElements: fc.array(fc.record({ Name: fc.constantFrom('receipt_number', 'x'), Value: fc.string({ maxLength: 8 }) })) }), { maxLength: 2 }) }),
  });

  it('Transaction API reply: only a Summary with a positive whole Succeeded and zero Failed reads as passed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutatedJson(validSummary), mutatedJson(validSummary.map((s) => ({ Response: s })))), (v) => {
        const outcome = assertTyped(outcomeOf(() => interpretTransactionReply(v)), []);
        assertTyped(outcomeOf(() => collectMessages(v)), []);
        const value = assertTyped(outcomeOf(() => findResultValue(v, 'receipt_number')), []);
        expect(value === null || typeof value === 'string').toBe(true);
        if (outcome?.kind === 'passed') {
          const holder = v as { Summary?: Record<string, unknown>; Response?: { Summary?: Record<string, unknown> } };
          const summary = (holder.Summary ?? holder.Response?.Summary)!;
          const succeeded = summary.Succeeded;
          // Positive evidence only: a number (or digit string) above zero; never true, [1] or "1e3".
          expect(typeof succeeded === 'number' || (typeof succeeded === 'string' && /^\s*\d+\s*$/.test(succeeded))).toBe(true);
          expect(Number(succeeded)).toBeGreaterThan(0);
        }
      }),
      fuzzParams(SEED + 12, RUNS.parser),
    );
  });

  it('regression: a Summary with Succeeded true or [1] is not a passed write', () => {
    expect(interpretTransactionReply({ Summary: { Succeeded: true, Failed: 0 } }).kind).not.toBe('passed');
    expect(interpretTransactionReply({ Summary: { Succeeded: [1], Failed: [] } }).kind).not.toBe('passed');
    expect(interpretTransactionReply({ Summary: { Succeeded: 1, Failed: '' } }).kind).not.toBe('passed');
    expect(interpretTransactionReply({ Summary: { Succeeded: 1, Failed: 0 } }).kind).toBe('passed');
    expect(interpretTransactionReply({ Summary: { Succeeded: '1', Failed: '0' } }).kind).toBe('passed');
  });

  it('regression: a Results list too long to spread into push() is searched, not a RangeError', () => {
    const big = { Results: [new Array<number>(2_000_000).fill(0), { Name: 'receipt_number', Value: 'R1' }] };
    expect(findResultValue(big, 'receipt_number')).toBe('R1');
  });

  it('regression: a deeply nested token reply is a malformed ErpError, not a stack overflow', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const o = outcomeOf(() => parseTokenReply(deep, 0));
    expect(o.ok).toBe(false);
    expect((o as { error: unknown }).error).toBeInstanceOf(ErpError);
  });

  it('OData helpers: customer ids and dates from any value', () => {
    fc.assert(
      fc.property(hostileValue, (v) => {
        expect(typeof normalizeCustomerId(v)).toBe('string');
        const d = dateOnly(v);
        expect(d === null || /^\d{4}-\d{2}-\d{2}$/.test(d)).toBe(true);
      }),
      fuzzParams(SEED + 13, RUNS.cheapParser),
    );
  });
});

describe(`Eclipse records (fuzz seed ${SEED + 20})`, () => {
  const plain = fc.oneof(fc.integer({ min: -100_000_00, max: 100_000_00 }).map((c) => (c / 100).toFixed(2)), fc.integer({ min: 0, max: 10_000 }));
  // Eclipse sends amounts as {value} objects; the plain forms stay accepted.
  const amount = fc.oneof(plain, plain.map((value) => ({ value })), plain.map((value) => ({ value: Number(value) })));
  const generation = fc.record({
    generationId: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.string({ maxLength: 4 })),
    invoiceId: fc.oneof(fc.string({ maxLength: 12 }), fc.constant(undefined)),
    invoiceDate: fc.constantFrom('2026-01-15', '2026-01-15T00:00:00'),
    dueDate: fc.constantFrom('2026-02-14', ''),
    balanceDue: amount,
    salesTotal: amount,
    currency: fc.constantFrom('USD', ''),
    terms: fc.constantFrom('2/10 net 30', 'Net 30', ''),
  });
  const invoice = fc.record({
    id: fc.string({ minLength: 1, maxLength: 10 }),
    billTo: fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), name: fc.string({ maxLength: 10 }) }),
    customerPurchaseOrderNumber: fc.string({ maxLength: 6 }),
    generations: fc.array(generation, { maxLength: 3 }),
  });
  const receipt = fc.record({
    id: fc.string({ minLength: 1, maxLength: 8 }),
    customerId: fc.string({ minLength: 1, maxLength: 8 }),
    amount,
    receiptDate: fc.constant('2026-03-02'),
    referenceNumber: fc.constantFrom('79388123', 'R-1'),
    applications: fc.array(fc.record({ invoiceNumber: fc.string({ minLength: 1, maxLength: 6 }), amount }), { maxLength: 3 }),
  });
  const page = (results: fc.Arbitrary<unknown[]>) =>
    fc.record({ metadata: fc.record({ startIndex: fc.nat(100), pageSize: fc.nat(100), totalItems: fc.nat(1000) }), results });

  it('list envelopes: a page with whole-number metadata, or a malformed ErpError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutatedJson(page(fc.array(invoice, { maxLength: 3 })))), (v) => {
        const p = assertTyped(outcomeOf(() => parsePage(v, 'Eclipse invoices')), typed);
        if (p) for (const n of [p.startIndex, p.pageSize, p.totalItems ?? 0]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
      }),
      fuzzParams(SEED + 20, RUNS.parser),
    );
  });

  it('open invoices and customers: sound cents, real dates, or a malformed ErpError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutatedJson(invoice)), (v) => {
        const invs = assertTyped(outcomeOf(() => toOpenInvoices(v, 'terms')), typed);
        for (const inv of invs ?? []) {
          expect(isCents(inv.amountCents) && isCents(inv.openBalanceCents)).toBe(true);
          expect(inv.invoiceNo).not.toBe('');
          expect(inv.currency).not.toBe('');
          expect(isIsoDate(inv.invoiceDate)).toBe(true);
          expect(inv.dueDate === null || isIsoDate(inv.dueDate)).toBe(true);
        }
        assertTyped(outcomeOf(() => toCustomer(v)), typed);
      }),
      fuzzParams(SEED + 21, RUNS.parser),
    );
  });

  it('receipt and credit memo read-backs: sound cents and dates, or a malformed ErpError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutatedJson(receipt)), (v) => {
        const r = assertTyped(outcomeOf(() => toReceiptRecord(v, 'referenceNumber')), typed);
        if (r) {
          expect(isCents(r.amountCents)).toBe(true);
          expect(isIsoDate(r.date)).toBe(true);
          for (const a of r.allocations) expect(isCents(a.amountCents)).toBe(true);
        }
        const m = assertTyped(outcomeOf(() => toCreditMemoRecord(v, 'referenceNumber')), typed);
        if (m) expect(isCents(m.amountCents)).toBe(true);
      }),
      fuzzParams(SEED + 22, RUNS.parser),
    );
  });
});

describe('ERP dates are calendar days (fuzz regressions)', () => {
  it('Eclipse: an invoiceDate of 2026-13-45 is a malformed ErpError, not an invoice dated 2026-13-45', () => {
    const o = outcomeOf(() => toOpenInvoices({ id: 'S1', billTo: { id: 'C' }, generations: [{ generationId: 1, invoiceDate: '2026-13-45', balanceDue: { value: 1 }, salesTotal: { value: 1 } }] }));
    expect(o.ok).toBe(false);
    expect((o as { error: unknown }).error).toBeInstanceOf(ErpError);
  });

  it('abas: 20261345 and 2024-02-30 are no dates', () => {
    for (const t of ['20261345', '2024-02-30']) {
      const o = outcomeOf(() => isoDate(t, 'datum', 'abas'));
      expect(o.ok).toBe(false);
      expect((o as { error: unknown }).error).toBeInstanceOf(ErpError);
    }
    expect(isoDate('20240229', 'datum', 'abas')).toBe('2024-02-29');
  });
});

describe(`abas objects (fuzz seed ${SEED + 30})`, () => {
  const field = (value: fc.Arbitrary<unknown>) => fc.record({ value });
  const object = fc.record({
    id: fc.string({ maxLength: 6 }),
    head: fc.record({ fields: fc.record({ nummer: field(fc.string({ maxLength: 6 })), betrag: field(fc.constantFrom('12.50', '-3.00', '0')), datum: field(fc.constantFrom('20260115', '2026-01-15', '')) }) }),
    table: fc.array(fc.record({ fields: fc.record({ re: field(fc.string({ maxLength: 6 })) }) }), { maxLength: 2 }),
  });
  const body = fc.record({ content: fc.record({ data: fc.record({ erpDataObjects: fc.array(object, { maxLength: 3 }), links: fc.array(fc.record({ rel: fc.string(), href: fc.string() }), { maxLength: 2 }) }) }) });

  it('object lists: string fields only, or a malformed ErpError; field readers give cents and real dates', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutatedJson(body)), (v) => {
        const objects = assertTyped(outcomeOf(() => parseObjects(v, 'abas customers')), typed);
        for (const o of objects ?? []) {
          for (const value of Object.values(o.head)) expect(typeof value).toBe('string');
          const amount = assertTyped(outcomeOf(() => amountOf(o.head.betrag, 'betrag', 'abas')), typed);
          if (amount !== undefined) expect(isCents(amount)).toBe(true);
          const d = assertTyped(outcomeOf(() => isoDate(o.head.datum, 'datum', 'abas')), typed);
          if (d) expect(isIsoDate(d)).toBe(true);
          assertTyped(outcomeOf(() => need(o, 'nummer', 'abas')), typed);
        }
        for (const l of parseLinks(v)) expect(typeof l.href).toBe('string');
      }),
      fuzzParams(SEED + 30, RUNS.parser),
    );
  });
});
