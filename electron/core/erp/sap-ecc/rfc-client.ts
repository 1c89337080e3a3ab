import { ErpError } from '../errors';
import { HttpTransportError, retryAfterOption, sendHttp, transportToErpError, type HttpReply } from '../http-transport';
import type { ErpCredentials } from '../kind-module';
import { buildRfcRequest, parseEnvelope, replyFormOf, SOAP_ACTION, SoapParseError, type ReplyForm, type RfcParams, type RfcReply, type SoapFault } from './soap';

// One SOAP-RFC call per HTTP request. Each request is its own SAP session, so
// nothing here may rely on state between calls. Error mapping: the posting
// pipeline needs to know whether a failed write may have committed, so
// `intent: 'write'` turns "sent but no usable reply" into unknown_outcome.

export type RfcIntent = 'read' | 'write';

export type RfcClientConfig = Readonly<{
  baseUrl: string;
  sapClient: string;
  credentials: ErpCredentials;
  timeoutMs: number;
}>;

export type RfcClient = Readonly<{
  call(functionName: string, params: RfcParams, intent: RfcIntent): Promise<RfcReply>;
  endpoint: string;
  /** The reply form the system used on the last successful call (for `tieout erp check`); null before any. */
  replyForm(): ReplyForm | null;
}>;

export function createRfcClient(config: RfcClientConfig): RfcClient {
  const endpoint = `${config.baseUrl.replace(/\/+$/, '')}/sap/bc/soap/rfc?sap-client=${encodeURIComponent(config.sapClient)}`;

  let lastForm: ReplyForm | null = null;
  let signedOnBefore = false;

  async function send(functionName: string, body: string, intent: RfcIntent): Promise<HttpReply> {
    try {
      return await sendHttp({
        method: 'POST',
        url: endpoint,
        body,
        basicAuth: config.credentials,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: SOAP_ACTION, Accept: 'text/xml' },
        timeoutMs: config.timeoutMs,
      });
    } catch (e) {
      if (e instanceof HttpTransportError) throw transportToErpError(e, `SAP ${functionName}`, intent === 'write');
      throw e;
    }
  }

  async function call(functionName: string, params: RfcParams, intent: RfcIntent): Promise<RfcReply> {
    const body = buildRfcRequest(functionName, params);
    let response = await send(functionName, body, intent);
    // A 401 after this user has signed on is a logon that expired in front of SAP (an SSO ticket,
    // a Web Dispatcher session): ICF refuses before the function runs, so one fresh try is safe even
    // for the posting call. A 401 on the first call is a wrong password and is not retried, so a
    // typo costs one failed logon, not two (SAP locks the user after login/fails_to_user_lock).
    if (response.status === 401 && signedOnBefore) response = await send(functionName, body, intent);
    const { params: reply, form } = interpret(functionName, response, intent);
    signedOnBefore = true;
    lastForm = form;
    return reply;
  }

  return { call, endpoint, replyForm: () => lastForm };
}

function interpret(functionName: string, response: HttpReply, intent: RfcIntent): { params: RfcReply; form: ReplyForm } {
  const status = response.status;
  const text = response.text;
  if (status === 401) throw new ErpError('auth', `SAP rejected the user name or password (HTTP 401) calling ${functionName}`);
  if (status === 403) {
    throw new ErpError('permission', `SAP refused ${functionName} (HTTP 403): the user needs S_RFC authorisation for it and access to the SOAP-RFC service`);
  }
  if (status === 404) {
    throw new ErpError('config', `SAP SOAP-RFC service not found (HTTP 404): activate /sap/bc/soap/rfc in SICF and check the base URL`);
  }
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    throw new ErpError('transient', `SAP ${functionName}: HTTP ${status}`, retryAfterOption(response.headers['retry-after']));
  }

  let parsed: ReturnType<typeof parseEnvelope> | undefined;
  try {
    parsed = parseEnvelope(text);
  } catch (e) {
    if (!(e instanceof SoapParseError)) throw e;
    if (status >= 500) {
      // An ABAP short dump rolls back the LUW, so a 500 without a reply is a failed, retryable call.
      throw new ErpError('transient', `SAP ${functionName}: HTTP ${status} without a SOAP reply`);
    }
    if (status !== 200) throw new ErpError('malformed', `SAP ${functionName}: unexpected HTTP ${status}`);
    if (intent === 'write') {
      throw new ErpError('unknown_outcome', `SAP ${functionName}: the reply was unreadable (${e.message}); the posting may have happened`);
    }
    throw new ErpError('malformed', `SAP ${functionName}: the reply was unreadable (${e.message})`);
  }

  if (parsed.kind === 'fault') throw faultError(functionName, parsed.fault);
  if (status !== 200) throw new ErpError(status >= 500 ? 'transient' : 'malformed', `SAP ${functionName}: HTTP ${status}`);
  const form = replyFormOf(parsed.functionName, functionName);
  if (!form) {
    const kind = intent === 'write' ? 'unknown_outcome' : 'malformed';
    if (parsed.functionName.replace(/_/g, '').toLowerCase() === `${functionName.replace(/_/g, '')}response`.toLowerCase()) {
      // An SOA Manager service in "mc-style" renames every field (BapiCustomerGetlistResponse, CompanyCode): not this wire format.
      throw new ErpError(intent === 'write' ? 'unknown_outcome' : 'config', `SAP ${functionName}: the endpoint answers <${parsed.functionName}>, an SOA Manager service in mc-style naming; point Tieout at /sap/bc/soap/rfc or an rfc-style (ABAP names) service`);
    }
    throw new ErpError(kind, `SAP ${functionName}: expected <${functionName}.Response> or <${functionName}Response>, got <${parsed.functionName}>`);
  }
  return { params: parsed.params, form };
}

/** FM missing or not remote-enabled: SAP's RFC exception FU_NOT_FOUND and the texts SOAP-RFC puts in faultstring or detail. */
const FUNCTION_MISSING = /FU_NOT_FOUND|FUNCTION_NOT_FOUND|function module\b.*\bnot (found|exist)|not (flagged as )?remote[- ]enabled|not released for RFC/i;
/** A read naming a field or table the system does not have (RFC_READ_TABLE's exceptions; the same words from other reads). */
const FIELD_INVALID = /FIELD_NOT_VALID|TABLE_NOT_AVAILABLE|DATA_BUFFER_EXCEEDED|OPTION_NOT_VALID/;

function faultError(functionName: string, fault: SoapFault): ErpError {
  const text = [fault.exceptionName, fault.faultString, fault.detailText].filter(Boolean).join(': ');
  const erpMessage = text || fault.faultCode;
  if (FUNCTION_MISSING.test(erpMessage)) {
    return new ErpError('config', `SAP has no remote-enabled function ${functionName}: ${erpMessage}`, { erpMessage });
  }
  if (FIELD_INVALID.test(erpMessage)) {
    return new ErpError('config', `SAP ${functionName} refused the fields it was asked for: ${erpMessage}`, { erpMessage });
  }
  if (/NO_AUTHORI|not authori[sz]ed|S_RFC/i.test(erpMessage)) {
    return new ErpError('permission', `SAP refused ${functionName}: ${erpMessage}`, { erpMessage });
  }
  if (/server/i.test(fault.faultCode) && !fault.exceptionName) {
    return new ErpError('transient', `SAP ${functionName} failed on the server: ${erpMessage}`, { erpMessage });
  }
  return new ErpError('validation', `SAP ${functionName} raised ${erpMessage}`, { erpMessage });
}
