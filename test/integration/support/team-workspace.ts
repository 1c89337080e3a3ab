import pg from 'pg';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../../scripts/pg-cluster.mjs';
import { writeWorkspaceLink, workspacePasswordAccount, type WorkspaceLink } from '../../../electron/core/store/workspace-link';
import type { SecretStore } from '../../../electron/core/vault/secret-store';
import { tempDir } from './engine';
import { createWorkspaceDatabase } from '../../support/workspace-database';

export type PgCluster = Readonly<{ adminUrl: string; port: number; user: string; password: string; stop(): void }>;

/** A throw-away cluster with one workspace database, and `folders` data folders joined to it (password in `secrets`). */
export async function teamWorkspace(secrets: SecretStore, folders: number): Promise<{ cluster: PgCluster; link: WorkspaceLink; dirs: string[]; admin(sql: string, params?: unknown[]): Promise<pg.QueryResult> }> {
  const cluster = (await startPgCluster()) as PgCluster;
  const admin = async (sql: string, params: unknown[] = []): Promise<pg.QueryResult> => {
    const c = new pg.Client({ connectionString: cluster.adminUrl });
    await c.connect();
    try {
      return await c.query(sql, params);
    } finally {
      await c.end();
    }
  };
  const link = await createWorkspaceDatabase(cluster, 'Team test');
  await secrets.set(workspacePasswordAccount(link), cluster.password);
  const dirs = Array.from({ length: folders }, (_, i) => {
    const dir = tempDir(`team-${i}`);
    writeWorkspaceLink(dir, link);
    return dir;
  });
  return { cluster, link, dirs, admin };
}

/** Polls `fn` every `everyMs` until it returns a truthy value, or fails after `ms` naming `what`. */
export async function until<T>(what: string, fn: () => T | null | undefined | false, ms: number, everyMs = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
