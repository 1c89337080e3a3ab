import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { gunzip, gzip } from 'node:zlib';
import { z } from 'zod';
import { HANDOFF_LIMITS, type HandoffLimits } from './handoff-limits';

// The hand-off file: a portable, passphrase-encrypted container.
//
//   "TIEOUTHF" (8 bytes) | header length (uint32 BE) | header (UTF-8 JSON) | ciphertext | GCM tag (16 bytes)
//
// The header says how to decrypt (format version, scrypt parameters and salt,
// AES-256-GCM nonce). Everything before the ciphertext is authenticated as
// associated data, so a changed header fails exactly like a changed payload.
// The payload is gzip-compressed JSON.
//
// The header is read before it can be authenticated, so nothing in it may
// choose how much work the engine does: the scrypt settings must be exactly
// the ones of the file's format version (a file asking for N = 2^20 froze the
// engine for 9 s), the key is derived off the event loop, and the payload is
// unpacked with a ceiling (HANDOFF_LIMITS).

export const HANDOFF_MAGIC = Buffer.from('TIEOUTHF', 'ascii');
export const HANDOFF_FORMAT_VERSION = 1;
export const HANDOFF_KINDS = ['exceptions', 'decisions'] as const;
export type HandoffKind = (typeof HANDOFF_KINDS)[number];

const TAG_BYTES = 16;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const PREFIX_BYTES = HANDOFF_MAGIC.length + 4;

export type ScryptParams = Readonly<{ N: number; r: number; p: number }>;

/**
 * The only scrypt settings each format version reads and writes (about 0.1 s
 * and 32 MiB): a file naming any other is refused before a key is derived. A
 * stronger setting later is a new format version with its own entry here.
 */
export const KDF_BY_VERSION: Readonly<Record<number, ScryptParams>> = { 1: { N: 2 ** 15, r: 8, p: 1 } };

export type HandoffHeader = Readonly<{
  format: 'tieout-handoff';
  version: number;
  kind: HandoffKind;
  cipher: 'aes-256-gcm';
  kdf: Readonly<{ name: 'scrypt'; N: number; r: number; p: number; salt: string }>;
  iv: string;
  createdAt: string;
}>;

/** Every way opening a hand-off file can fail; each is a HandoffError of that kind. */
export const HANDOFF_ERROR_KINDS = [
  'not_a_handoff_file',
  'unsupported_version',
  'unsupported_kdf',
  'wrong_passphrase_or_tampered',
  'wrong_kind',
  'too_large',
  'invalid_contents',
  'card_number',
] as const;
export type HandoffErrorKind = (typeof HANDOFF_ERROR_KINDS)[number];

