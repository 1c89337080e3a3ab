import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Passwords are stored as "scrypt$N$r$p$salt$hash" (base64url salt and hash):
// memory-hard (N=2^15, r=8 → 32 MiB per hash), a fresh 16-byte salt per user,
// and the parameters kept with the hash so they can be raised later without
// breaking existing accounts. Comparison is constant-time.

export type ScryptParams = Readonly<{ N: number; r: number; p: number }>;

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export class PasswordHashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordHashError';
  }
}

export function parsePasswordHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } {
  const parts = stored.split('$');
  const [kind, n, r, p, salt, key] = parts;
  if (parts.length !== 6 || kind !== 'scrypt' || !salt || !key) throw new PasswordHashError('The stored password hash is not in the scrypt$N$r$p$salt$hash format');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((v) => Number.isSafeInteger(v) && v > 0)) throw new PasswordHashError('The stored password hash has unreadable scrypt parameters');
  return { params, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const { params, salt, key } = parsePasswordHash(stored);
  const candidate = await derive(password, salt, params);
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}

let dummy: Promise<string> | null = null;
/** Spends the same time as a real check, so a wrong user name cannot be told from a wrong password. */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword('tieout-no-such-user');
  await verifyPassword(password, await dummy);
  return false;
}
