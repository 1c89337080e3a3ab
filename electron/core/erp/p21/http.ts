import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { systemClock, type Clock } from '../../clock';
import { ErpError } from '../errors';
import { HttpTransportError, isTransientStatus, retryAfterOption, sendHttp, transportToErpError, type HttpCall, type HttpReply } from '../http-transport';
import type { ErpCredentials } from '../kind-module';

// The one HTTP path to P21: Bearer token reuse, one re-auth on 401,
// Accept: application/json on every call, and typed errors. Writes are told
// apart from reads because a write whose reply was lost has an unknown outcome.

export type P21CallKind = 'read' | 'write';

export type P21HttpConfig = Readonly<{
  baseUrl: string;
  credentials: ErpCredentials;
  authVersion: 'v2' | 'v1';
  timeoutMs: number;
  clock?: Clock;
}>;

type Token = { accessToken: string; expiresAt: number };

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, removeNSPrefix: true });

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Finds the first value under `key` anywhere in a parsed XML/JSON tree, depth
 * first. Iterative: a hostile reply nested 20,000 deep overflowed the stack of
 * the recursive version (fuzz finding). Own keys only, never the prototype's.
 */
function findKey(tree: unknown, key: string): unknown {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const rec = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(rec, key)) return rec[key];
    const children = Object.values(rec);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return undefined;
}

/** Parses a token reply in JSON or XML (some middleware answers XML [P6]). */
export function parseTokenReply(body: string, now: number): Token {
  const text = body.trim();
  let tree: unknown;
  try {
    tree = text.startsWith('<') ? xml.parse(text) : JSON.parse(text);
  } catch {
    // Includes a RangeError from a reply nested deeper than the parser's stack.
    throw new ErpError('malformed', 'P21 token reply is neither JSON nor XML');
  }
  const token = findKey(tree, 'AccessToken');
  if (typeof token !== 'string' || token.length === 0) throw new ErpError('malformed', 'P21 token reply has no AccessToken');
  const rawExpiry = findKey(tree, 'ExpiresInSeconds') ?? findKey(tree, 'ExpiresIn');
  const seconds = Number(rawExpiry);
  // No stated lifetime: assume one hour; a 401 triggers a re-auth anyway.
  const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds : 3600;
  return { accessToken: token, expiresAt: now + Math.max(0, lifetime - 60) * 1000 };
}

/** The ERP's own message from the bodies P21 uses: {"error":{"code","message"}}, {"error":"…","error_description"}, {"Message"}. */
export function erpMessageOf(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as unknown;
    if (typeof j === 'string') return j;
    if (j && typeof j === 'object') {
      const r = j as Record<string, unknown>;
      const err = r.error;
      if (err && typeof err === 'object') {
        const m = (err as Record<string, unknown>).message;
        if (typeof m === 'string') return m;
      }
      if (typeof r.error_description === 'string') return typeof err === 'string' ? `${err}: ${r.error_description}` : r.error_description;
      if (typeof err === 'string') return err;
      for (const k of ['Message', 'message', 'ErrorMessage']) if (typeof r[k] === 'string') return r[k] as string;
      if (Array.isArray(r.Messages)) return r.Messages.filter((m) => typeof m === 'string').join(' | ');
    }
  } catch {
    // Not JSON: short plain text is still useful to the clerk.
  }
  return text.startsWith('<') ? undefined : text.slice(0, 300);
}

const NOT_AUTHORIZED = /not authori[sz]ed to access api/i;
/**
 * P21's answer for a service whose window is unlicensed or not deployed on
 * this site: HTTP 500 "Window <<X>> is not available or user does not have
 * permission to open it" [P3 latest, definitions/README.md]. A setting or
 * licence problem, never a passing outage: retrying cannot help.
 */
const WINDOW_UNAVAILABLE = /window\s*(?:<<|&lt;&lt;)?\s*([^<>&]*?)\s*(?:>>|&gt;&gt;)?\s+is not available/i;

export function windowUnavailable(body: string): string | null {
  const m = WINDOW_UNAVAILABLE.exec(body);
  return m ? m[1] || 'the window' : null;
}

export type P21Response = Readonly<{ status: number; json: unknown }>;

export class P21Http {
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private token: Token | null = null;
  private tokenPromise: Promise<Token> | null = null;
  readonly baseUrl: string;

  constructor(private readonly config: P21HttpConfig) {
    this.baseUrl = trimSlash(config.baseUrl);
    this.agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  }

  get username(): string {
    return this.config.credentials.username;
  }

  /** Drops the cached token (used when P21 rejects it). */
  forgetToken(): void {
    this.token = null;
  }

  async ensureToken(): Promise<string> {
    if (this.token && this.token.expiresAt > (this.config.clock ?? systemClock).now()) return this.token.accessToken;
    // One sign-in at a time: each token call opens a middleware session and may invalidate older tokens [P1].
    this.tokenPromise ??= this.signIn().finally(() => {
      this.tokenPromise = null;
    });
    this.token = await this.tokenPromise;
    return this.token.accessToken;
  }

