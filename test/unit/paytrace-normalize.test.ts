import { describe, expect, it } from 'vitest';
import { normalizeExportRow } from '../../electron/core/paytrace/normalize';

// The documented §5.2 example row, verbatim.
const DOC_ROW = {
  transaction_id: 79388123,
  credit_card: { masked_number: '************5454', expiration_month: 12, expiration_year: 20 },
  transaction_type: 'SALE',
  description: '',
  amount: 110,
  invoice_id: 'inv1234',
  shipping_address: { name: '', street_address: '', street_address2: '', city: '', county: '', state: '', zip: '85284', country: 'US' },
  billing_address: { name: 'Kevin', street_address: '8320 E. West St.', street_address2: '', city: 'Spokane', state: 'WA', zip: '85284', country: 'US' },
  receipt_emailed_to: '',
  tax_amount: '8.10',
  customer_reference_id: 'PO123456',
  approval_code: 'VTLMC1',
  approval_message: 'EXACT MATCH - Approved and completed',
  avs_response: 'Full Exact Match',
  csc_response: 'Match',
  status_code: 'GB571',
  status_message: 'GB571',
  created: { through: 'API', at: '4/10/2015 4:06:30 PM', by: 'sandbox123', from_ip: '64.106.246.164' },
  settled: '4/10/2015 8:13:45 PM',
  customer_id: '',
};

