import assert from 'node:assert/strict';
import { cents, type Cents } from '@shared/money';
import type { OpenInvoice } from '@shared/domain';
import { collectPages, EARLY_PAYMENT_DISCOUNT, postsDiscounts, type ErpConnector, type ReceiptRequest } from '../../core/erp/connector';
import type { ConformanceHarness } from './conformance';
import type { ConformanceScenario, ConformanceSeed } from './conformance-runner';
import { ErpError } from '../../core/erp/errors';
import { cardReceipt, expectErpError, twoInvoiceReceipt } from './conformance-receipts';
import { verifyFoundReceipt } from '../../core/erp/read-back';

// The scenarios every ERP connector must pass against its sandbox.
// Fault contract for harnesses: read faults are injected as {method: 'GET'},
// write faults as {method: 'POST'}, without a path; a harness whose transport
// differs (SOAP, ODBC, files) maps them to its own reads and writes, and must
// not let a write fault hit a sign-in.


/** Signs in and reads once, so the next injected fault hits the call under test, not the sign-in. */
async function warm(c: ErpConnector): Promise<void> {
  assert.equal(await c.findReceipt('WARMUP-0'), null, 'warm-up look-up of an unknown reference must return null');
}

const sortAlloc = (a: ReadonlyArray<{ invoiceNo: string; amountCents: Cents }>) =>
  [...a].map((x) => ({ invoiceNo: x.invoiceNo, amountCents: x.amountCents })).sort((x, y) => x.invoiceNo.localeCompare(y.invoiceNo));

async function assertCount(h: ConformanceHarness, reference: string, expected: number, when: string): Promise<void> {
  assert.equal(await h.countReceipts(reference), expected, `receipts carrying ${reference} ${when}`);
}



/**
 * A receipt that takes the early-payment discount on a fully open invoice
 * billed with terms: the cash is the balance less the discount, the discount
 * travels as a write-off line (as approval builds it), the invoice closes.
 */
function discountReceipt(seed: ConformanceSeed, reference: string): { request: ReceiptRequest; invoice: OpenInvoice; discountCents: Cents } {
  const invoice = seed.invoices.find((i) => i.terms && i.terms.discountBasisPoints > 0 && i.openBalanceCents === i.amountCents && i.openBalanceCents > 0);
  assert.ok(invoice?.terms, 'the seed needs an open invoice billed with discount terms');
  const discountCents = cents(Math.round((invoice.amountCents * invoice.terms.discountBasisPoints) / 10_000));
  assert.ok(discountCents > 0, 'the discount must be positive');
  const cash = cents(invoice.openBalanceCents - discountCents);
  return {
    invoice,
    discountCents,
    request: cardReceipt(reference, invoice, [{ invoiceNo: invoice.invoiceNo, amountCents: cash }], {
      writeOffs: [{ invoiceNo: invoice.invoiceNo, amountCents: discountCents, reasonCode: EARLY_PAYMENT_DISCOUNT }],
      memo: 'Tieout conformance discount',
    }),
  };
}

/**
 * A receipt that applies an open credit memo: the invoice in full plus a
 * negative allocation naming the credit; the cash is their sum.
 */
function creditReceipt(seed: ConformanceSeed, reference: string): { request: ReceiptRequest; invoice: OpenInvoice; credit: OpenInvoice } {
  const credits = seed.invoices.filter((i) => i.openBalanceCents < 0);
  for (const credit of credits) {
    const invoice = seed.invoices.find((i) => i.customerId === credit.customerId && i.openBalanceCents > -credit.openBalanceCents && !i.terms);
    if (!invoice) continue;
    return {
      invoice,
      credit,
      request: cardReceipt(
        reference,
        invoice,
        [
          { invoiceNo: invoice.invoiceNo, amountCents: invoice.openBalanceCents },
          { invoiceNo: credit.invoiceNo, amountCents: credit.openBalanceCents },
        ],
        { memo: 'Tieout conformance credit' },
      ),
    };
  }
  throw new assert.AssertionError({ message: 'the seed needs an open credit and a larger open invoice of the same customer' });
}

