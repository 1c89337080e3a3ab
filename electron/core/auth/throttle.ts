import { systemClock } from '../clock';
import type { Db } from '../store/db';
import { clearSignInFailures, saveSignInFailures, signInFailures, type SignInFailures } from '../store/queries/sign-in-failures';

// Failed sign-ins are limited per key (the typed user name, existing or not):
// after `maxFailures` failures the key is locked for `lockMinutes` (PCI DSS v4
// 8.3.4: at most 10 attempts, at least 30 minutes), then a fresh window opens.
//
// Reserve, then settle. An attempt is counted in one write transaction BEFORE
// its password hash is computed: the reservation refuses when the key is
// locked or when failures already recorded plus attempts still in flight
// would exceed the allowance. Concurrent guesses therefore cannot all be
// evaluated before the first failure lands: whatever the concurrency, at most
// `maxFailures` wrong guesses are evaluated per lock window. Settling turns
// the reservation into a failure, or (on success) clears the counter unless
// the lock was reached meanwhile, in which case the success is refused too.
// Stored in SQLite so neither a restart nor a second process resets it.

export type ThrottlePolicy = Readonly<{
  /** Failures that lock the key (PCI DSS v4 8.3.4: not more than 10). */
  maxFailures: number;
  /** How long the lock lasts (PCI DSS v4 8.3.4: at least 30 minutes). */
  lockMinutes: number;
  /** A reservation not settled for this long was left by a crash: it counts as a failure (fail safe). */
  staleReservationSeconds: number;
}>;

export const DEFAULT_THROTTLE: ThrottlePolicy = { maxFailures: 10, lockMinutes: 30, staleReservationSeconds: 120 };

export type Reservation = Readonly<{ ok: true; key: string }> | Readonly<{ ok: false; reason: 'locked' | 'busy'; waitSeconds: number }>;
export type Settlement = Readonly<{ accepted: boolean; lockSeconds: number }>;

const EMPTY: SignInFailures = { failures: 0, lockedUntil: null, inFlight: 0, reservedAt: null };

export class SignInThrottle {
  constructor(
    private readonly db: Db,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
    private readonly now: () => Date = () => new Date(systemClock.now()),
  ) {}

  private secondsUntil(iso: string, now: Date): number {
    return Math.max(0, Math.ceil((Date.parse(iso) - now.getTime()) / 1000));
  }

  private lockUntil(now: Date): string {
    return new Date(now.getTime() + this.policy.lockMinutes * 60_000).toISOString();
  }

  /** Counts an attempt before it is evaluated; synchronous and in one IMMEDIATE write transaction. */
  reserve(key: string): Reservation {
    return this.db
      .transaction((): Reservation => {
        const now = this.now();
        let row = signInFailures(this.db, key) ?? EMPTY;
        if (row.lockedUntil) {
          const wait = this.secondsUntil(row.lockedUntil, now);
          if (wait > 0) return { ok: false, reason: 'locked', waitSeconds: wait };
          // The lock has run out: a fresh window. Attempts still in flight stay counted.
          row = { ...row, failures: 0, lockedUntil: null };
        }
        if (row.inFlight > 0 && row.reservedAt && now.getTime() - Date.parse(row.reservedAt) > this.policy.staleReservationSeconds * 1000) {
          row = { ...row, failures: row.failures + row.inFlight, inFlight: 0 };
        }
        if (row.failures >= this.policy.maxFailures) {
          saveSignInFailures(this.db, key, { ...row, lockedUntil: this.lockUntil(now) }, now.toISOString());
          return { ok: false, reason: 'locked', waitSeconds: this.policy.lockMinutes * 60 };
        }
        if (row.failures + row.inFlight >= this.policy.maxFailures) return { ok: false, reason: 'busy', waitSeconds: 1 };
        saveSignInFailures(this.db, key, { ...row, inFlight: row.inFlight + 1, reservedAt: now.toISOString() }, now.toISOString());
        return { ok: true, key };
      })
      .immediate();
  }

  /** Settles a reservation: `ok` clears the counter unless a lock was reached meanwhile (then the success is refused). */
  settle(key: string, ok: boolean): Settlement {
    return this.db
      .transaction((): Settlement => {
        const now = this.now();
        const row = signInFailures(this.db, key) ?? EMPTY;
        const inFlight = Math.max(0, row.inFlight - 1);
        const lockedNow = row.lockedUntil !== null && this.secondsUntil(row.lockedUntil, now) > 0;
        if (ok && !lockedNow) {
          saveSignInFailures(this.db, key, { ...row, failures: 0, lockedUntil: null, inFlight }, now.toISOString());
          if (inFlight === 0) clearSignInFailures(this.db, key);
          return { accepted: true, lockSeconds: 0 };
        }
        if (ok) {
          saveSignInFailures(this.db, key, { ...row, inFlight }, now.toISOString());
          return { accepted: false, lockSeconds: this.secondsUntil(row.lockedUntil!, now) };
        }
        const failures = row.failures + 1;
        const lockedUntil = lockedNow ? row.lockedUntil : failures >= this.policy.maxFailures ? this.lockUntil(now) : null;
        saveSignInFailures(this.db, key, { ...row, failures, lockedUntil, inFlight }, now.toISOString());
        return { accepted: false, lockSeconds: lockedUntil ? this.secondsUntil(lockedUntil, now) : 0 };
      })
      .immediate();
  }

  /** Gives a reservation back without counting it either way (the attempt stopped before a verdict). */
  release(key: string): void {
    this.db
      .transaction(() => {
        const row = signInFailures(this.db, key);
        if (row) saveSignInFailures(this.db, key, { ...row, inFlight: Math.max(0, row.inFlight - 1) }, this.now().toISOString());
      })
      .immediate();
  }

  /** An admin confirmed the user's identity (password reset): failures and lock go. */
  clear(key: string): void {
    clearSignInFailures(this.db, key);
  }
}
