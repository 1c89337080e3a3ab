import { createHmac, randomBytes } from 'node:crypto';

// A cache key for "these credentials": changes whenever the secret changes
// (same length or not) yet reveals nothing about it, not even its length. The
// HMAC key is random per process and never leaves memory, so the fingerprint
// cannot be tested against guesses elsewhere.
const processKey = randomBytes(32);

export function secretFingerprint(secret: string): string {
  return createHmac('sha256', processKey).update(secret, 'utf8').digest('base64url');
}
