import type { SecretStore } from './secret-store';

// TOTP secrets are secrets: they live only in the OS keychain, one account per
// user, scoped by the data folder's profile id like the connection
// credentials (credential-vault.ts). SQLite records only that a user is
// enrolled (table totp_enrolments). Nothing here is logged or returned to the
// UI except the one enrolment reply that shows the new secret to its owner.

export type TotpSecrets = Readonly<{
  get(userName: string): Promise<string | null>;
  set(userName: string, secretBase32: string): Promise<void>;
  clear(userName: string): Promise<void>;
}>;

/** User names are case-insensitive in the store; the keychain account is the lower-cased one. */
export function totpAccountName(profileId: string, userName: string): string {
  return `totp:${userName.toLowerCase()}@${profileId}`;
}

export function createTotpSecrets(store: SecretStore, profileId: string): TotpSecrets {
  return {
    get: (userName) => store.get(totpAccountName(profileId, userName)),
    set: (userName, secret) => store.set(totpAccountName(profileId, userName), secret),
    clear: async (userName) => {
      await store.delete(totpAccountName(profileId, userName));
    },
  };
}
