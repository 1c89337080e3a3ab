import type { RemoteReachability } from '@shared/api-contract';

// Tells "offline" (no network, DNS failure, host down) from "failing" (reached
// the system, which refused or broke), so the banner says which.

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ECONNABORTED', 'ETIMEDOUT']);

function findCode(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== 'object' || depth > 4) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && OFFLINE_CODES.has(code)) return code;
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
  return { reachability: 'failing', message: `${system} failed: ${text}` };
}
