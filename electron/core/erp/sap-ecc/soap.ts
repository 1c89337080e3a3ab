import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

// SOAP-RFC wire format shared by the connector and the sandbox: an RFC call is
// <urn:FM> in the rfc:functions namespace; the reply is <FM.Response> (the
// /sap/bc/soap/rfc handler, SAP's IFR-XML "FunctionModuleName.Response") or
// <FMResponse> (services generated in SOA Manager, /sap/bc/srt/rfc/...): both
// are read (docs/erp/sap-ecc.md). Table rows are <item> elements. All values go
// through XMLBuilder, which escapes them.

export const RFC_NAMESPACE = 'urn:sap-com:document:sap:rfc:functions';
export const SOAP_ENV_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ACTION = 'urn:sap-com:document:sap:rfc:functions';

/** A structure: field → value. */
export type RfcStructure = Readonly<Record<string, string>>;
/** A parameter is a scalar, a structure, or a table (array of structures). */
export type RfcValue = string | RfcStructure | readonly RfcStructure[];
export type RfcParams = Readonly<Record<string, RfcValue>>;

/** A parsed reply: scalars stay strings, structures are records, tables are arrays of records. */
export type RfcReply = Readonly<Record<string, unknown>>;

/** The detail text is SAP's real reason where the faultstring is generic ("Internal Server Error"). */
export type SoapFault = Readonly<{ faultCode: string; faultString: string; exceptionName: string | undefined; detailText?: string }>;

/** How the system names a reply element: `FM.Response` (dotted) or `FMResponse` (plain). */
export type ReplyForm = 'dotted' | 'plain';
export const REPLY_FORMS: readonly ReplyForm[] = ['dotted', 'plain'];

export function replyElement(functionName: string, form: ReplyForm): string {
  return form === 'dotted' ? `${functionName}.Response` : `${functionName}Response`;
}

/** Which form a reply element has for this function; null when it is not a reply to it. */
export function replyFormOf(element: string, functionName: string): ReplyForm | null {
  for (const form of REPLY_FORMS) if (element === replyElement(functionName, form)) return form;
  return null;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true });

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Keep every value a string: KUNNR "0000100042" must not become a number.
  parseTagValue: false,
  // SAP escapes reserved characters as numeric references (&#38; for &), measured on S/4 758 (docs/erp/sap-ecc.md).
  htmlEntities: true,
  isArray: (name) => name === 'item',
});

function toXmlValue(value: RfcValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length === 0 ? '' : { item: value.map((row) => ({ ...row })) };
  return { ...(value as RfcStructure) };
}

/** Requests use the `soapenv` prefix of SAP's own examples; SAP's replies use `soap-env` (prefixes are read either way). */
function envelope(body: Record<string, unknown>, prefix: 'soapenv' | 'soap-env' = 'soapenv'): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({
    [`${prefix}:Envelope`]: {
      [`@_xmlns:${prefix}`]: SOAP_ENV_NAMESPACE,
      ...(prefix === 'soapenv' ? { '@_xmlns:urn': RFC_NAMESPACE } : {}),
      [`${prefix}:Header`]: '',
      [`${prefix}:Body`]: body,
    },
  })}`;
}

export function buildRfcRequest(functionName: string, params: RfcParams): string {
  const fm: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) fm[k] = toXmlValue(v);
  return envelope({ [`urn:${functionName}`]: fm });
}

export function buildRfcResponse(functionName: string, params: RfcParams, form: ReplyForm = 'dotted'): string {
  const fm: Record<string, unknown> = { '@_xmlns:rfc': RFC_NAMESPACE };
  for (const [k, v] of Object.entries(params)) fm[k] = toXmlValue(v);
  return envelope({ [`rfc:${replyElement(functionName, form)}`]: fm }, 'soap-env');
}

export function buildSoapFault(fault: SoapFault, functionName?: string): string {
  const detail =
    fault.exceptionName && functionName
      ? { [`rfc:${functionName}.Exception`]: { '@_xmlns:rfc': RFC_NAMESPACE, Name: fault.exceptionName, Text: fault.detailText ?? fault.faultString } }
      : fault.detailText
        ? { 'rfc:Error': { '@_xmlns:rfc': RFC_NAMESPACE, message: fault.detailText } }
        : '';
  return envelope({ 'soap-env:Fault': { faultcode: fault.faultCode, faultstring: fault.faultString, detail } }, 'soap-env');
}

export class SoapParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoapParseError';
  }
}

export type ParsedEnvelope =
  | Readonly<{ kind: 'call'; functionName: string; params: RfcReply }>
  | Readonly<{ kind: 'fault'; fault: SoapFault }>;

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Parses a SOAP envelope whose body holds one element (a call, a reply or a fault). Throws SoapParseError. */
export function parseEnvelope(xml: string): ParsedEnvelope {
  if (!xml.trim()) throw new SoapParseError('empty body');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new SoapParseError(`not well-formed XML (${valid.err.msg} at line ${valid.err.line})`);
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (e) {
    // The parser refuses what the validator let through, e.g. "Maximum nested tags exceeded" (fuzz finding).
    throw new SoapParseError(`unreadable XML (${e instanceof Error ? e.message : 'parser error'})`);
  }
  const doc = asRecord(tree);
  const body = asRecord(asRecord(doc?.['Envelope'])?.['Body']);
  if (!body) throw new SoapParseError('no SOAP Envelope/Body');
  const names = Object.keys(body);
  if (names.length !== 1) throw new SoapParseError(`expected one element in the SOAP Body, found ${names.length}`);
  const name = names[0]!;
  const content = body[name];
  if (name === 'Fault') {
    const f = asRecord(content) ?? {};
    const detail = asRecord(f['detail']);
    const exception = detail ? asRecord(Object.values(detail)[0]) : undefined;
    const exceptionName = exception?.['Name'];
    const detailText = exception?.['Text'] ?? exception?.['message'];
    return {
      kind: 'fault',
      fault: {
        faultCode: textOf(f['faultcode']),
        faultString: textOf(f['faultstring']),
        exceptionName: typeof exceptionName === 'string' ? exceptionName : undefined,
        ...(typeof detailText === 'string' && detailText.trim() ? { detailText: detailText.trim() } : {}),
      },
    };
  }
  return { kind: 'call', functionName: name, params: asRecord(content) ?? {} };
}

/** An element's text; with attributes ignored, <faultstring xml:lang="en"> parses to its text too. */
function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A table parameter from a parsed reply: [] for an empty or absent table. */
export function tableOf(reply: RfcReply, name: string): Record<string, string>[] {
  const t = asRecord(reply[name]);
  const items = t?.['item'];
  if (!Array.isArray(items)) return [];
  return items.map((row) => stringRecord(row));
}

/** A structure parameter: {} when absent or empty. */
export function structureOf(reply: RfcReply, name: string): Record<string, string> {
  return stringRecord(reply[name]);
}

export function scalarOf(reply: RfcReply, name: string): string {
  const v = reply[name];
  return typeof v === 'string' ? v : '';
}

function stringRecord(v: unknown): Record<string, string> {
  const r = asRecord(v);
  if (!r) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(r)) out[k] = typeof val === 'string' ? val : '';
  return out;
}
