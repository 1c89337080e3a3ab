import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import { parseRetryAfter } from '../http/retry-after';
import { ErpError } from './errors';

// The one HTTP transport of the ERP connectors (axios, as the PayTrace client).
// Every status comes back as a reply, never as an exception; a call without a
// usable reply says whether the request had been fully sent, because a write
// whose reply is lost after sending has an unknown outcome and one that never
// left has none. The typed error mapping for both cases follows below.

export type HttpReply = Readonly<{ status: number; headers: Readonly<Record<string, string>>; text: string }>;

export type HttpCall = Readonly<{
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs: number;
  /** HTTP Basic credentials (SAP's SOAP-RFC service). */
  basicAuth?: Readonly<{ username: string; password: string }>;
  /** Keep-alive agents of a connector that reuses connections (P21). */
  agents?: Readonly<{ http: HttpAgent; https: HttpsAgent }>;
}>;

/** No usable reply. `sent` is true once the whole request had been written to the socket. */
export class HttpTransportError extends Error {
  constructor(
    readonly code: string,
    readonly sent: boolean,
  ) {
    super(`no reply (${code}${sent ? ', request was sent' : ', request not sent'})`);
    this.name = 'HttpTransportError';
  }
}

const MAX_REPLY = 50 * 1024 * 1024;

/** Error codes meaning the request never left this machine, whatever the socket state says. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export async function sendHttp(call: HttpCall): Promise<HttpReply> {
  try {
    new URL(call.url);
  } catch {
    throw new ErpError('config', `Not a valid URL: ${call.url}`);
  }
  let res: AxiosResponse<string>;
  try {
    res = await axios.request<string>({
      method: call.method,
      url: call.url,
      headers: { ...call.headers },
      data: call.body,
      timeout: call.timeoutMs,
      ...(call.basicAuth ? { auth: { username: call.basicAuth.username, password: call.basicAuth.password } } : {}),
      ...(call.agents ? { httpAgent: call.agents.http, httpsAgent: call.agents.https } : {}),
      // Raw text in, the caller's own parsing: a truncated body must become a typed error, not a silent string.
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
      maxRedirects: 0,
      maxContentLength: MAX_REPLY,
    });
  } catch (e) {
    // Never keep the axios error: its config carries the credentials.
    throw transportFailure(e);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers as Record<string, unknown>)) {
    if (v !== undefined && v !== null) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return { status: res.status, headers, text: typeof res.data === 'string' ? res.data : '' };
}

function transportFailure(e: unknown): HttpTransportError {
  if (!axios.isAxiosError(e)) return new HttpTransportError('ECONNRESET', true);
  const raw = e.code ?? 'ECONNRESET';
  const code = raw === 'ECONNABORTED' ? 'ETIMEDOUT' : raw === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(e.message) ? 'REPLY_TOO_LARGE' : raw;
  // The Node request axios made: `writableFinished` once the whole body had left.
  const req = e.request as { writableFinished?: boolean } | undefined;
  const sent = !NOT_SENT_CODES.has(code) && req?.writableFinished === true;
  return new HttpTransportError(code, sent);
}

/** The Retry-After the reply carries, as `ErpError` options (none when absent or unreadable). */
export function retryAfterOption(header: unknown, now: number = Date.now()): { retryAfterSeconds?: number } {
  const seconds = parseRetryAfter(header, now);
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}

/** JSON body or a typed `malformed` error naming what came back. */
export function parseJsonReply(reply: HttpReply, what: string): unknown {
  try {
    return JSON.parse(reply.text) as unknown;
  } catch {
    throw new ErpError('malformed', `${what}: the reply is not valid JSON (HTTP ${reply.status}, ${reply.text.length} bytes)`);
  }
}

/** A reply's JSON; a write the ERP answered with garbage may well have been committed, so it is an unknown outcome. */
export function parseJsonOutcome(reply: HttpReply, what: string, isWrite: boolean): unknown {
  try {
    return parseJsonReply(reply, what);
  } catch (e) {
    if (isWrite) throw new ErpError('unknown_outcome', `${what}: the reply could not be read; look the document up before any retry`);
    throw e;
  }
}

/**
 * Maps a failed transport to a typed error. Reads and writes that never left
 * are transient; a write that was sent and lost its reply is unknown_outcome.
 */
export function transportToErpError(e: HttpTransportError, what: string, isWrite: boolean): ErpError {
  if (isWrite && e.sent) {
    return new ErpError('unknown_outcome', `${what}: the request was sent but no reply came back (${e.code}); look the document up before any retry`);
  }
  return new ErpError('transient', `${what}: no reply (${e.code})`);
}

/** Status codes that mean "try again later", whatever the method: throttled or a server error (nothing was done). */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export type StatusWording = Readonly<{
  /** "Eclipse", "abas" */
  erp: string;
  /** Statuses that mean the credentials or session were refused. */
  authStatuses: ReadonlySet<number>;
  authMessage: string;
  /** What to check when the ERP answers 404. */
  notFoundHint: string;
}>;

/**
 * The typed error for a non-2xx reply, worded for one ERP. A 1xx/3xx answer to
 * a write leaves the outcome unknown: the caller must look the document up.
 */
export function statusError(reply: HttpReply, what: string, isWrite: boolean, erpMessage: string | undefined, w: StatusWording): ErpError | null {
  const s = reply.status;
  if (s >= 200 && s < 300) return null;
  const opts = erpMessage === undefined ? {} : { erpMessage };
  const detail = erpMessage ? ` (${erpMessage})` : '';
  if (w.authStatuses.has(s)) return new ErpError('auth', `${what}: ${w.authMessage}`, opts);
  if (s === 403) return new ErpError('permission', `${what}: the ${w.erp} user lacks permission${detail}`, opts);
  if (s === 404) return new ErpError('not_found', `${what}: ${w.erp} answered 404${detail}; ${w.notFoundHint}`, opts);
  if (isTransientStatus(s)) {
    return new ErpError('transient', `${what}: ${w.erp} answered HTTP ${s}`, { ...opts, ...retryAfterOption(reply.headers['retry-after']) });
  }
  if (s >= 400) return new ErpError('validation', `${what}: ${w.erp} refused it${erpMessage ? `: ${erpMessage}` : ` (HTTP ${s})`}`, opts);
  return new ErpError(isWrite ? 'unknown_outcome' : 'malformed', `${what}: unexpected HTTP ${s}`);
}
