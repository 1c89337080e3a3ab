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

/** The `pg` client options for a connection config (the async clients; the store's own goes through its worker). */
export function pgClientOptions(config: PgConnectionConfig, applicationName: string) {
  const ssl = config.ssl === false || config.ssl === undefined ? false : { rejectUnauthorized: config.ssl.rejectUnauthorized, ca: config.ssl.ca, ...(config.ssl.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}) };
  // pg lets a connection string's (empty) password override one given beside it: with a password, the parts go one by one.
  const u = new URL(config.connectionString);
  const where =
    config.password !== undefined
      ? { host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname, port: Number(u.port) || 5432, database: decodeURIComponent(u.pathname.slice(1)), user: decodeURIComponent(u.username), password: config.password }
      : { connectionString: config.connectionString };
  return {
    ...where,
    ssl,
    application_name: applicationName.slice(0, 63),
    // A dead network is noticed: the leader's lock must not be believed held on a connection that is gone.
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: 10_000,
    query_timeout: 10_000,
  };
}
