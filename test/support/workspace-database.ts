import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { WorkspaceLink } from '../../electron/core/store/workspace-link';

export type TestCluster = Readonly<{ adminUrl: string; port: number; user: string; password: string; stop(): void }>;

/**
 * A new, empty workspace database in a throw-away cluster and the link a data
 * folder joined to it holds (the integration tests, the e2e team spec and the
 * team chaos run all join folders this way; the password goes to the keychain).
 */
export async function createWorkspaceDatabase(cluster: TestCluster, name: string, database = `team_${randomBytes(4).toString('hex')}`): Promise<WorkspaceLink> {
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  return {
    version: 1,
    workspaceId: randomBytes(8).toString('hex'),
    name,
    host: '127.0.0.1',
    port: cluster.port,
    database,
    user: cluster.user,
    ssl: 'disable',
    joinedAt: new Date().toISOString(),
  };
}
