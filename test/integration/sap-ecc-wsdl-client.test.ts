import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import soap from 'soap';
import { XMLParser } from 'fast-xml-parser';
import { DEFAULT_WRAPPER_FUNCTION } from '../../electron/core/erp/sap-ecc/options';
import { buildDemoWorld } from '../../electron/sandboxes/demo/world';
import { startSapEccSandbox, type SapEccSandbox } from '../../electron/sandboxes/erp/sap-ecc/sandbox';

// Independent check (issue 13 point 4): the npm `soap` client, a WSDL-driven SOAP client used
// unchanged, loads the sandbox's WSDL from /sap/bc/soap/wsdl11 the way it loads SAP's and calls the
// function modules through the operations that WSDL describes. Real HTTP on loopback.

const world = buildDemoWorld({ seed: 7, customers: 6, payments: 30, now: new Date('2025-03-20T15:00:00Z') });

type Reply = Record<string, unknown>;
type RowsOf<T> = { item?: T[] | T } | '' | undefined | null;
const rows = <T>(table: RowsOf<T>): T[] => (table && typeof table === 'object' && table.item !== undefined ? ([] as T[]).concat(table.item) : []);

/** The parameter names of `<FM.Response>` in the WSDL, in their xsd:sequence order. */
function declaredReply(wsdl: string, fm: string): string[] {
  const start = wsdl.indexOf(`<xsd:element name="${fm}.Response">`);
  const sequence = wsdl.slice(start, wsdl.indexOf('</xsd:sequence>', start));
  return [...sequence.matchAll(/<xsd:element name="([^"]+)"/g)].map((m) => m[1]!).slice(1);
}

/** The parameter elements of a raw SOAP reply, in document order. */
function replyElements(responseXml: string): string[] {
  type Node = Record<string, Node[]>;
  const tree = new XMLParser({ preserveOrder: true, removeNSPrefix: true, ignoreAttributes: true }).parse(responseXml) as Node[];
  const child = (nodes: Node[], name: string): Node[] => nodes.find((n) => name in n)?.[name] ?? [];
  const body = child(child(tree, 'Envelope'), 'Body');
  const reply = body[0]!;
  return (Object.values(reply)[0] ?? []).map((n) => Object.keys(n)[0]!);
}

