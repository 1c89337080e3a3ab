import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber } from '@shared/card-numbers';
import { normalizeExportRow } from '../../electron/core/paytrace/normalize';
import { readErrorMap, describeErrorMap } from '../../electron/core/paytrace/errors';
import { parseRetryAfter } from '../../electron/core/http/retry-after';
import { CARD_NUMBERS, fuzzParams, hostileValue, isCents, mutatedJson, RUNS } from '../support/fuzz-arbitraries';

// Property-based fuzzing of the PayTrace reply parsers below the HTTP client
// (the client itself is fuzzed over real HTTP in test/integration/fuzz-paytrace-http.test.ts).
// Invariants: a row never throws (it is a typed NormalizeResult), and a row read
// as ok satisfies the domain rules; the error map and Retry-After readers never throw.

const SEED = 120_011;

// The §5.2 example row of the PayTrace reference, with generated ids, amounts and text.
const validRow = fc.record({
  transaction_id: fc.integer({ min: 1, max: 2_000_000_000 }),
  credit_card: fc.record({ masked_number: fc.constantFrom('************5454', 'xxxxxxxxxxxx1111', '') }),
  transaction_type: fc.constantFrom('SALE', 'REFUND', 'VOID', 'AUTHORIZATION', 'DECLINED', 'FORCE'),
  description: fc.string({ maxLength: 20 }),
  amount: fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }).map((c) => c / 100), fc.stringMatching(/^\d{1,6}\.\d{2}$/)),
  invoice_id: fc.string({ maxLength: 12 }),
  billing_address: fc.record({ name: fc.string({ maxLength: 12 }) }),
  receipt_emailed_to: fc.constant(''),
  tax_amount: fc.constantFrom('8.10', '', '0.00'),
  customer_reference_id: fc.string({ maxLength: 12 }),
  approval_code: fc.constantFrom('VTLMC1', ''),
  approval_message: fc.constantFrom('EXACT MATCH - Approved and completed', '    NO  MATCH - Declined', ''),
  created: fc.record({ through: fc.constant('API'), at: fc.constantFrom('4/10/2015 4:06:30 PM', '12/31/2025 11:59:59 PM', '3/9/2025 2:30:00 AM') }),
  settled: fc.constantFrom('4/10/2015 8:13:45 PM', ''),
  customer_id: fc.string({ maxLength: 8 }),
});

function checkRow(raw: unknown): void {
  const r = normalizeExportRow(raw);
  if (!r.ok) {
    expect(typeof r.error).toBe('string');
    expect(r.error.length).toBeGreaterThan(0);
    return;
  }
  const t = r.value;
  expect(Number.isSafeInteger(t.transactionId) && t.transactionId > 0).toBe(true);
  expect(isCents(t.amountCents)).toBe(true);
  expect(t.taxCents === null || isCents(t.taxCents)).toBe(true);
  expect(t.currency).toMatch(/^[A-Z]{3}$/);
  expect(t.type).not.toBe('');
  expect(Number.isNaN(Date.parse(t.createdAt))).toBe(false);
  expect(t.settledAt === null || !Number.isNaN(Date.parse(t.settledAt))).toBe(true);
  // A decline is never read as a payment: the type or the approval message says so.
  if (t.type === 'DECLINED' || (t.approvalCode === '' && /DECLINE/i.test(t.approvalMessage))) expect(t.declined).toBe(true);
  // Only PayTrace's mask may be kept, never a full card number.
  expect(containsCardNumber(t.maskedCard)).toBe(false);
}

describe(`PayTrace export rows (fuzz seed ${SEED})`, () => {
  it('any JSON value is a typed result, never a throw', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => checkRow(v)), fuzzParams(SEED, RUNS.cheapParser));
  });

  it('mutated valid rows (dropped, renamed, retyped fields) give a typed result with sound amounts and dates', () => {
    fc.assert(fc.property(mutatedJson(validRow), (v) => checkRow(v)), fuzzParams(SEED + 1, RUNS.parser));
  });

  it('a hostile value in any one field gives a typed result', () => {
    const fields = ['transaction_id', 'amount', 'tax_amount', 'created', 'settled', 'credit_card', 'billing_address', 'transaction_type', 'approval_message'] as const;
    fc.assert(
      fc.property(validRow, fc.constantFrom(...fields), hostileValue, (row, field, value) => checkRow({ ...row, [field]: value })),
      fuzzParams(SEED + 2, RUNS.parser),
    );
  });

  it('regression: a full card number sent as credit_card.masked_number is refused, not kept as the mask', () => {
    for (const pan of CARD_NUMBERS) {
      const r = normalizeExportRow({ transaction_id: 5, transaction_type: 'SALE', amount: 1, created: { at: '4/10/2015 4:06:30 PM' }, credit_card: { masked_number: pan } });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(/masked_number/);
        expect(containsCardNumber(r.error)).toBe(false);
      }
    }
  });
});

describe(`PayTrace error map (fuzz seed ${SEED + 3})`, () => {
  it('reads any JSON value as code → messages without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const map = readErrorMap(v);
        for (const messages of Object.values(map)) for (const m of messages) expect(typeof m).toBe('string');
        expect(typeof describeErrorMap(map)).toBe('string');
      }),
      fuzzParams(SEED + 3, RUNS.cheapParser),
    );
  });

  it('regression: a message object whose toString is not callable ({"toString": null}) is read, not a TypeError', () => {
    const map = readErrorMap({ '817': { toString: null }, '58': [{ toString: null }, 'x'], __proto__: ['p'] });
    expect(map['817']).toEqual(['{"toString":null}']);
    expect(map['58']).toEqual(['{"toString":null}', 'x']);
  });
});

describe(`Retry-After (fuzz seed ${SEED + 4})`, () => {
  const header = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.stringMatching(/^\d{1,30}$/),
    fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    fc.constantFrom('Fri, 31 Dec 9999 23:59:59 GMT', '-1', '1.5', ' 120 ', 'Thu, 01 Jan 1970 00:00:00 GMT', '99999999999999999999'),
    fc.array(fc.string(), { maxLength: 2 }),
    hostileValue,
  );
  it('is undefined or a whole number of seconds no larger than a day, for any header', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 0, max: 4_102_444_800_000 }), (h, now) => {
        const s = parseRetryAfter(h, now);
        if (s !== undefined) {
          expect(Number.isSafeInteger(s)).toBe(true);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(86_400);
        }
      }),
      fuzzParams(SEED + 4, RUNS.cheapParser),
    );
  });

  it('regression: a huge delay-seconds or far-future date is capped, never an unsafe number', () => {
    expect(parseRetryAfter('99999999999999999999', 0)).toBe(86_400);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', 0)).toBe(86_400);
    expect(parseRetryAfter('120', 0)).toBe(120);
  });
});
