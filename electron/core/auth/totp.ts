import { Secret, TOTP } from 'otpauth';

// RFC 6238 time-based one-time codes (otpauth): SHA-1, 6 digits, 30-second
// steps, the settings every authenticator app understands. A code is accepted
// for the current step and one step either side (clock drift); the step it
// matched is returned so the caller can refuse a code already used (replay).

export const TOTP_ISSUER = 'Tieout';
const PERIOD_SECONDS = 30;
const DIGITS = 6;

function totpFor(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A fresh 160-bit secret (RFC 4226's recommended length), base32 as apps expect it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans or accepts pasted. Shown once, at enrolment. */
export function totpUri(secretBase32: string, userName: string): string {
  return totpFor(secretBase32, userName).toString();
}

/** The code for `nowMs` (tests and the enrolment self-check). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return totpFor(secretBase32).generate({ timestamp: nowMs });
}

/** The time step `code` belongs to (now ± one step), or null when it matches none. */
export function matchingTotpStep(secretBase32: string, code: string, nowMs: number): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32).validate({ token, timestamp: nowMs, window: 1 });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
}