/**
 * Posts once; the look-up reads back the same document, the cash (not cash plus
 * discount), the customer and every line (a credit as a negative one); a
 * second post is refused as a duplicate and nothing more is written.
 */
async function postOnceAndReadBack(h: ConformanceHarness, request: ReceiptRequest, what: string): Promise<void> {
  const c = h.connector();
  const posted = await c.postReceipt(request);
  assert.ok(posted.erpDocumentId, `${what} has an ERP document id`);
  const found = await c.findReceipt(request.reference);
  assert.ok(found, `findReceipt finds ${what}`);
  assert.equal(found.erpDocumentId, posted.erpDocumentId, 'same document');
  assert.equal(found.amountCents, request.amountCents, 'the cash is read back');
  assert.equal(found.customerId, request.customerId, 'customer read back');
  assert.deepEqual(sortAlloc(found.allocations), sortAlloc(request.allocations), 'lines read back');
  await assertCount(h, request.reference, 1, 'after one post');
  await expectErpError(h.connector().postReceipt(request), ['duplicate'], `second post of ${what}`);
  await assertCount(h, request.reference, 1, 'after the refused duplicate');
}

function lacks(h: ConformanceHarness, capability: 'discounts' | 'applyCredits', what: string): string | null {
  const c = h.connector();
  const has = capability === 'discounts' ? postsDiscounts(c.capabilities) : c.capabilities.applyCredits === true;
  return has ? null : `the ${c.kind} connector does not declare capabilities.${capability} (${what}); the outbox refuses such a receipt before sending`;
}

