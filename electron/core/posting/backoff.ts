// Moved to the runner (electron/core/remote-writes/backoff.ts); the sync's retries use the same policy.
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../remote-writes/backoff';
