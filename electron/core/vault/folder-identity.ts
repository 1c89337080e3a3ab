import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { SecretStore } from './secret-store';

// Which profile id a data folder had when the engine last opened it, kept in
// the keychain under the folder's path. The profile id itself is in SQLite and
// names the keychain entries of the audit key and head, so without this
// record someone editing the database could give it a fresh profile id (no key
// found: the trail would look like a never-keyed sha256 chain) and rewrite the
// whole trail. A folder moved to another path simply starts a new record.

function folderAccount(dataDir: string): string {
  return `folder@${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 32)}`;
}

export async function recordedFolderProfile(store: SecretStore, dataDir: string): Promise<string | null> {
  return store.get(folderAccount(dataDir));
}

export async function recordFolderProfile(store: SecretStore, dataDir: string, profileId: string): Promise<void> {
  await store.set(folderAccount(dataDir), profileId);
}

/** Drops the record (the database it named was set aside: demo data whose audit key this keychain lost). */
export async function forgetFolderProfile(store: SecretStore, dataDir: string): Promise<void> {
  await store.delete(folderAccount(dataDir));
}

export function profileChangedMessage(recorded: string, found: string | null): string {
  return `This data folder's profile id changed (the keychain records ${recorded}, the database holds ${found ?? 'none'}): its audit trail may have been replaced. Run tieout audit verify.`;
}

/** At engine open: refuses a folder whose profile id changed; records it on first open. */
export async function checkFolderProfile(store: SecretStore, dataDir: string, profileId: string): Promise<void> {
  const recorded = await recordedFolderProfile(store, dataDir);
  if (recorded !== null && recorded !== profileId) throw new Error(profileChangedMessage(recorded, profileId));
  if (recorded === null) await recordFolderProfile(store, dataDir, profileId);
}
