import { ErpError } from '../errors';
import { HttpTransportError, retryAfterOption, sendHttp, transportToErpError, type HttpReply } from '../http-transport';
import type { ErpCredentials } from '../kind-module';
import { buildRfcRequest, parseEnvelope, SOAP_ACTION, SoapParseError, type RfcParams, type RfcReply, type SoapFault } from './soap';

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
}>;

export function createRfcClient(config: RfcClientConfig): RfcClient {
  const endpoint = `${config.baseUrl.replace(/\/+$/, '')}/sap/bc/soap/rfc?sap-client=${encodeURIComponent(config.sapClient)}`;

  async function call(functionName: string, params: RfcParams, intent: RfcIntent): Promise<RfcReply> {
    const body = buildRfcRequest(functionName, params);
    let response: HttpReply;
    try {
      response = await sendHttp({
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
    return interpret(functionName, response, intent);
  }

  return { call, endpoint };
}

function interpret(functionName: string, response: HttpReply, intent: RfcIntent): RfcReply {
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
  if (parsed.functionName !== `${functionName}.Response`) {
    const kind = intent === 'write' ? 'unknown_outcome' : 'malformed';
    throw new ErpError(kind, `SAP ${functionName}: expected <${functionName}.Response>, got <${parsed.functionName}>`);
  }
  return parsed.params;
}

function faultError(functionName: string, fault: SoapFault): ErpError {
  const text = [fault.exceptionName, fault.faultString].filter(Boolean).join(': ');
  const erpMessage = text || fault.faultCode;
  if (/FU_NOT_FOUND|function module .* not (found|exist)/i.test(erpMessage)) {
    return new ErpError('config', `SAP has no remote-enabled function ${functionName}: ${erpMessage}`, { erpMessage });
  }
  if (/NO_AUTHORI|not authori[sz]ed|S_RFC/i.test(erpMessage)) {
    return new ErpError('permission', `SAP refused ${functionName}: ${erpMessage}`, { erpMessage });
  }
  if (/server/i.test(fault.faultCode) && !fault.exceptionName) {
    return new ErpError('transient', `SAP ${functionName} failed on the server: ${erpMessage}`, { erpMessage });
  }
  return new ErpError('validation', `SAP ${functionName} raised ${erpMessage}`, { erpMessage });
}
