import type { SecretStore } from '../vault/secret-store';
import { openStore, type Db } from './db';
import { openWorkspaceDb } from './pg/open-workspace';
import { readWorkspaceLink, workspaceConnection, workspacePasswordAccount, WorkspaceLinkError } from './workspace-link';

/**
 * The store a data folder works on: the team workspace its workspace.json
 * names (password from the keychain), else its own SQLite file.
 */
export async function openDataFolderStore(dataDir: string, secrets: SecretStore): Promise<Db> {
  const link = readWorkspaceLink(dataDir);
  if (!link) return openStore(dataDir);
  const password = await secrets.get(workspacePasswordAccount(link));
  if (password === null) {
    throw new WorkspaceLinkError(
      `This folder is joined to the workspace "${link.name}" but its database password is not in this keychain: join it again (Settings → Workspace or \`tieout workspace join\`)`,
    );
  }
  return openWorkspaceDb(workspaceConnection(link, password), { label: link.name }) as unknown as Db;
}
