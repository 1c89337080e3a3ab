import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../../electron/core/erp/errors';
import { buildRfcResponse, buildSoapFault, parseEnvelope, scalarOf, SoapParseError, structureOf, tableOf } from '../../electron/core/erp/sap-ecc/soap';
import { addDays, fromSapDate, toSapMessage } from '../../electron/core/erp/sap-ecc/sap-values';
import { documentsCarrying, itemTerms, lineItemsToInvoices, signedCents, type LineItem } from '../../electron/core/erp/sap-ecc/line-items';
import { assertTyped, fuzzParams, hostileScalar, isCents, isIsoDate, junkText, mutatedText, outcomeOf, RUNS } from '../support/fuzz-arbitraries';

// Property-based fuzzing of SAP ECC's SOAP-RFC replies: the envelope parser on
// junk and on byte-mutated real replies (truncated XML, flipped bits, injected
// tags), and the BAPI3007_2 line-item readers on rows with hostile values.

const SEED = 120_201;

const row = fc.record({
  DOC_NO: fc.constantFrom('0090000123', '90000124', ''),
  ITEM_NUM: fc.constantFrom('001', '002'),
  AMT_DOCCUR: fc.constantFrom('100.00', '12.5', '0.00', '999999999999.99'),
  DB_CR_IND: fc.constantFrom('S', 'H'),
  ALLOC_NMBR: fc.constantFrom('', '0090000123', '79388123'),
  REF_DOC_NO: fc.constantFrom('', '79388123'),
  DOC_DATE: fc.constantFrom('2026-01-15', '20260115', '00000000', ''),
  PSTNG_DATE: fc.constantFrom('2026-01-16', ''),
  BLINE_DATE: fc.constantFrom('2026-01-15', '20260115', ''),
  NETTERMS: fc.constantFrom('30', '0', ''),
  DSCT_PCT1: fc.constantFrom('2.000', '', '0.000'),
  DSCT_DAYS1: fc.constantFrom('10', '', '0'),
  CURRENCY: fc.constantFrom('USD', ''),
  DOC_TYPE: fc.constantFrom('DZ', 'RV'),
  ITEM_TEXT: fc.constantFrom('Inv 0090000123 / 79388123', 'Cred 1 / 2', ''),
  CUSTOMER: fc.constantFrom('0000100042', ''),
  COMP_CODE: fc.constant('1000'),
  FISC_YEAR: fc.constant('2026'),
});

