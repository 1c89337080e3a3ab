import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { deriveHandoffKey, KDF_BY_VERSION, type KeyDeriver } from '../offline/handoff-crypto';

// The join code: what a workstation needs from the creating one to work in a
// workspace and that must never be stored in PostgreSQL: the audit key that
// seals the workspace's trail (kept in each workstation's keychain under the
// workspace's profile id) and, optionally, the PayTrace and ERP credentials of
// that profile. It travels as text, encrypted under a passphrase the admin
// chooses and tells the joining person another way (the hand-off files' KDF
// and cipher: scrypt at the format's fixed cost, AES-256-GCM).
//
//   "tieout-join-1:" base64url( salt 16 | iv 12 | ciphertext | tag 16 )
//
// The prefix is the associated data, so a code edited in any byte fails to
// open exactly like a wrong passphrase.

export const JOIN_CODE_PREFIX = 'tieout-join-1:';
export const MIN_JOIN_PASSPHRASE = 12;
const KDF = KDF_BY_VERSION[1]!;
const SALT = 16;
const IV = 12;
const TAG = 16;

const credentialsSchema = z.object({ username: z.string(), password: z.string() }).strict();

export const joinPayloadSchema = z
  .object({
    workspaceId: z.string().regex(/^[0-9a-f]{16,64}$/),
    profileId: z.string().min(1).max(64),
    auditKey: z.object({ key: z.string(), keyedFrom: z.number().int().positive() }).strict(),
    credentials: z.object({ paytrace: credentialsSchema.optional(), erp: credentialsSchema.optional() }).strict(),
  })
  .strict();

export type JoinPayload = z.infer<typeof joinPayloadSchema>;

export class JoinCodeError extends Error {
  override readonly name = 'JoinCodeError';
}

export function checkJoinPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_JOIN_PASSPHRASE) throw new JoinCodeError(`The join code passphrase needs at least ${MIN_JOIN_PASSPHRASE} characters`);
}

export async function sealJoinCode(payload: JoinPayload, passphrase: string, deriveKey: KeyDeriver = deriveHandoffKey): Promise<string> {
  checkJoinPassphrase(passphrase);
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const key = await deriveKey(passphrase, KDF, salt);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(JOIN_CODE_PREFIX, 'ascii'));
  const body = Buffer.concat([cipher.update(JSON.stringify(joinPayloadSchema.parse(payload)), 'utf8'), cipher.final()]);
  return `${JOIN_CODE_PREFIX}${Buffer.concat([salt, iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

export async function openJoinCode(code: string, passphrase: string, deriveKey: KeyDeriver = deriveHandoffKey): Promise<JoinPayload> {
  // Pasted codes pick up line breaks and spaces; base64url has neither.
  const compact = code.replace(/\s+/g, '');
  if (!compact.startsWith(JOIN_CODE_PREFIX)) throw new JoinCodeError('This is not a Tieout join code (it starts with "tieout-join-1:"): copy the whole code the admin was shown');
  const raw = Buffer.from(compact.slice(JOIN_CODE_PREFIX.length), 'base64url');
  if (raw.length < SALT + IV + TAG + 2 || raw.length > 16_384) throw new JoinCodeError('The join code is incomplete or damaged: copy the whole code again');
  const key = await deriveKey(passphrase, KDF, raw.subarray(0, SALT));
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(SALT, SALT + IV));
    decipher.setAAD(Buffer.from(JOIN_CODE_PREFIX, 'ascii'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    plain = Buffer.concat([decipher.update(raw.subarray(SALT + IV, raw.length - TAG)), decipher.final()]).toString('utf8');
  } catch {
    throw new JoinCodeError('The join code passphrase is wrong, or the code was changed or cut short: nothing was joined');
  }
  const parsed = joinPayloadSchema.safeParse(JSON.parse(plain));
  if (!parsed.success) throw new JoinCodeError('The join code opens but does not describe a workspace (written by another Tieout version?)');
  return parsed.data;
}
