import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';

// Hand-off files built by hand, for tests of what a hostile one can do. Built
// with Node's crypto from the documented format (electron/core/offline/handoff-crypto.ts),
// not with Tieout's writer: what someone holding the passphrase could write
// with a tool of their own.

export const MAGIC = Buffer.from('TIEOUTHF', 'ascii');
/** The one scrypt setting of format version 1. */
export const V1_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

export function headerOf(file: Buffer): Record<string, unknown> {
  return JSON.parse(file.subarray(12, 12 + file.readUInt32BE(8)).toString('utf8')) as Record<string, unknown>;
}

/** The same file with another clear header, not re-encrypted. */
export function withHeader(file: Buffer, header: unknown): Buffer {
  return withHeaderBytes(file, Buffer.from(JSON.stringify(header)));
}

export function withHeaderBytes(file: Buffer, bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([MAGIC, len, bytes, file.subarray(12 + file.readUInt32BE(8))]);
}

export type ContainerKey = Readonly<{ salt: Buffer; key: Buffer }>;

/** A real scrypt key (about 0.1 s); reuse it across files built with `containerAround(…, key)`. */
export function keyFor(passphrase: string, salt = randomBytes(16)): ContainerKey {
  const { N, r, p } = V1_SCRYPT;
  return { salt, key: scryptSync(passphrase.normalize('NFC'), salt, 32, { N, r, p, maxmem: 256 * N * r }) };
}

/** A genuine, authenticated container around any packed bytes (normally gzip). */
export function containerAround(packed: Buffer, key: ContainerKey, kind: string = 'exceptions', headerExtra: Record<string, unknown> = {}): Buffer {
  const iv = randomBytes(12);
  const header = {
    format: 'tieout-handoff',
    version: 1,
    kind,
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', ...V1_SCRYPT, salt: key.salt.toString('base64') },
    iv: iv.toString('base64'),
    createdAt: '2026-01-05T15:00:00.000Z',
    ...headerExtra,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerBytes.length);
  const aad = Buffer.concat([MAGIC, len, headerBytes]);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([aad, cipher.update(packed), cipher.final(), cipher.getAuthTag()]);
}