function ok(row: unknown, options = {}) {
  const r = normalizeExportRow(row, options);
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`);
  return r.value;
}

function fail(row: unknown): string {
  const r = normalizeExportRow(row);
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

describe('normalizeExportRow', () => {
  it('normalises the documented example row', () => {
    const t = ok(DOC_ROW);
    expect(t).toMatchObject({
      transactionId: 79388123,
      type: 'SALE',
      amountCents: 11000,
      currency: 'USD',
      taxCents: 810,
      createdAt: '2015-04-10T23:06:30.000Z',
      settledAt: '2015-04-11T03:13:45.000Z',
      declined: false,
      approvalCode: 'VTLMC1',
      invoiceId: 'inv1234',
      customerReferenceId: 'PO123456',
      customerId: '',
      billingName: 'Kevin',
      maskedCard: '************5454',
      method: 'card',
    });
    // Issue 12: only the allow-listed fields are kept; the card's expiry date and the payer's IP are not.
    const { credit_card: _card, created, ...rest } = DOC_ROW;
    expect(t.raw).toEqual({ ...rest, credit_card: { masked_number: '************5454' }, created: { through: created.through, at: created.at, by: created.by } });
  });

  it('keeps only allow-listed PayTrace fields: no expiry, full card or account number, CVV, track or unknown data (issue 12)', () => {
    const hostile = {
      ...DOC_ROW,
      credit_card: { masked_number: '************5454', number: '5454545454545454', expiration_month: 12, expiration_year: 29, csc: '123' },
      check: { masked_account_number: '******6789', account_number: '000123456789', routing_number: '325070760', status: 'Processed' },
      csc: '999',
      track_data: '%B4111111111111111^DOE/JOHN^2912101?',
      track2: ';4111111111111111=29121010000?',
      discretionary_data: { anything: 'at all' },
      card_number: '4111111111111111',
      a_field_paytrace_adds_next_year: 'x',
      original_transaction_id: '77',
    };
    const t = ok(hostile);
    const stored = JSON.stringify(t.raw);
    for (const gone of ['expiration', 'number":"5454', 'csc"', 'track', 'discretionary', '4111111111111111', '000123456789', 'routing', 'a_field_paytrace_adds']) expect(stored, gone).not.toContain(gone);
    expect(t.raw).toMatchObject({ credit_card: { masked_number: '************5454' }, check: { masked_account_number: '******6789', status: 'Processed' }, original_transaction_id: '77' });
    // A "masked" number that is a whole card number is not a mask: the row is refused (an exception with its
    // reason, fail safe), the reason does not repeat the number, and the raw subset kept with a reject drops it.
    const unmasked = normalizeExportRow({ ...DOC_ROW, credit_card: { masked_number: '5454545454545454' } });
    expect(unmasked.ok).toBe(false);
    if (!unmasked.ok) expect(unmasked.error).toMatch(/credit_card\.masked_number holds an unmasked card number/);
    expect(JSON.stringify(unmasked)).not.toContain('5454545454545454');
  });

  it('keeps nothing of fields named like Object.prototype members (constructor, __proto__, toString), found by fuzzing after the merge', () => {
    const t = ok(JSON.parse(JSON.stringify({ ...DOC_ROW, constructor: { a: 1 }, toString: { b: 2 } }).replace('"toString"', '"__proto__"')));
    expect(Object.keys(t.raw as object)).not.toContain('constructor');
    expect(Object.keys(t.raw as object)).not.toContain('__proto__');
  });

  it('reads amounts given as strings or numbers, and the zone setting', () => {
    const t = ok({ ...DOC_ROW, amount: '1,234.50', tax_amount: 8.105 }, { zone: 'America/New_York', currency: 'CAD' });
    expect(t.amountCents).toBe(123450);
    expect(t.taxCents).toBe(811);
    expect(t.currency).toBe('CAD');
    expect(t.createdAt).toBe('2015-04-10T20:06:30.000Z');
    expect(ok({ ...DOC_ROW, amount: 51.88 }).amountCents).toBe(5188);
  });

  it('treats an empty settled as unsettled and a missing tax as null', () => {
    const t = ok({ ...DOC_ROW, settled: '', tax_amount: '' });
    expect(t.settledAt).toBeNull();
    expect(t.taxCents).toBeNull();
    expect(ok({ ...DOC_ROW, settled: undefined, tax_amount: undefined }).settledAt).toBeNull();
  });

  it('flags declines: empty approval code and DECLINE in the (untrimmed) message', () => {
    const t = ok({ ...DOC_ROW, approval_code: '', approval_message: '    DECLINE - Do not honor', settled: '' });
    expect(t.declined).toBe(true);
    expect(t.approvalMessage).toBe('DECLINE - Do not honor');
    expect(ok({ ...DOC_ROW, approval_code: '  ', approval_message: ' decline ' }).declined).toBe(true);
    // An approval code means it was approved, whatever the message says.
    expect(ok({ ...DOC_ROW, approval_code: 'TAS445', approval_message: 'DECLINE?' }).declined).toBe(false);
    // Empty code without DECLINE is not a decline by itself...
    expect(ok({ ...DOC_ROW, approval_code: '', approval_message: '  EXPIRED CARD - Expired card' }).declined).toBe(false);
    // ...unless the reply itself was a 102 decline.
    expect(ok({ ...DOC_ROW, approval_code: '', approval_message: '  EXPIRED CARD - Expired card' }, { declinedByResponse: true }).declined).toBe(true);
  });

  it('trims approval text and references', () => {
    const t = ok({ ...DOC_ROW, approval_code: ' TAS445 ', approval_message: '  NO  MATCH - Approved and completed', invoice_id: ' INV-1004521 ' });
    expect(t.approvalCode).toBe('TAS445');
    expect(t.approvalMessage).toBe('NO  MATCH - Approved and completed');
    expect(t.invoiceId).toBe('INV-1004521');
  });

  it('recognises ACH rows by check fields or a missing card', () => {
    const { credit_card: _card, ...noCard } = DOC_ROW;
    const ach = ok({ ...noCard, check: { masked_account_number: '******6789', routing_number: '325070760' } });
    expect(ach.method).toBe('ach');
    expect(ach.maskedCard).toBe('******6789');
    expect(ok(noCard).method).toBe('ach');
    expect(ok({ ...DOC_ROW, check_transaction_id: 55 }).method).toBe('ach');
  });

  it('keeps voids and refunds as their own types', () => {
    expect(ok({ ...DOC_ROW, transaction_type: 'VOID', settled: '' }).type).toBe('VOID');
    expect(ok({ ...DOC_ROW, transaction_type: 'refund' }).type).toBe('REFUND');
  });

  it('accepts a numeric-string transaction id and numeric customer id', () => {
    const t = ok({ ...DOC_ROW, transaction_id: '79388123', customer_id: 10001 });
    expect(t.transactionId).toBe(79388123);
    expect(t.customerId).toBe('10001');
  });

  it('names the field and the transaction id when a row is bad', () => {
    expect(fail({ ...DOC_ROW, amount: 'abc' })).toMatch(/79388123.*amount/);
    expect(fail({ ...DOC_ROW, amount: undefined })).toMatch(/79388123.*amount/);
    expect(fail({ ...DOC_ROW, created: { at: '2015-04-10' } })).toMatch(/79388123.*created\.at/);
    expect(fail({ ...DOC_ROW, created: undefined })).toMatch(/79388123.*created/);
    expect(fail({ ...DOC_ROW, settled: 'tomorrow' })).toMatch(/79388123.*settled/);
    expect(fail({ ...DOC_ROW, tax_amount: 'x' })).toMatch(/79388123.*tax_amount/);
    expect(fail({ ...DOC_ROW, transaction_type: '' })).toMatch(/79388123.*transaction_type/);
    expect(fail({ ...DOC_ROW, billing_address: 'Kevin' })).toMatch(/79388123.*billing_address/);
    expect(fail({ ...DOC_ROW, invoice_id: { no: 1 } })).toMatch(/79388123.*invoice_id/);
    expect(fail({ ...DOC_ROW, transaction_id: undefined })).toMatch(/unknown id.*transaction_id/);
    expect(fail({ ...DOC_ROW, transaction_id: -4 })).toMatch(/transaction_id/);
    expect(fail('not a row')).toMatch(/not an object/);
    expect(fail(null)).toMatch(/not an object/);
  });
});