export class HandoffError extends Error {
  constructor(
    readonly kind: HandoffErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

/** Derives the 32-byte AES key; injectable so a test can count or cache derivations. */
export type KeyDeriver = (passphrase: string, params: ScryptParams, salt: Buffer) => Promise<Buffer>;

/** scrypt on libuv's thread pool: the event loop keeps serving while it runs. */
export const deriveHandoffKey: KeyDeriver = (passphrase, params, salt) =>
  new Promise((resolve, reject) => {
    // 128·N·r bytes is what scrypt needs; the default maxmem (32 MiB) is exactly that for 2^15, too tight.
    const maxmem = 128 * params.N * params.r + 1024 * 1024;
    scrypt(passphrase.normalize('NFC'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });

function gzipAsync(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(data, (error, out) => (error ? reject(error) : resolve(out))));
}

function gunzipCapped(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => gunzip(data, { maxOutputLength }, (error, out) => (error ? reject(error) : resolve(out))));
}

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;

export type SealOptions = Readonly<{ createdAt: string; deriveKey?: KeyDeriver; limits?: Partial<HandoffLimits> }>;

/** Encrypts a payload; refuses one the reading side would refuse as too large. */
export async function sealHandoff(kind: HandoffKind, payload: unknown, passphrase: string, options: SealOptions): Promise<Buffer> {
  const limits = { ...HANDOFF_LIMITS, ...options.limits };
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  if (json.length > limits.maxPayloadBytes) {
    throw new HandoffError('too_large', `This hand-off would hold ${mib(json.length)} of data; Tieout reads at most ${mib(limits.maxPayloadBytes)}. Resolve some exceptions here first.`);
  }
  const params = KDF_BY_VERSION[HANDOFF_FORMAT_VERSION]!;
  const salt = randomBytes(SALT_BYTES);
  const header: HandoffHeader = {
    format: 'tieout-handoff',
    version: HANDOFF_FORMAT_VERSION,
    kind,
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64') },
    iv: randomBytes(IV_BYTES).toString('base64'),
    createdAt: options.createdAt,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const aad = Buffer.concat([HANDOFF_MAGIC, length, headerBytes]);
  const key = await (options.deriveKey ?? deriveHandoffKey)(passphrase, params, salt);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(await gzipAsync(json)), cipher.final()]);
  return Buffer.concat([aad, body, cipher.getAuthTag()]);
}

const base64Of = (bytes: number) => z.string().refine((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').length === bytes, `${bytes} bytes as base64`);
const headerSchema = z
  .object({
    format: z.literal('tieout-handoff'),
    version: z.literal(HANDOFF_FORMAT_VERSION),
    kind: z.enum(HANDOFF_KINDS),
    cipher: z.literal('aes-256-gcm'),
    kdf: z.object({ name: z.literal('scrypt'), N: z.number(), r: z.number(), p: z.number(), salt: base64Of(SALT_BYTES) }).strict(),
    iv: base64Of(IV_BYTES),
    createdAt: z.string().max(64),
  })
  .strict();

const notOurs = () => new HandoffError('not_a_handoff_file', 'This is not a Tieout hand-off file (or it is damaged at the start).');

/** The clear header, checked before any costly step: only cheap parsing happens here. */
export function readHandoffHeader(file: Buffer, limits: HandoffLimits = HANDOFF_LIMITS): { header: HandoffHeader; aadLength: number } {
  if (file.length > limits.maxFileBytes) {
    throw new HandoffError('too_large', `This file is ${mib(file.length)}; a Tieout hand-off file is at most ${mib(limits.maxFileBytes)}. Nothing was imported.`);
  }
  if (file.length < PREFIX_BYTES + TAG_BYTES || !file.subarray(0, HANDOFF_MAGIC.length).equals(HANDOFF_MAGIC)) throw notOurs();
  const headerLength = file.readUInt32BE(HANDOFF_MAGIC.length);
  const aadLength = PREFIX_BYTES + headerLength;
  if (headerLength === 0 || headerLength > limits.maxHeaderBytes || aadLength + TAG_BYTES > file.length) throw notOurs();
  let raw: unknown;
  try {
    raw = JSON.parse(file.subarray(PREFIX_BYTES, aadLength).toString('utf8'));
  } catch {
    throw new HandoffError('wrong_passphrase_or_tampered', 'The hand-off file has been changed or damaged: its header cannot be read.');
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== 'tieout-handoff') throw notOurs();
  const version = (raw as { version?: unknown }).version;
  if (version !== HANDOFF_FORMAT_VERSION) {
    const shown = typeof version === 'number' || typeof version === 'string' ? String(version).slice(0, 16) : 'unknown';
    throw new HandoffError('unsupported_version', `This hand-off file has format version ${shown}; this Tieout reads version ${HANDOFF_FORMAT_VERSION}. Update Tieout on both machines.`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) throw new HandoffError('wrong_passphrase_or_tampered', 'The hand-off file has been changed or damaged: its header is not valid.');
  const header = parsed.data;
  const allowed = KDF_BY_VERSION[header.version]!;
  if (header.kdf.N !== allowed.N || header.kdf.r !== allowed.r || header.kdf.p !== allowed.p) {
    throw new HandoffError(
      'unsupported_kdf',
      `This hand-off file asks for key-derivation settings Tieout never writes (scrypt N=${header.kdf.N}, r=${header.kdf.r}, p=${header.kdf.p}): it was not written by Tieout or has been changed. Nothing was imported.`,
    );
  }
  return { header, aadLength };
}

export type OpenOptions = Readonly<{ expectedKind?: HandoffKind; deriveKey?: KeyDeriver; limits?: Partial<HandoffLimits> }>;

function wrongKind(actual: HandoffKind): HandoffError {
  return new HandoffError(
    'wrong_kind',
    actual === 'decisions'
      ? 'This file holds review decisions: import it with "Import decisions" on the installation that exported the exceptions.'
      : 'This file holds exceptions to review: open it with "Open hand-off file" on the reviewing installation.',
  );
}

/**
 * Decrypts and authenticates; throws HandoffError naming what is wrong. Never
 * returns partial data. Each refusal comes before the work it would cost.
 */
export async function openHandoffFile(file: Buffer, passphrase: string, options: OpenOptions = {}): Promise<{ header: HandoffHeader; payload: unknown }> {
  const limits = { ...HANDOFF_LIMITS, ...options.limits };
  const { header, aadLength } = readHandoffHeader(file, limits);
  if (options.expectedKind && header.kind !== options.expectedKind) throw wrongKind(header.kind);
  const key = await (options.deriveKey ?? deriveHandoffKey)(passphrase, header.kdf, Buffer.from(header.kdf.salt, 'base64'));
  let packed: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
    decipher.setAAD(file.subarray(0, aadLength));
    decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
    packed = Buffer.concat([decipher.update(file.subarray(aadLength, file.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new HandoffError('wrong_passphrase_or_tampered', 'The passphrase is wrong, or the hand-off file has been changed since it was written. Nothing was imported.');
  }
  // Authenticated from here on: what follows is what someone holding the passphrase wrote.
  let plain: Buffer;
  try {
    plain = await gunzipCapped(packed, limits.maxPayloadBytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HandoffError('too_large', `The hand-off file unpacks to more than ${mib(limits.maxPayloadBytes)}, more than Tieout reads. Nothing was imported.`);
    }
    throw new HandoffError('not_a_handoff_file', 'The hand-off file decrypts but its contents cannot be read.');
  }
  try {
    return { header, payload: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain)) as unknown };
  } catch {
    // Authenticated but unreadable: written by a broken exporter, not tampered in transit.
    throw new HandoffError('not_a_handoff_file', 'The hand-off file decrypts but its contents cannot be read.');
  }
}
