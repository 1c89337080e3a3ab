// Exponential backoff with full jitter, honouring a server's Retry-After.

export type BackoffPolicy = Readonly<{ baseMs: number; maxMs: number }>;

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/**
 * The wait before attempt number `attempt` (1-based): half the exponential
 * ceiling plus a random half, so many rows failing together do not retry
 * together; never shorter than what the server asked for (Retry-After, seconds).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number, retryAfterSeconds?: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds)) return Math.max(jittered, retryAfterSeconds * 1000);
  return jittered;
}
