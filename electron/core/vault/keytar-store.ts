import { KeychainUnavailableError, type SecretStore } from './secret-store';

export const KEYCHAIN_SERVICE = 'Tieout';

type Keytar = typeof import('keytar');

let keytarModule: Keytar | null = null;

function loadKeytar(): Keytar {
  // Loaded lazily so a machine without libsecret can still run the parts of
  // Tieout that need no credentials (and say why the rest cannot).
  if (!keytarModule) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      keytarModule = require('keytar') as Keytar;
    } catch (e) {
      throw new KeychainUnavailableError(e);
    }
  }
  return keytarModule;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new KeychainUnavailableError(e);
  }
}

/** The real OS keychain through keytar (macOS Keychain, Windows Credential Vault, libsecret). */
export function keytarSecretStore(service = KEYCHAIN_SERVICE): SecretStore {
  return {
    get: (account) => guarded(() => loadKeytar().getPassword(service, account)),
    set: (account, secret) => guarded(() => loadKeytar().setPassword(service, account, secret)),
    delete: (account) => guarded(() => loadKeytar().deletePassword(service, account)),
  };
}
