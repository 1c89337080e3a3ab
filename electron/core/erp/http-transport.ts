import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseRetryAfter } from '../http/retry-after';
import { ErpError } from './errors';

// A minimal HTTP client for ERP connectors. It exists (rather than axios) so
// the caller knows whether the request had been fully sent when a reply went
// missing: a write whose reply is lost after sending has an unknown outcome,
// one that never left has none. Used by the Eclipse and abas connectors.

export type HttpReply = Readonly<{ status: number; headers: Readonly<Record<string, string>>; text: string }>;

export type HttpCall = Readonly<{
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs: number;
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

export function sendHttp(call: HttpCall): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let sent = false;
    let settled = false;
    const fail = (code: string) => {
      if (settled) return;
      settled = true;
      reject(new HttpTransportError(code, sent));
    };
    let url: URL;
    try {
      url = new URL(call.url);
    } catch {
      reject(new ErpError('config', `Not a valid URL: ${call.url}`));
      return;
    }
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined) headers['content-length'] = String(Buffer.byteLength(call.body));
    const req = requestFn(url, { method: call.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_REPLY) {
          res.destroy();
          fail('REPLY_TOO_LARGE');
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const replyHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) replyHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: replyHeaders, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', () => fail('ECONNRESET'));
      res.on('aborted', () => fail('ECONNRESET'));
    });
    const timer = setTimeout(() => {
      fail('ETIMEDOUT');
      req.destroy();
    }, call.timeoutMs);
    req.on('finish', () => {
      sent = true;
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code ?? 'ECONNRESET');
    });
    req.end(call.body);
  });
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

/** Status codes that mean "try again later", whatever the method. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status >= 500;
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
