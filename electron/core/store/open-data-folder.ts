import type { SecretStore } from '../vault/secret-store';
import { openStore, openStoreReadOnly, type Db, type ReadDb } from './db';
import { openWorkspaceDb } from './pg/open-workspace';
import { readWorkspaceLink, workspaceConnection, workspacePasswordAccount, WorkspaceLinkError, type WorkspaceLink } from './workspace-link';

async function workspacePassword(link: WorkspaceLink, secrets: SecretStore): Promise<string> {
  const password = await secrets.get(workspacePasswordAccount(link));
  if (password === null) {
    throw new WorkspaceLinkError(
      `This folder is joined to the workspace "${link.name}" but its database password is not in this keychain: join it again (Settings → Workspace or \`tieout workspace join\`)`,
    );
  }
  return password;
}

/**
 * The store a data folder works on: the team workspace its workspace.json
 * names (password from the keychain), else its own SQLite file.
 */
export async function openDataFolderStore(dataDir: string, secrets: SecretStore): Promise<Db> {
  const link = readWorkspaceLink(dataDir);
  if (!link) return openStore(dataDir);
  return openWorkspaceDb(workspaceConnection(link, await workspacePassword(link, secrets)), { label: link.name }) as unknown as Db;
}

/** The same, read-only (the CLI's status, audit verify and export, erp check): a joined folder reads its workspace, not a stale or missing tieout.sqlite. */
export async function openDataFolderStoreReadOnly(dataDir: string, secrets: SecretStore, options: { anySchema?: boolean } = {}): Promise<ReadDb> {
  const link = readWorkspaceLink(dataDir);
  if (!link) return openStoreReadOnly(dataDir, options);
  return openWorkspaceDb(workspaceConnection(link, await workspacePassword(link, secrets)), { label: link.name, readonly: true, anySchema: options.anySchema }) as unknown as ReadDb;
}