/** A row with some fields replaced by hostile text (SOAP values are always strings). */
const hostileRow: fc.Arbitrary<LineItem> = fc
  .tuple(row, fc.dictionary(fc.constantFrom('AMT_DOCCUR', 'DB_CR_IND', 'DOC_DATE', 'BLINE_DATE', 'NETTERMS', 'DSCT_PCT1', 'DSCT_DAYS1', 'DOC_NO', 'ALLOC_NMBR', 'ITEM_TEXT'), hostileScalar.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')), { maxKeys: 3 }))
  .map(([r, over]) => ({ ...r, ...over }));

const reply = fc.array(row, { maxLength: 4 }).map((rows) =>
  buildRfcResponse('BAPI_AR_ACC_GETOPENITEMS', { RETURN: { TYPE: 'S', MESSAGE: 'ok' }, LINEITEMS: rows, KEYBALANCE: '12.00' }),
);

describe(`SAP SOAP envelopes (fuzz seed ${SEED})`, () => {
  it('junk, truncated and bit-flipped replies: a parsed envelope of strings, or a SoapParseError', () => {
    const fault = fc.constantFrom(buildSoapFault({ faultCode: 'SOAP-ENV:Server', faultString: 'FU_NOT_FOUND', exceptionName: 'X' }, 'BAPI_X'));
    fc.assert(
      fc.property(fc.oneof(junkText, mutatedText(reply), mutatedText(fault)), (xml) => {
        const env = assertTyped(outcomeOf(() => parseEnvelope(xml)), [SoapParseError]);
        if (env?.kind === 'call') {
          for (const r of tableOf(env.params, 'LINEITEMS')) for (const v of Object.values(r)) expect(typeof v).toBe('string');
          for (const v of Object.values(structureOf(env.params, 'RETURN'))) expect(typeof v).toBe('string');
          expect(typeof scalarOf(env.params, 'KEYBALANCE')).toBe('string');
        }
        if (env?.kind === 'fault') {
          expect(typeof env.fault.faultCode).toBe('string');
          expect(typeof env.fault.faultString).toBe('string');
        }
      }),
      fuzzParams(SEED, RUNS.parser),
    );
  });

  it('regression: a fault whose faultcode is an element named toString is read, not a TypeError', () => {
    const xml = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode><toString>x</toString></faultcode><faultstring><valueOf/></faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
    const env = assertTyped(outcomeOf(() => parseEnvelope(xml)), [SoapParseError]);
    expect(env?.kind).toBe('fault');
  });

  it('regression: a reply nested 50,000 elements deep is a SoapParseError, not a stack overflow', () => {
    const deep = `<?xml version="1.0"?><Envelope><Body>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</Body></Envelope>`;
    assertTyped(outcomeOf(() => parseEnvelope(deep)), [SoapParseError]);
  });
});

describe(`SAP line items (fuzz seed ${SEED + 1})`, () => {
  it('open items from hostile rows: whole cents, real dates, or a malformed ErpError', () => {
    fc.assert(
      fc.property(fc.array(hostileRow, { maxLength: 6 }), (items) => {
        for (const item of items) {
          const c = assertTyped(outcomeOf(() => signedCents(item)), [ErpError]);
          if (c !== undefined) expect(isCents(c)).toBe(true);
          const t = assertTyped(outcomeOf(() => itemTerms(item)), []);
          if (t) expect(t.discountBasisPoints > 0 && t.discountBasisPoints < 10_000).toBe(true);
          expect(toSapMessage(item) === null || typeof toSapMessage(item)!.message === 'string').toBe(true);
        }
        const invoices = assertTyped(outcomeOf(() => lineItemsToInvoices(items, 'DOC_NO', { customerId: '100042', name: 'X' })), [ErpError]);
        for (const inv of invoices ?? []) {
          expect(isCents(inv.amountCents) && isCents(inv.openBalanceCents)).toBe(true);
          expect(inv.invoiceDate === '' || isIsoDate(inv.invoiceDate)).toBe(true);
          expect(inv.dueDate === null || isIsoDate(inv.dueDate)).toBe(true);
        }
        const docs = assertTyped(outcomeOf(() => documentsCarrying(items, '79388123', 'both', 'DZ')), [ErpError]);
        for (const d of docs ?? []) {
          expect(isCents(d.amountCents)).toBe(true);
          expect(d.date === '' || isIsoDate(d.date)).toBe(true);
        }
      }),
      fuzzParams(SEED + 1, RUNS.parser),
    );
  });

  it('regression: a NETTERMS of 99999999999 days or a date like 2026-13-45 gives no due date, not a RangeError', () => {
    const base = { DOC_NO: '1', ITEM_NUM: '001', AMT_DOCCUR: '10.00', DB_CR_IND: 'S', DOC_DATE: '2026-01-15', CURRENCY: 'USD' };
    const [a] = lineItemsToInvoices([{ ...base, BLINE_DATE: '2026-01-15', NETTERMS: '99999999999' }], 'DOC_NO', { customerId: '1', name: 'X' });
    expect(a!.dueDate).toBeNull();
    const [b] = lineItemsToInvoices([{ ...base, BLINE_DATE: '2026-13-45', DOC_DATE: '2026-02-30' }], 'DOC_NO', { customerId: '1', name: 'X' });
    expect(b!.dueDate).toBeNull();
    expect(b!.invoiceDate).toBe('');
    expect(fromSapDate('20261345')).toBeNull();
    expect(addDays('2026-01-15', 1e12)).toBeNull();
  });

  it('regression: amounts whose sum is no safe integer are a malformed ErpError, not a MoneyParseError', () => {
    const big = { DOC_NO: '1', ITEM_NUM: '001', AMT_DOCCUR: '90000000000000.00', DB_CR_IND: 'S', DOC_DATE: '2026-01-15', CURRENCY: 'USD' };
    const o = outcomeOf(() => lineItemsToInvoices([big, { ...big, ITEM_NUM: '002' }, { ...big, ITEM_NUM: '003' }, { ...big, ITEM_NUM: '004' }, { ...big, ITEM_NUM: '005' }, { ...big, ITEM_NUM: '006' }, { ...big, ITEM_NUM: '007' }, { ...big, ITEM_NUM: '008' }, { ...big, ITEM_NUM: '009' }, { ...big, ITEM_NUM: '010' }], 'DOC_NO', { customerId: '1', name: 'X' }));
    assertTyped(o, [ErpError]);
    expect(o.ok).toBe(false);
  });
});