describe('SAP ECC sandbox against a WSDL-driven SOAP client (npm soap)', () => {
  let sandbox: SapEccSandbox;
  let basic: string;
  const wsdlUrl = (services: string, path = 'wsdl11'): string => `${sandbox.baseUrl}/sap/bc/soap/${path}?services=${services}&sap-client=100`;
  const client = async (services: string): Promise<soap.Client> => {
    const c = await soap.createClientAsync(wsdlUrl(services), { wsdl_headers: { Authorization: basic } });
    c.setSecurity(new soap.BasicAuthSecurity(sandbox.credentials.username, sandbox.credentials.password));
    return c;
  };
  const call = async (c: soap.Client, operation: string, args: Reply): Promise<Reply> => {
    const method = c[`${operation}Async`] as (a: Reply) => Promise<[Reply, string]>;
    const [result] = await method.call(c, args);
    return result;
  };

  beforeAll(async () => {
    sandbox = await startSapEccSandbox({ customers: world.customers, invoices: world.invoices });
    basic = `Basic ${Buffer.from(`${sandbox.credentials.username}:${sandbox.credentials.password}`).toString('base64')}`;
  });
  afterAll(async () => sandbox.close());

  it('describes the service at the sandbox\'s own /sap/bc/soap/rfc, with the sap-client', async () => {
    const c = await client('STFC_CONNECTION,BAPI_CUSTOMER_GETLIST,BAPI_AR_ACC_GETOPENITEMS');
    const description = c.describe() as Record<string, Record<string, Record<string, unknown>>>;
    const [serviceName] = Object.keys(description);
    console.log('soap client describe():', serviceName, JSON.stringify(Object.fromEntries(Object.entries(description[serviceName!]!).map(([port, ops]) => [port, Object.keys(ops)]))));
    expect(serviceName).toBe('STFC_CONNECTIONService');
    expect(Object.keys(description['STFC_CONNECTIONService']!['STFC_CONNECTIONPortType']!)).toEqual(['STFC_CONNECTION', 'BAPI_CUSTOMER_GETLIST', 'BAPI_AR_ACC_GETOPENITEMS']);
    const wsdl = await (await fetch(wsdlUrl('STFC_CONNECTION'), { headers: { authorization: basic } })).text();
    expect(wsdl).toContain(`<soap:address location="${sandbox.baseUrl}/sap/bc/soap/rfc?sap-client=100"/>`);
  });

  it('STFC_CONNECTION echoes REQUTEXT and describes the system', async () => {
    const c = await client('STFC_CONNECTION');
    const reply = await call(c, 'STFC_CONNECTION', { REQUTEXT: 'hello from npm soap & co' });
    console.log('STFC_CONNECTION request sent by the client:', c.lastRequest);
    console.log('STFC_CONNECTION reply:', JSON.stringify(reply));
    expect(reply['ECHOTEXT']).toBe('hello from npm soap & co');
    expect(String(reply['RESPTEXT'])).toMatch(/^SAP R\/3 Rel\. 700 +Sysid: SBX .*Logon_Data: 100\/RFC_TIEOUT\/E$/);
  });

  it('BAPI_CUSTOMER_GETLIST returns the customers the sandbox holds', async () => {
    const reply = await call(await client('BAPI_CUSTOMER_GETLIST'), 'BAPI_CUSTOMER_GETLIST', {
      MAXROWS: 0,
      IDRANGE: { item: [{ SIGN: 'I', OPTION: 'CP', LOW: '*', HIGH: '' }] },
      ADDRESSDATA: '',
    });
    const customers = rows(reply['ADDRESSDATA'] as RowsOf<{ CUSTOMER: string; NAME: string }>);
    console.log('BAPI_CUSTOMER_GETLIST ADDRESSDATA:', JSON.stringify(customers.map((r) => [r.CUSTOMER, r.NAME])));
    expect(customers.map((r) => [r.CUSTOMER.replace(/^0+/, ''), r.NAME]).sort()).toEqual(world.customers.map((c) => [c.customerId.replace(/^0+/, ''), c.name]).sort());
  });

  it('BAPI_AR_ACC_GETOPENITEMS returns the open items Tieout reads', async () => {
    const customer = world.customers[0]!;
    const kunnr = sandbox.openItems().find((i) => i.KUNNR.replace(/^0+/, '') === customer.customerId.replace(/^0+/, ''))!.KUNNR;
    const reply = await call(await client('BAPI_AR_ACC_GETOPENITEMS'), 'BAPI_AR_ACC_GETOPENITEMS', {
      COMPANYCODE: '1000', CUSTOMER: kunnr, KEYDATE: '9999-12-31', NOTEDITEMS: '', LINEITEMS: '',
    });
    const lines = rows(reply['LINEITEMS'] as RowsOf<{ DOC_NO: string; REF_DOC_NO: string; AMT_DOCCUR: unknown; DB_CR_IND: string }>);
    console.log('BAPI_AR_ACC_GETOPENITEMS LINEITEMS:', JSON.stringify(lines.map((l) => [l.DOC_NO, l.REF_DOC_NO, l.DB_CR_IND, l.AMT_DOCCUR])));
    const held = sandbox.openItems().filter((i) => i.KUNNR === kunnr);
    expect(held.length).toBeGreaterThan(0);
    expect(lines.map((l) => [l.DOC_NO, l.REF_DOC_NO, l.DB_CR_IND, Math.round(Number(l.AMT_DOCCUR) * 100)])).toEqual(held.map((i) => [i.BELNR, i.XBLNR, i.SHKZG, i.WRBTR]));
    expect(reply['RETURN']).toMatchObject({ TYPE: '' });
  });

  it('answers the older /sap/bc/soap/wsdl too, refuses a wrong logon, and names an unknown function module', async () => {
    const old = await soap.createClientAsync(wsdlUrl('STFC_CONNECTION', 'wsdl'), { wsdl_headers: { Authorization: basic } });
    expect(Object.keys(old.describe() as object)).toEqual(['STFC_CONNECTIONService']);
    const anonymous = await fetch(wsdlUrl('STFC_CONNECTION'));
    expect(anonymous.status).toBe(401);
    const unknown = await fetch(wsdlUrl('STFC_CONNECTION,Z_NOT_THERE'), { headers: { authorization: basic } });
    expect([unknown.status, await unknown.text()]).toEqual([500, 'Function module "Z_NOT_THERE" not found']);
    await expect(soap.createClientAsync(wsdlUrl('Z_NOT_THERE'), { wsdl_headers: { Authorization: basic } })).rejects.toThrow();
  });

  it('posts a payment through the wrapper\'s WSDL operation, and every reply is in the WSDL\'s order with only declared elements', async () => {
    const fm = DEFAULT_WRAPPER_FUNCTION;
    const invoice = sandbox.openItems().find((i) => i.BLART === 'RV' && i.SHKZG === 'S')!;
    const c = await client(`${fm},BAPI_CUSTOMER_GETLIST,RFC_SYSTEM_INFO,BAPI_TRANSACTION_COMMIT`);
    const wsdl = await (await fetch(wsdlUrl(`${fm},BAPI_CUSTOMER_GETLIST,RFC_SYSTEM_INFO,BAPI_TRANSACTION_COMMIT`), { headers: { authorization: basic } })).text();
    const reply = await call(c, fm, {
      COMPANYCODE: invoice.BUKRS, CUSTOMER: invoice.KUNNR, DOC_TYPE: 'DZ', DOC_DATE: '2025-03-20', PSTNG_DATE: '2025-03-20',
      CURRENCY: invoice.WAERS, REF_DOC_NO: 'PT-WSDL-0001', HEADER_TXT: 'npm soap', GL_ACCOUNT: '0000113100', AMOUNT: '5.00',
      CLEARING_FIELD: 'XBLNR', TESTRUN: '',
      ITEMS: { item: [{ INVOICE_REF: invoice.XBLNR, AMT_DOCCUR: '5.00', ALLOC_NMBR: 'PT-WSDL-0001', ITEM_TEXT: 'PT-WSDL-0001 paid by npm soap' }] },
      RETURN: '',
    });
    console.log(`${fm} reply:`, JSON.stringify(reply));
    expect(rows(reply['RETURN'] as RowsOf<{ TYPE: string; ID: string; NUMBER: string }>).map((m) => [m.TYPE, m.ID, m.NUMBER])).toEqual([['S', 'RW', '605']]);
    const posted = sandbox.documents().find((d) => d.XBLNR === 'PT-WSDL-0001')!;
    expect(reply['OBJ_KEY']).toBe(`${posted.BELNR}${posted.BUKRS}${posted.GJAHR}`);
    expect(sandbox.openBalance(invoice.XBLNR)).toBe(invoice.WRBTR - 500);
    expect(replyElements(c.lastResponse as string)).toEqual(declaredReply(wsdl, fm));

    // A table parameter comes back only when it was sent (as measured on S/4 [S2]).
    await call(c, 'BAPI_CUSTOMER_GETLIST', { MAXROWS: 2, ADDRESSDATA: '' });
    expect(replyElements(c.lastResponse as string)).toEqual(['RETURN', 'ADDRESSDATA']);
    await call(c, 'BAPI_CUSTOMER_GETLIST', { MAXROWS: 2 });
    expect(replyElements(c.lastResponse as string)).toEqual(['RETURN']);
    await call(c, 'RFC_SYSTEM_INFO', {});
    expect(replyElements(c.lastResponse as string)).toEqual(declaredReply(wsdl, 'RFC_SYSTEM_INFO'));
    await call(c, 'BAPI_TRANSACTION_COMMIT', { WAIT: 'X' });
    expect(replyElements(c.lastResponse as string)).toEqual(declaredReply(wsdl, 'BAPI_TRANSACTION_COMMIT'));
  });
});
