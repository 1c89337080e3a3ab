import { hostname } from 'node:os';
import type { SecretStore } from '../vault/secret-store';
import type { PgConnectionConfig } from '../store/pg/sync-client';
import { readWorkspaceLink, workspaceConnection, workspacePasswordAccount } from '../store/workspace-link';

/**
 * The connection the team's own async clients (leader lock, change listener)
 * use: the same workspace the store opened, from the folder's workspace.json
 * and the keychain. null for a folder on its own SQLite (single-user mode has
 * no team) — and for the test suite's per-folder databases, which are each a
 * workspace of one.
 */
export async function teamConnection(dataDir: string, secrets: SecretStore): Promise<PgConnectionConfig | null> {
  const link = readWorkspaceLink(dataDir);
  if (!link) return null;
  const password = await secrets.get(workspacePasswordAccount(link));
  if (password === null) return null;
  return workspaceConnection(link, password);
}

/** How this workstation is named to its team ("Sync runs on <workstation>"). */
export function workstationName(): string {
  try {
    return hostname() || 'this workstation';
  } catch {
    return 'this workstation';
  }
}

export { pgClientOptions } from '../store/pg/client-options';
