import type { SecretStore } from './secret-store';

// The audit chain's trust roots, kept in the OS keychain next to the
// credentials and never in SQLite: the HMAC key that seals every entry from
// `keyedFrom` on, and the last head (entry number + MAC) the engine saw
// committed. Someone who can only edit the database file can neither forge a
// MAC nor move the anchor back (docs/security/audit.md).

export type AuditKey = Readonly<{
  /** 32 random bytes. */
  key: Buffer;
  /** The first entry sealed under the key (the `audit.keyed` entry); entries before it are the legacy sha256 chain. */
  keyedFrom: number;
}>;

export type AuditHead = Readonly<{ entry: number; mac: string }>;

export type AuditSecrets = Readonly<{
  getKey(): Promise<AuditKey | null>;
  setKey(key: AuditKey): Promise<void>;
  getHead(): Promise<AuditHead | null>;
  setHead(head: AuditHead): Promise<void>;
}>;

export function auditKeyAccount(profileId: string): string {
  return `audit-key@${profileId}`;
}

export function auditHeadAccount(profileId: string): string {
  return `audit-head@${profileId}`;
}

function parseKey(raw: string | null): AuditKey | null {
  if (!raw) return null;
  const parsed = JSON.parse(raw) as { key?: unknown; keyedFrom?: unknown };
  if (typeof parsed.key !== 'string' || !Number.isSafeInteger(parsed.keyedFrom)) throw new Error('The audit key entry in the OS keychain is unreadable');
  const key = Buffer.from(parsed.key, 'base64');
  if (key.length !== 32) throw new Error('The audit key entry in the OS keychain is not 32 bytes');
  return { key, keyedFrom: parsed.keyedFrom as number };
}

function parseHead(raw: string | null): AuditHead | null {
  if (!raw) return null;
  const parsed = JSON.parse(raw) as { entry?: unknown; mac?: unknown };
  if (!Number.isSafeInteger(parsed.entry) || typeof parsed.mac !== 'string') throw new Error('The audit head entry in the OS keychain is unreadable');
  return { entry: parsed.entry as number, mac: parsed.mac };
}

export function createAuditSecrets(store: SecretStore, profileId: string): AuditSecrets {
  return {
    getKey: async () => parseKey(await store.get(auditKeyAccount(profileId))),
    setKey: (k) => store.set(auditKeyAccount(profileId), JSON.stringify({ key: k.key.toString('base64'), keyedFrom: k.keyedFrom })),
    getHead: async () => parseHead(await store.get(auditHeadAccount(profileId))),
    setHead: (h) => store.set(auditHeadAccount(profileId), JSON.stringify({ entry: h.entry, mac: h.mac })),
  };
}
