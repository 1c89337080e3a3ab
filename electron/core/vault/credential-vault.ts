import type { ConnectionId, CredentialStatus } from '@shared/settings';
import { registerSecret } from '../log/secret-registry';
import type { SecretStore } from './secret-store';

// Credentials live only in the OS keychain: one account per connection, scoped
// by the data folder's profile id so two Tieout data folders on one machine
// never overwrite each other. Nothing here is ever logged or returned to the UI.

export type Credentials = Readonly<{ username: string; password: string }>;

export type CredentialVault = Readonly<{
  get(connection: ConnectionId): Promise<Credentials | null>;
  set(connection: ConnectionId, credentials: Credentials): Promise<void>;
  clear(connection: ConnectionId): Promise<void>;
  status(): Promise<CredentialStatus>;
}>;

export function accountName(profileId: string, connection: ConnectionId): string {
  return `${connection}@${profileId}`;
}

export function createCredentialVault(store: SecretStore, profileId: string): CredentialVault {
  const get = async (connection: ConnectionId): Promise<Credentials | null> => {
    const raw = await store.get(accountName(profileId, connection));
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as Partial<Credentials>;
      if (typeof parsed.username === 'string' && typeof parsed.password === 'string') {
        // The log removes this exact value wherever it appears (a remote system may echo it in an error).
        registerSecret(parsed.password);
        return { username: parsed.username, password: parsed.password };
      }
    } catch {
      // An unreadable entry is treated as absent; the clerk re-enters it.
    }
    return null;
  };
  return {
    get,
    set: (connection, credentials) => {
      registerSecret(credentials.password);
      return store.set(accountName(profileId, connection), JSON.stringify(credentials));
    },
    clear: async (connection) => {
      await store.delete(accountName(profileId, connection));
    },
    status: async () => ({
      paytrace: (await get('paytrace')) ? 'set' : 'not set',
      erp: (await get('erp')) ? 'set' : 'not set',
    }),
  };
}
