import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from '../private-files';
import type { PgConnectionConfig } from './pg/sync-client';

// A data folder joined to a team workspace holds workspace.json: where the
// workspace database is and how to reach it, never the password (that is in
// the OS keychain under workspacePasswordAccount). Without the file the
// folder's own tieout.sqlite is the store, as in single-user mode.

export const WORKSPACE_LINK_FILE = 'workspace.json';

export const workspaceSslModes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type WorkspaceSslMode = (typeof workspaceSslModes)[number];

export const workspaceLinkSchema = z
  .object({
    version: z.literal(1),
    workspaceId: z.string().regex(/^[0-9a-f]{16,64}$/),
    name: z.string().min(1).max(120),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    database: z.string().min(1).max(63),
    user: z.string().min(1).max(63),
    ssl: z.enum(workspaceSslModes),
    /** PEM of the CA that signed the server's certificate (verify-ca / verify-full with a private CA). */
    caFile: z.string().min(1).optional(),
    joinedAt: z.string(),
  })
  .strict();

export type WorkspaceLink = z.infer<typeof workspaceLinkSchema>;

export class WorkspaceLinkError extends Error {
  override readonly name = 'WorkspaceLinkError';
}

export function readWorkspaceLink(dataDir: string): WorkspaceLink | null {
  const file = join(dataDir, WORKSPACE_LINK_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new WorkspaceLinkError(`${file} is not JSON: fix it or leave the workspace (delete the file) to work on this folder's own data`);
  }
  const parsed = workspaceLinkSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkspaceLinkError(`${file} does not describe a workspace (${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'})`);
  }
  return parsed.data;
}

export function writeWorkspaceLink(dataDir: string, link: WorkspaceLink): void {
  writePrivateFile(join(dataDir, WORKSPACE_LINK_FILE), `${JSON.stringify(workspaceLinkSchema.parse(link), null, 2)}\n`);
}

export function removeWorkspaceLink(dataDir: string): void {
  rmSync(join(dataDir, WORKSPACE_LINK_FILE), { force: true });
}

/** The keychain account holding the workspace user's password. */
export function workspacePasswordAccount(link: Pick<WorkspaceLink, 'workspaceId' | 'user'>): string {
  return `workspace:${link.workspaceId}:${link.user}`;
}

/** The `pg` connection for a link: TLS as the link says (verify-full checks the host name, verify-ca only the chain). */
export function workspaceConnection(link: WorkspaceLink, password: string, readCa: (file: string) => string = (f) => readFileSync(f, 'utf8')): PgConnectionConfig {
  const url = new URL('postgresql://placeholder');
  url.hostname = link.host;
  url.port = String(link.port);
  url.pathname = `/${encodeURIComponent(link.database)}`;
  url.username = encodeURIComponent(link.user);
  const ca = link.caFile ? readCa(link.caFile) : undefined;
  const ssl: PgConnectionConfig['ssl'] =
    link.ssl === 'disable'
      ? false
      : link.ssl === 'require'
        ? { rejectUnauthorized: false }
        : link.ssl === 'verify-ca'
          ? { rejectUnauthorized: true, ca, verifyHostname: false }
          : { rejectUnauthorized: true, ca };
  return { connectionString: url.toString(), password, ssl, applicationName: `tieout ${link.name}` };
}
