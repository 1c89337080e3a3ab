import { systemClock } from '../clock';
import type { Db } from '../store/db';
import { clearSignInFailures, saveSignInFailures, signInFailures } from '../store/queries/sign-in-failures';

// Failed sign-ins are rate-limited per typed user name (existing or not):
// the first `freeAttempts` failures cost nothing, then each further failure
// locks the name for base × 2^(n − free) seconds, capped. A success clears it.
// Stored in SQLite so a restart does not reset the counter.

export type ThrottlePolicy = Readonly<{ freeAttempts: number; baseLockSeconds: number; maxLockSeconds: number }>;
export const DEFAULT_THROTTLE: ThrottlePolicy = { freeAttempts: 5, baseLockSeconds: 30, maxLockSeconds: 15 * 60 };

export function lockSecondsAfter(failures: number, policy: ThrottlePolicy = DEFAULT_THROTTLE): number {
  if (failures < policy.freeAttempts) return 0;
  const exponent = Math.min(failures - policy.freeAttempts, 20);
  return Math.min(policy.baseLockSeconds * 2 ** exponent, policy.maxLockSeconds);
}

export class SignInThrottle {
  constructor(
    private readonly db: Db,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
    private readonly now: () => Date = () => new Date(systemClock.now()),
  ) {}

  /** Seconds until this name may try again; 0 when it may try now. */
  waitSeconds(userName: string): number {
    const row = signInFailures(this.db, userName);
    if (!row?.lockedUntil) return 0;
    const ms = Date.parse(row.lockedUntil) - this.now().getTime();
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  recordFailure(userName: string): number {
    const now = this.now();
    const row = signInFailures(this.db, userName);
    const failures = (row?.failures ?? 0) + 1;
    const lock = lockSecondsAfter(failures, this.policy);
    const lockedUntil = lock > 0 ? new Date(now.getTime() + lock * 1000).toISOString() : null;
    saveSignInFailures(this.db, userName, { failures, lockedUntil }, now.toISOString());
    return lock;
  }

  clear(userName: string): void {
    clearSignInFailures(this.db, userName);
  }
}
