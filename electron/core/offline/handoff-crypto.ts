import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

// The hand-off file: a portable, passphrase-encrypted container.
//
//   "TIEOUTHF" (8 bytes) | header length (uint32 BE) | header (UTF-8 JSON) | ciphertext | GCM tag (16 bytes)
//
// The header says how to decrypt (format version, scrypt parameters and salt,
// AES-256-GCM nonce). Everything before the ciphertext is authenticated as
// associated data, so a changed header fails exactly like a changed payload.
// The payload is gzip-compressed JSON.

export const HANDOFF_MAGIC = Buffer.from('TIEOUTHF', 'ascii');
export const HANDOFF_FORMAT_VERSION = 1;
export const HANDOFF_KINDS = ['exceptions', 'decisions'] as const;
export type HandoffKind = (typeof HANDOFF_KINDS)[number];

const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 64 * 1024;
/** Default cost: about 0.1 s and 32 MiB on a laptop; a file asking for more than 2^20 is refused. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const MAX_SCRYPT_N = 2 ** 20;

export type HandoffHeader = Readonly<{
  format: 'tieout-handoff';
  version: number;
  kind: HandoffKind;
  cipher: 'aes-256-gcm';
  kdf: Readonly<{ name: 'scrypt'; N: number; r: number; p: number; salt: string }>;
  iv: string;
  createdAt: string;
}>;

export type HandoffErrorKind = 'not_a_handoff_file' | 'unsupported_version' | 'wrong_passphrase_or_tampered' | 'wrong_kind';

export class HandoffError extends Error {
  constructor(
    readonly kind: HandoffErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

function deriveKey(passphrase: string, kdf: HandoffHeader['kdf']): Buffer {
  const salt = Buffer.from(kdf.salt, 'base64');
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 });
}

export function sealHandoff(kind: HandoffKind, payload: unknown, passphrase: string, options: { scrypt?: { N: number; r: number; p: number }; now?: Date } = {}): Buffer {
  const params = options.scrypt ?? DEFAULT_SCRYPT;
  const header: HandoffHeader = {
    format: 'tieout-handoff',
    version: HANDOFF_FORMAT_VERSION,
    kind,
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: randomBytes(16).toString('base64') },
    iv: randomBytes(12).toString('base64'),
    createdAt: (options.now ?? new Date()).toISOString(),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const aad = Buffer.concat([HANDOFF_MAGIC, length, headerBytes]);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, header.kdf), Buffer.from(header.iv, 'base64'));
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(gzipSync(Buffer.from(JSON.stringify(payload), 'utf8'))), cipher.final()]);
  return Buffer.concat([aad, body, cipher.getAuthTag()]);
}

function readHeader(file: Buffer): { header: HandoffHeader; aadLength: number } {
  const notOurs = () => new HandoffError('not_a_handoff_file', 'This is not a Tieout hand-off file (or it is damaged at the start).');
  if (file.length < HANDOFF_MAGIC.length + 4 + TAG_BYTES || !file.subarray(0, HANDOFF_MAGIC.length).equals(HANDOFF_MAGIC)) throw notOurs();
  const headerLength = file.readUInt32BE(HANDOFF_MAGIC.length);
  const aadLength = HANDOFF_MAGIC.length + 4 + headerLength;
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES || aadLength + TAG_BYTES > file.length) throw notOurs();
  let raw: unknown;
  try {
    raw = JSON.parse(file.subarray(HANDOFF_MAGIC.length + 4, aadLength).toString('utf8'));
  } catch {
    throw new HandoffError('wrong_passphrase_or_tampered', 'The hand-off file has been changed or damaged: its header cannot be read.');
  }
  const h = raw as Partial<HandoffHeader> | null;
  if (!h || h.format !== 'tieout-handoff') throw notOurs();
  if (h.version !== HANDOFF_FORMAT_VERSION) {
    throw new HandoffError('unsupported_version', `This hand-off file has format version ${String(h.version)}; this Tieout reads version ${HANDOFF_FORMAT_VERSION}. Update Tieout on both machines.`);
  }
  const kdf = h.kdf;
  const valid =
    (h.kind === 'exceptions' || h.kind === 'decisions') &&
    h.cipher === 'aes-256-gcm' &&
    typeof h.iv === 'string' &&
    kdf?.name === 'scrypt' &&
    Number.isInteger(kdf.N) &&
    kdf.N >= 2 ** 10 &&
    kdf.N <= MAX_SCRYPT_N &&
    (kdf.N & (kdf.N - 1)) === 0 &&
    Number.isInteger(kdf.r) &&
    kdf.r >= 1 &&
    kdf.r <= 32 &&
    Number.isInteger(kdf.p) &&
    kdf.p >= 1 &&
    kdf.p <= 16 &&
    typeof kdf.salt === 'string';
  if (!valid) throw new HandoffError('wrong_passphrase_or_tampered', 'The hand-off file has been changed or damaged: its header is not valid.');
  return { header: h as HandoffHeader, aadLength };
}

/** Decrypts and authenticates; throws HandoffError naming what is wrong. Never returns partial data. */
export function openHandoffFile(file: Buffer, passphrase: string, expectedKind?: HandoffKind): { header: HandoffHeader; payload: unknown } {
  const { header, aadLength } = readHeader(file);
  if (expectedKind && header.kind !== expectedKind) {
    throw new HandoffError(
      'wrong_kind',
      header.kind === 'decisions'
        ? 'This file holds review decisions: import it with "Import decisions" on the installation that exported the exceptions.'
        : 'This file holds exceptions to review: open it with "Open hand-off file" on the reviewing installation.',
    );
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, header.kdf), Buffer.from(header.iv, 'base64'));
    decipher.setAAD(file.subarray(0, aadLength));
    decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
    plain = Buffer.concat([decipher.update(file.subarray(aadLength, file.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new HandoffError('wrong_passphrase_or_tampered', 'The passphrase is wrong, or the hand-off file has been changed since it was written. Nothing was imported.');
  }
  try {
    return { header, payload: JSON.parse(gunzipSync(plain).toString('utf8')) as unknown };
  } catch {
    // Authenticated but unreadable: written by a broken exporter, not tampered in transit.
    throw new HandoffError('not_a_handoff_file', 'The hand-off file decrypts but its contents cannot be read.');
  }
}
