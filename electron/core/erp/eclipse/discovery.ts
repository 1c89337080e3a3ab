import type { ErpDiscoveryFact } from '../connector';
import { isErpError } from '../errors';
import { sendHttp, type HttpReply } from '../http-transport';
import type { EclipseSession } from './connector';
import type { EclipseOptions } from './options';

// What `tieout erp check` asks a live Eclipse about what public evidence could
// not settle: how its sessions behave (which refresh route answers, whether a
// lifetime is advertised), which API version and paths answer, and the field
// names of one sales order (names only: no customer data is printed).
// Read-only: a session refresh changes no business data.

export type DiscoveryContext = Readonly<{
  baseUrl: string;
  timeoutMs: number;
  options: EclipseOptions;
  signIn(): Promise<EclipseSession>;
  headersFor(session: EclipseSession): Record<string, string>;
}>;

/** Refresh routes seen in public clients: the documented default first, then the other spelling. */
const REFRESH_CANDIDATES = ['/Sessions/refresh', '/SessionRefresh'] as const;

export async function discoverEclipse(c: DiscoveryContext): Promise<ErpDiscoveryFact[]> {
  const facts: ErpDiscoveryFact[] = [];
  let session: EclipseSession;
  try {
    session = await c.signIn();
  } catch (e) {
    return [{ name: 'sign-in', value: `POST /Sessions failed: ${isErpError(e) ? e.message : 'unexpected error'}`, ok: false }];
  }
  facts.push({ name: 'sign-in', value: `POST /Sessions answers; session ${session.id || '(no id)'}${session.refreshToken ? ' with a refreshToken' : ', no refreshToken'}` });
  facts.push({
    name: 'session lifetime',
    value: session.expiresInSeconds === null ? 'not advertised (no expiresIn in the sign-in reply): Tieout refreshes on 419' : `${session.expiresInSeconds} s (expiresIn)`,
  });

  const get = async (path: string, query: Record<string, string> = {}): Promise<HttpReply | string> => {
    const qs = Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
    return sendHttp({ method: 'GET', url: `${c.baseUrl}${path}${qs}`, headers: { accept: 'application/json', ...c.headersFor(session) }, timeoutMs: c.timeoutMs }).catch((e: unknown) =>
      e instanceof Error ? e.message : 'unreachable',
    );
  };

  const swagger = await get('/swagger/v1/swagger.json');
  const spec = typeof swagger === 'string' || swagger.status !== 200 ? undefined : (parse(swagger.text) as { info?: { version?: unknown; title?: unknown }; paths?: Record<string, unknown> } | undefined);
  facts.push(
    spec
      ? { name: 'API version', value: `${String(spec.info?.title ?? 'Eclipse API')} ${String(spec.info?.version ?? '(no version)')} (/swagger/v1/swagger.json)` }
      : { name: 'API version', value: 'no /swagger/v1/swagger.json; open {host}:5000/swagger to read it', ok: false },
  );

  const paths: Array<[string, string, Record<string, string>]> = [
    ['customers', c.options.customersPath, {}],
    ['open invoices (sales orders)', c.options.openInvoicesPath, c.options.openInvoicesQuery],
    ['cash receipts', c.options.cashReceiptsPath, {}],
  ];
  let sample: unknown;
  for (const [name, path, query] of paths) {
    const setting = name === 'customers' ? 'customersPath' : name === 'cash receipts' ? 'cashReceiptsPath' : 'openInvoicesPath';
    const reply = await get(path, { ...query, includeTotalItems: 'true', startIndex: '0', pageSize: '1' });
    if (typeof reply === 'string') {
      facts.push({ name: `path ${name}`, value: `GET ${path}: ${reply}`, setting, ok: false });
      continue;
    }
    const body = parse(reply.text) as { metadata?: { totalItems?: unknown }; totalItems?: unknown; results?: unknown[] } | undefined;
    const listed = spec?.paths ? (Object.keys(spec.paths).some((p) => p.toLowerCase() === path.toLowerCase()) ? '; listed in Swagger' : '; not listed in Swagger') : '';
    const ok = reply.status === 200 && Array.isArray(body?.results);
    facts.push({ name: `path ${name}`, value: `GET ${path} answers ${reply.status}${ok ? ` (${String(body?.metadata?.totalItems ?? body?.totalItems ?? 'uncounted')} items)` : ''}${listed}`, setting, ok });
    if (name.startsWith('open invoices') && ok) sample = body?.results?.[0];
  }
  facts.push({ name: 'invoice shape', value: sample === undefined ? 'no sales order to sample' : shapeOf(sample), setting: 'openInvoicesPath' });

  facts.push(await refreshFact(c, session));
  return facts;
}

/** Which refresh route answers with a new sessionToken (the setting's first, then the other public spelling). */
async function refreshFact(c: DiscoveryContext, session: EclipseSession): Promise<ErpDiscoveryFact> {
  const tried: string[] = [];
  for (const path of [c.options.sessionRefreshPath, ...REFRESH_CANDIDATES.filter((p) => p !== c.options.sessionRefreshPath)]) {
    const reply = await sendHttp({
      method: 'POST',
      url: `${c.baseUrl}${path}`,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...c.headersFor(session) },
      body: JSON.stringify({ sessionId: session.id, refreshToken: session.refreshToken }),
      timeoutMs: c.timeoutMs,
    }).catch(() => null);
    const body = reply ? (parse(reply.text) as { sessionToken?: unknown; SessionToken?: unknown; expiresIn?: unknown } | undefined) : undefined;
    const key = typeof body?.sessionToken === 'string' ? 'sessionToken' : typeof body?.SessionToken === 'string' ? 'SessionToken' : null;
    if (reply && reply.status >= 200 && reply.status < 300 && key) {
      const lifetime = typeof body?.expiresIn === 'number' ? `, expiresIn ${body.expiresIn} s` : '';
      return { name: 'session refresh', value: `POST ${path} {sessionId, refreshToken} answers ${reply.status} with a new ${key}${lifetime}`, setting: 'sessionRefreshPath', ok: path === c.options.sessionRefreshPath };
    }
    tried.push(`${path} → ${reply ? reply.status : 'no answer'}`);
  }
  return { name: 'session refresh', value: `no refresh route answered (${tried.join(', ')}): Tieout signs in again on 419`, setting: 'sessionRefreshPath', ok: false };
}

/** Field names only, nested one level into generations and {value} amounts; never values. */
export function shapeOf(v: unknown): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return typeof v;
  const o = v as Record<string, unknown>;
  return Object.keys(o)
    .map((k) => {
      const x = o[k];
      if (Array.isArray(x)) return x.length > 0 && typeof x[0] === 'object' && x[0] !== null ? `${k}[]{${Object.keys(x[0] as object).map((g) => nested(g, (x[0] as Record<string, unknown>)[g])).join(',')}}` : `${k}[]`;
      return nested(k, x);
    })
    .join(', ');
}

function nested(k: string, x: unknown): string {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? `${k}{${Object.keys(x).join(',')}}` : k;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
