import type { RemoteReachability } from '@shared/api-contract';

// Tells "offline" (no network, DNS failure, host down) from "failing" (reached
// the system, which refused or broke), so the banner says which.

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ECONNABORTED', 'ETIMEDOUT']);

const CODE_IN_TEXT = new RegExp(`\\b(${[...OFFLINE_CODES].join('|')})\\b`);

function findCode(e: unknown, depth = 0): string | undefined {
  // Some connectors keep only the socket code, as the cause or inside their message.
  if (typeof e === 'string') return CODE_IN_TEXT.exec(e)?.[1];
  if (!e || typeof e !== 'object' || depth > 4) return undefined;
  const inMessage = typeof (e as { message?: unknown }).message === 'string' ? CODE_IN_TEXT.exec((e as { message: string }).message)?.[1] : undefined;
  if (inMessage) return inMessage;
  // PayTraceError keeps the socket code as `networkCode` (it drops `cause`: axios errors hold the request).
  for (const code of [(e as { code?: unknown }).code, (e as { networkCode?: unknown }).networkCode]) {
    if (typeof code === 'string' && OFFLINE_CODES.has(code)) return code;
  }
  return findCode((e as { cause?: unknown }).cause, depth + 1);
}

export type RemoteProblem = Readonly<{ reachability: Exclude<RemoteReachability, 'online' | 'unknown'>; message: string }>;

export function classifyRemoteError(system: string, e: unknown): RemoteProblem {
  const code = findCode(e);
  const text = (e as Error)?.message ?? String(e);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { reachability: 'offline', message: `${system}: the host name could not be resolved (DNS). Check the network connection.` };
  if (code) return { reachability: 'offline', message: `${system} cannot be reached (${code}). Working from local data.` };
  const kind = (e as { kind?: unknown }).kind;
  if (kind === 'auth' || kind === 'invalid_token') return { reachability: 'failing', message: `${system} rejected the credentials: ${text}` };
  if (kind === 'permission') return { reachability: 'failing', message: `${system} denied permission: ${text}` };
  if (kind === 'config') return { reachability: 'failing', message: `${system} is not configured: ${text}` };
  if (kind === 'transient' && /timeout|timed out|socket hang up|ECONNRESET/i.test(text)) {
    return { reachability: 'offline', message: `${system} did not answer in time: ${text}` };
  }
  const status = httpStatusOf(e);
  if (status !== undefined && status >= 500) return { reachability: 'failing', message: `${system} is reachable but failing (HTTP ${status}): ${text}` };
  return { reachability: 'failing', message: `${system} failed: ${text}` };
}

function httpStatusOf(e: unknown, depth = 0): number | undefined {
  if (!e || typeof e !== 'object' || depth > 4) return undefined;
  const status = (e as { httpStatus?: unknown; status?: unknown }).httpStatus ?? (e as { status?: unknown }).status;
  if (typeof status === 'number') return status;
  return httpStatusOf((e as { cause?: unknown }).cause, depth + 1);
}