export const CONFORMANCE_SCENARIOS: readonly ConformanceScenario[] = [
  {
    id: 'connect',
    title: 'connects and reports a healthy diagnosis',
    async run(h) {
      const d = await h.connector().testConnection();
      assert.ok(d.ok, `diagnosis should be ok: ${d.summary}`);
      assert.ok(d.summary.length > 0 && d.checks.length > 0, `diagnosis needs a summary and checks, got ${JSON.stringify(d)}`);
    },
  },
  {
    id: 'bad-credentials',
    title: 'bad credentials: auth error and a diagnosis that says so',
    requires: 'credentialRejection',
    async run(h) {
      const c = h.connector({ badCredentials: true });
      const d = await c.testConnection();
      assert.equal(d.ok, false, 'diagnosis must not be ok with a wrong password');
      assert.match(d.summary, /password|credential|sign[- ]?in|log[- ]?in|auth/i, `diagnosis summary must name the credentials problem, got: ${d.summary}`);
      assert.ok(!d.summary.includes('not-the-password'), 'diagnosis must not echo the password');
      await expectErpError(collectPages(c.listCustomers()), ['auth'], 'reading with bad credentials');
    },
  },
  {
    id: 'read-invoices-paged',
    title: 'reads 5,000 open invoices over several pages',
    async run(h, seed) {
      let pages = 0;
      const seen = new Map<string, OpenInvoice>();
      for await (const page of h.connector().listOpenInvoices({ pageSize: 1000 })) {
        pages++;
        assert.ok(page.length <= 1000, `page of ${page.length} exceeds the page size`);
        for (const inv of page) {
          assert.ok(!seen.has(inv.invoiceNo), `invoice ${inv.invoiceNo} read twice`);
          seen.set(inv.invoiceNo, inv);
        }
      }
      assert.ok(pages > 1, `expected more than one page, got ${pages}`);
      assert.equal(seen.size, seed.invoices.length, 'open invoice count');
      for (const want of seed.invoices) {
        const got = seen.get(want.invoiceNo);
        assert.ok(got, `invoice ${want.invoiceNo} missing`);
        assert.equal(got.customerId, want.customerId, `customer of ${want.invoiceNo}`);
        assert.equal(got.openBalanceCents, want.openBalanceCents, `open balance of ${want.invoiceNo}`);
        assert.equal(got.amountCents, want.amountCents, `total of ${want.invoiceNo}`);
      }
    },
  },
  {
    id: 'read-open-credits',
    title: 'reads open credit memos as negative open items, and discount terms where billed',
    async run(h, seed) {
      const credits = seed.invoices.filter((i) => i.openBalanceCents < 0);
      const termed = seed.invoices.filter((i) => i.terms);
      assert.ok(credits.length > 0 && termed.length > 0, 'the seed needs open credits and invoices with discount terms');
      const read = new Map((await collectPages(h.connector().listOpenInvoices())).map((i) => [i.invoiceNo, i]));
      for (const want of credits) {
        const got = read.get(want.invoiceNo);
        assert.ok(got, `open credit ${want.invoiceNo} missing from the open items`);
        assert.equal(got.customerId, want.customerId, `customer of credit ${want.invoiceNo}`);
        assert.equal(got.openBalanceCents, want.openBalanceCents, `open balance of credit ${want.invoiceNo} (negative)`);
        assert.ok(got.amountCents < 0, `total of credit ${want.invoiceNo} must be negative, got ${got.amountCents}`);
        assert.equal(got.currency, want.currency, `currency of credit ${want.invoiceNo}`);
        assert.ok(!got.terms, `credit ${want.invoiceNo} carries no discount terms`);
      }
      for (const want of termed) {
        assert.deepEqual(read.get(want.invoiceNo)?.terms, want.terms, `discount terms of invoice ${want.invoiceNo}`);
      }
      const termedNos = new Set(termed.map((i) => i.invoiceNo));
      const unexpected = [...read.values()].filter((i) => i.terms && !termedNos.has(i.invoiceNo));
      assert.equal(unexpected.length, 0, `invoices billed without a discount read with terms: ${unexpected.slice(0, 3).map((i) => i.invoiceNo).join(', ')}`);
      const seeded = new Map(seed.invoices.map((i) => [i.invoiceNo, i.openBalanceCents]));
      const sign = [...read.values()].filter((i) => Math.sign(i.openBalanceCents) !== Math.sign(seeded.get(i.invoiceNo) ?? 0));
      assert.equal(sign.length, 0, `open items read with the wrong sign: ${sign.slice(0, 3).map((i) => i.invoiceNo).join(', ')}`);
    },
  },
  {
    id: 'read-customers',
    title: 'reads the active customers',
    async run(h, seed) {
      const customers = await collectPages(h.connector().listCustomers());
      assert.deepEqual(customers.map((c) => c.customerId).sort(), seed.customers.map((c) => c.customerId).sort(), 'customer ids');
      assert.ok(customers.every((c) => c.name.length > 0), 'every customer has a name');
    },
  },
  {
    id: 'post-and-read-back',
    title: 'posts a receipt over two invoices and reads it back',
    async run(h, seed) {
      const c = h.connector();
      const { request, first, second } = twoInvoiceReceipt(seed, '400100001');
      const posted = await c.postReceipt(request);
      assert.ok(posted.erpDocumentId, 'posted receipt has an ERP document id');
      const found = await c.findReceipt(request.reference);
      assert.ok(found, 'findReceipt finds the posted receipt');
      assert.equal(found.erpDocumentId, posted.erpDocumentId, 'same document');
      assert.equal(found.amountCents, request.amountCents, 'amount read back');
      assert.equal(found.customerId, request.customerId, 'customer read back');
      assert.deepEqual(sortAlloc(found.allocations), sortAlloc(request.allocations), 'allocations read back');
      assert.equal((await h.openBalance(first.invoiceNo)) ?? 0, 0, 'first invoice is paid');
      assert.equal(await h.openBalance(second.invoiceNo), second.openBalanceCents - request.allocations[1]!.amountCents, 'second invoice balance reduced');
      await assertCount(h, request.reference, 1, 'after one post');
    },
  },
  {
    id: 'duplicate-refused',
    title: 'the same PayTrace id again is refused by the look-up',
    async run(h, seed) {
      const c = h.connector();
      const { request } = twoInvoiceReceipt(seed, '400100002');
      const posted = await c.postReceipt(request);
      const again = await expectErpError(c.postReceipt(request), ['duplicate'], 'second post of one reference');
      assert.equal(again.existingDocumentId, posted.erpDocumentId, 'duplicate names the existing document');
      // A new connector (e.g. after an app restart) must refuse it too.
      await expectErpError(h.connector().postReceipt(request), ['duplicate'], 'post from a fresh connector');
      await assertCount(h, request.reference, 1, 'after refused duplicates');
    },
  },
  {
    id: 'session-expiry',
    title: 'keeps working when the session/token expires mid-run',
    requires: 'sessionExpiry',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      await h.expireSessions();
      const customers = await collectPages(c.listCustomers());
      assert.equal(customers.length, seed.customers.length, 'customers after expiry');
      await h.expireSessions();
      const { request } = twoInvoiceReceipt(seed, '400100003');
      await c.postReceipt(request);
      await assertCount(h, request.reference, 1, 'after a post across an expiry');
    },
  },
  {
    id: 'transient-500',
    title: 'HTTP 500 and 429 are transient',
    requires: 'httpFaults',
    async run(h) {
      const c = h.connector();
      await warm(c);
      await h.injectFault({ fault: { kind: 'status', status: 500 }, method: 'GET', times: 1 });
      await expectErpError(collectPages(c.listCustomers()), ['transient'], 'read answered 500');
      await h.injectFault({ fault: { kind: 'status', status: 429, retryAfterSeconds: 7 }, method: 'GET', times: 1 });
      const e = await expectErpError(collectPages(c.listCustomers()), ['transient'], 'read answered 429');
      assert.equal(e.retryAfterSeconds, 7, 'Retry-After is carried');
      assert.ok((await collectPages(c.listCustomers())).length > 0, 'reads work once the fault has passed');
    },
  },
  {
    id: 'transient-timeout',
    title: 'a read that times out is transient',
    requires: 'httpFaults',
    async run(h) {
      const c = h.connector({ timeoutMs: 400 });
      await warm(c);
      await h.injectFault({ fault: { kind: 'timeout' }, method: 'GET', times: 1 });
      await expectErpError(collectPages(c.listCustomers()), ['transient'], 'read that timed out');
    },
  },
  {
    id: 'commit-then-drop',
    title: 'reply lost after the ERP committed: unknown outcome, resolved by the look-up',
    requires: 'commitThenDrop',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      const { request } = twoInvoiceReceipt(seed, '400100004');
      await h.injectFault({ fault: { kind: 'commit-then-drop' }, method: 'POST', times: 1 });
      await expectErpError(c.postReceipt(request), ['unknown_outcome'], 'post whose reply was lost');
      const found = await c.findReceipt(request.reference);
      assert.ok(found, 'the look-up resolves the unknown outcome');
      await assertCount(h, request.reference, 1, 'after commit-then-drop');
      await expectErpError(c.postReceipt(request), ['duplicate'], 'retry after the resolved outcome');
      await assertCount(h, request.reference, 1, 'after the retry');
    },
  },
  {
    id: 'malformed-read',
    title: 'a malformed read reply is a typed error',
    requires: 'malformedReplies',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      await h.injectFault({ fault: { kind: 'malformed' }, method: 'GET', times: 1 });
      await expectErpError(collectPages(c.listOpenInvoices()), ['malformed'], 'truncated invoice page');
      const all = await collectPages(c.listOpenInvoices());
      assert.equal(all.length, seed.invoices.length, 'a clean re-read returns every invoice');
    },
  },
  {
    id: 'malformed-write',
    title: 'a truncated or dropped write reply: typed error, nothing written, safe to post again',
    requires: 'malformedReplies',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      const { request } = twoInvoiceReceipt(seed, '400100005');
      await h.injectFault({ fault: { kind: 'malformed' }, method: 'POST', times: 1 });
      await expectErpError(c.postReceipt(request), ['malformed', 'unknown_outcome'], 'post answered with a truncated body');
      await assertCount(h, request.reference, 0, 'after a truncated reply that wrote nothing');
      assert.equal(await c.findReceipt(request.reference), null, 'the look-up agrees nothing was written');
      await h.injectFault({ fault: { kind: 'reset' }, method: 'POST', times: 1 });
      await expectErpError(c.postReceipt(request), ['unknown_outcome', 'transient'], 'post whose connection was reset');
      await assertCount(h, request.reference, 0, 'after a reset that wrote nothing');
      await c.postReceipt(request);
      await assertCount(h, request.reference, 1, 'after the clean post');
    },
  },
  {
    id: 'post-with-discount',
    title: 'posts a receipt taking an early-payment discount (write-off line) once; the invoice closes',
    skipReason: (h) => lacks(h, 'discounts', 'early-payment discounts'),
    async run(h, seed) {
      const c = h.connector();
      const { request, invoice } = discountReceipt(seed, '400100006');
      // Malformed: a write-off on an invoice the receipt does not allocate to is refused before anything is written.
      const stray = seed.invoices.find((i) => i.customerId === invoice.customerId && i.invoiceNo !== invoice.invoiceNo && i.openBalanceCents > 0);
      assert.ok(stray, 'seed needs a second invoice of the discounted customer');
      await expectErpError(
        c.postReceipt({ ...request, writeOffs: [...request.writeOffs!, { invoiceNo: stray.invoiceNo, amountCents: cents(100), reasonCode: EARLY_PAYMENT_DISCOUNT }] }),
        ['validation'],
        'write-off on an invoice without an allocation',
      );
      await assertCount(h, request.reference, 0, 'after the refused malformed write-off');
      await postOnceAndReadBack(h, request, 'the discounted receipt');
      assert.equal((await h.openBalance(invoice.invoiceNo)) ?? 0, 0, 'cash plus discount close the invoice');
    },
  },
  {
    id: 'post-with-credit',
    title: 'posts a receipt applying an open credit memo (negative allocation) once; invoice and credit close',
    skipReason: (h) => lacks(h, 'applyCredits', 'open credits applied in a receipt'),
    async run(h, seed) {
      const { request, invoice, credit } = creditReceipt(seed, '400100007');
      await postOnceAndReadBack(h, request, 'the receipt applying the credit');
      assert.equal((await h.openBalance(invoice.invoiceNo)) ?? 0, 0, 'the invoice is paid');
      assert.equal((await h.openBalance(credit.invoiceNo)) ?? 0, 0, 'the credit is used up');
    },
  },
  {
    id: 'field-length',
    title: 'a reference longer than the ERP field is refused before sending',
    async run(h, seed) {
      const c = h.connector();
      const tooLong = '9'.repeat(h.limits.referenceMaxLength + 1);
      const { request } = twoInvoiceReceipt(seed, tooLong);
      if (h.supports.httpFaults) {
        // Had the connector sent it, this fault would turn the answer into 'transient'.
        await h.injectFault({ fault: { kind: 'status', status: 500 }, method: 'POST', times: 1 });
      }
      await expectErpError(c.postReceipt(request), ['validation'], 'reference over the field limit');
      await h.clearFaults();
      await assertCount(h, tooLong, 0, 'after the refused post');
      const fits = '9'.repeat(h.limits.referenceMaxLength);
      await c.postReceipt({ ...request, reference: fits });
      await assertCount(h, fits, 1, 'a reference of exactly the limit');
    },
  },
];

