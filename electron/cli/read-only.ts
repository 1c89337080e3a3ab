import { resolveDataDir } from '../core/data-dir';
import type { ReadDb } from '../core/store/db';
import { openDataFolderStoreReadOnly } from '../core/store/open-data-folder';
import { readProfileId } from '../core/store/queries/app-identity';
import { keytarSecretStore } from '../core/vault/keytar-store';
import type { SecretStore } from '../core/vault/secret-store';

// The CLI's read-only commands (audit verify, audit export, status, erp check
// without --sandbox) run on a data folder the app may be using right now: they
// open the store read-only and start nothing (no engine, no sandboxes, no sync,
// no settings or keychain writes), so a running app or demo is left as it was.

export type ReadOnlyFolder = Readonly<{ db: ReadDb; dataDir: string; profileId: string | null; secretStore: SecretStore }>;

export async function withReadOnlyFolder<T>(dataDir: string | undefined, fn: (folder: ReadOnlyFolder) => Promise<T>, options: { anySchema?: boolean } = {}): Promise<T> {
  const dir = resolveDataDir(dataDir);
  const secretStore = keytarSecretStore();
  const db = await openDataFolderStoreReadOnly(dir, secretStore, options);
  try {
    return await fn({ db, dataDir: dir, profileId: readProfileId(db), secretStore });
  } finally {
    db.close();
  }
}