  private async signIn(): Promise<Token> {
    const { username, password } = this.config.credentials;
    const v1 = this.config.authVersion === 'v1';
    const url = `${this.baseUrl}/api/security/token${v1 ? '' : '/v2'}`;
    const res = await this.send(
      {
        method: 'POST',
        url,
        body: v1 ? '' : JSON.stringify({ username, password }),
        headers: v1 ? { Accept: 'application/json', username, password } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      },
      'read',
      'sign-in',
    );
    const body = res.text;
    if (res.status === 401 || res.status === 400) {
      throw new ErpError('auth', `P21 refused the sign-in for user "${username}" (HTTP ${res.status}): check the user name and password`, {
        erpMessage: erpMessageOf(body),
      });
    }
    if (res.status === 403) throw new ErpError('permission', `P21 user "${username}" may not use the API (HTTP 403)`, { erpMessage: erpMessageOf(body) });
    if (res.status >= 300) throw this.statusError(res.status, body, res.headers['retry-after'], 'read', 'sign-in');
    return parseTokenReply(body, (this.config.clock ?? systemClock).now());
  }

  /**
   * One call with the Bearer token. `acceptBody` lets the Transaction API caller
   * read a business answer (Summary) even when it comes with an error status.
   */
  async call(
    method: 'GET' | 'POST',
    url: string,
    options: { kind: P21CallKind; what: string; body?: unknown; acceptBody?: (json: unknown) => boolean; notFound?: 'config' | 'not_found'; emptyServerError?: 'config' },
  ): Promise<P21Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.ensureToken();
      const res = await this.send(
        {
          method,
          url,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          headers: {
            Accept: 'application/json',
            Authorization: `Bearer ${token}`,
            ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
        },
        options.kind,
        options.what,
      );
      const body = res.text;
      // A 401 means P21 did not run the call: safe to sign in again and repeat once, even for writes.
      if (res.status === 401 && attempt === 0 && !NOT_AUTHORIZED.test(body)) {
        this.forgetToken();
        continue;
      }
      if (res.status >= 200 && res.status < 300) return { status: res.status, json: this.parseJson(body, options.kind, options.what) };
      if (options.acceptBody) {
        const json = tryJson(body);
        if (json !== undefined && options.acceptBody(json)) return { status: res.status, json };
      }
      if (options.emptyServerError === 'config' && res.status === 500 && body.trim() === '') {
        // P21 answers definition/defaults/basics for a service name it does not know with an empty HTTP 500 [P3 latest].
        throw new ErpError('config', `P21 answered an empty HTTP 500 for ${options.what}, its answer for a service name it does not know: set the service name to one tieout erp check lists`);
      }
      throw this.statusError(res.status, body, res.headers['retry-after'], options.kind, options.what, options.notFound);
    }
  }

  private parseJson(body: string, kind: P21CallKind, what: string): unknown {
    const json = tryJson(body);
    if (json !== undefined) return json;
    const hint = body.trim().startsWith('<') ? ' (XML: the server ignored Accept: application/json)' : '';
    if (kind === 'write') {
      throw new ErpError('unknown_outcome', `P21 answered ${what} with an unreadable reply${hint}; the write may or may not have happened`);
    }
    throw new ErpError('malformed', `P21 answered ${what} with a reply that is not valid JSON${hint}`);
  }

  statusError(status: number, body: string, retryAfter: unknown, kind: P21CallKind, what: string, notFound: 'config' | 'not_found' = 'not_found'): ErpError {
    const erpMessage = erpMessageOf(body);
    const suffix = erpMessage ? `: ${erpMessage}` : '';
    const window = status >= 500 ? windowUnavailable(body) : null;
    if (window !== null) {
      return new ErpError(
        'config',
        `P21 cannot open ${window} for ${what} (HTTP ${status})${suffix}. The window is not licensed or not deployed on this P21 (or the service name is wrong): set the service name to one tieout erp check lists as available.`,
        { erpMessage },
      );
    }
    if (NOT_AUTHORIZED.test(body) || status === 403) {
      return new ErpError('permission', `P21 denied ${what} (HTTP ${status})${suffix}. Check "Allow OData API Service" and the role's Dataservice Permission.`, { erpMessage });
    }
    if (status === 401) return new ErpError('auth', `P21 rejected the session for ${what} (HTTP 401)${suffix}`, { erpMessage });
    if (isTransientStatus(status)) {
      return new ErpError('transient', `P21 is unavailable for ${what} (HTTP ${status})${suffix}`, { erpMessage, ...retryAfterOption(retryAfter) });
    }
    if (status === 404) {
      // OData answers 404 (not 400) for an unknown $select/$filter column, a quoted decimal or a column on the right-hand side.
      if (notFound === 'config' || /failed to convert parameter value/i.test(body)) {
        return new ErpError(
          'config',
          `P21 OData rejected the query for ${what} (HTTP 404)${suffix}: the table is not exposed, or a column in $select/$filter does not exist on this P21, or a literal has the wrong type`,
          { erpMessage },
        );
      }
      return new ErpError('not_found', `P21 has no ${what} (HTTP 404)${suffix}`, { erpMessage });
    }
    if (status === 400 || status === 422) return new ErpError('validation', `P21 refused ${what} (HTTP ${status})${suffix}`, { erpMessage });
    if (kind === 'write') return new ErpError('unknown_outcome', `P21 answered ${what} with HTTP ${status}${suffix}`, { erpMessage });
    return new ErpError('malformed', `P21 answered ${what} with unexpected HTTP ${status}${suffix}`, { erpMessage });
  }

  /** One exchange over the shared transport; a call without a reply becomes the one typed network error. */
  private async send(call: Omit<HttpCall, 'timeoutMs' | 'agents'>, kind: P21CallKind, what: string): Promise<HttpReply> {
    try {
      return await sendHttp({ ...call, timeoutMs: this.config.timeoutMs, agents: this.agents });
    } catch (e) {
      if (e instanceof HttpTransportError) throw transportToErpError(e, `P21 ${what}`, kind === 'write');
      throw e;
    }
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function tryJson(body: string): unknown {
  const text = body.trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