/**
 * The real ERP's failure modes (conformance.ts, REAL_FAILURES), each in the
 * shape and status the real system sends; a sandbox that cannot reproduce one
 * says why in docs/erp/<kind>.md and the scenario is skipped.
 */
export const REAL_FAILURE_SCENARIOS: readonly ConformanceScenario[] = [
  {
    id: 'real-receipt-service-unavailable',
    title: 'the receipt service is missing or not licensed: a configuration error, nothing booked, not retried as transient',
    requiresRealFailure: 'receipt-service-unavailable',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      const { request } = twoInvoiceReceipt(seed, '400100011');
      await h.injectRealFailure('receipt-service-unavailable');
      await expectErpError(c.postReceipt(request), ['config'], 'post while the receipt service is unavailable');
      await expectErpError(c.postReceipt(request), ['config'], 'the same post again: the service is still unavailable');
      await assertCount(h, request.reference, 0, 'while the receipt service is unavailable');
      await h.clearFaults();
      await c.postReceipt(request);
      await assertCount(h, request.reference, 1, 'once the service is back');
    },
  },
  {
    id: 'real-unknown-read-field',
    title: 'a read naming a column the ERP does not have: a configuration error, never a partial list',
    requiresRealFailure: 'unknown-read-field',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      await h.injectRealFailure('unknown-read-field');
      await expectErpError(collectPages(c.listOpenInvoices()), ['config'], 'open items read with an unknown column');
      await h.clearFaults();
      assert.equal((await collectPages(c.listOpenInvoices())).length, seed.invoices.length, 'a clean read returns every invoice');
    },
  },
  {
    id: 'real-accepted-not-booked',
    title: 'a write acknowledged but not booked is never reported as posted',
    requiresRealFailure: 'accepted-not-booked',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      const { request } = twoInvoiceReceipt(seed, '400100012');
      await h.injectRealFailure('accepted-not-booked');
      await expectErpError(c.postReceipt(request), ['unknown_outcome'], 'post the ERP acknowledged without booking');
      await assertCount(h, request.reference, 0, 'after the acknowledged write that booked nothing');
      assert.equal(await c.findReceipt(request.reference), null, 'the look-up agrees nothing was booked');
      await c.postReceipt(request);
      await assertCount(h, request.reference, 1, 'after the post that follows the look-up');
    },
  },
  {
    id: 'real-partial-booking',
    title: 'a receipt booked without one of its lines is reported as partial, on the post and on every look-up',
    requiresRealFailure: 'partial-booking',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      const { request, second } = twoInvoiceReceipt(seed, '400100013');
      await h.injectRealFailure('partial-booking');
      const e = await expectErpError(c.postReceipt(request), ['partial'], 'post booked without its last line');
      assert.ok(e.message.includes(second.invoiceNo), `the partial-booking error names the missing invoice ${second.invoiceNo}: ${e.message}`);
      await assertCount(h, request.reference, 1, 'the partial booking stays visible in the ERP');
      const found = await c.findReceipt(request.reference);
      assert.ok(found, 'the look-up finds the partial booking');
      assert.throws(() => verifyFoundReceipt(request, found), (err: unknown) => err instanceof ErpError && err.kind === 'partial', 'a look-up before a retry refuses the partial booking');
      const answer = await c.postReceipt(request).catch((err: unknown) => err);
      assert.ok(answer instanceof ErpError && (answer.kind === 'duplicate' || answer.kind === 'partial'), `a second post must not book again: ${String(answer)}`);
      await assertCount(h, request.reference, 1, 'after the second post');
    },
  },
  {
    id: 'real-business-refusal',
    title: "a refusal in the ERP's real shape is a validation error carrying the ERP's text, nothing booked",
    requiresRealFailure: 'business-refusal',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      const { request } = twoInvoiceReceipt(seed, '400100014');
      const { erpText } = await h.injectRealFailure('business-refusal');
      const e = await expectErpError(c.postReceipt(request), ['validation'], 'post the ERP refused');
      if (erpText) assert.ok(`${e.message} ${e.erpMessage ?? ''}`.includes(erpText), `the error carries the ERP's text "${erpText}": ${e.message} / ${e.erpMessage ?? ''}`);
      await assertCount(h, request.reference, 0, 'after the refusal');
    },
  },
  {
    id: 'real-session-timeout',
    title: "the session expires with the ERP's real signal mid-run: reads and the receipt go through once",
    requiresRealFailure: 'session-timeout',
    async run(h, seed) {
      const c = h.connector();
      await warm(c);
      await h.injectRealFailure('session-timeout');
      assert.equal((await collectPages(c.listCustomers())).length, seed.customers.length, 'customers after the timeout');
      await h.injectRealFailure('session-timeout');
      const { request } = twoInvoiceReceipt(seed, '400100015');
      await c.postReceipt(request);
      await assertCount(h, request.reference, 1, 'after a post across the timeout');
    },
  },
];
