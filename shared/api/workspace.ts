import { z } from 'zod';
import { empty, method } from './define';
import { freeText, noCardNumbers } from './free-text';

// Settings → Workspace (team mode, docs/team.md): where this data folder
// works, and creating, joining or leaving a team workspace. Admins only. The
// database password and the join-code passphrase go in and never come back;
// a join code is returned once, by the call that issues it (encrypted: useless
// without its passphrase, which the admin chose and keeps).

export const WORKSPACE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type WorkspaceSsl = (typeof WORKSPACE_SSL_MODES)[number];

export type WorkspaceView = Readonly<{
  mode: 'single-user' | 'workspace';
  /** The workspace this folder is joined to (its connection, never the password). */
  workspace: Readonly<{ name: string; host: string; port: number; database: string; user: string; ssl: WorkspaceSsl; caFile: string | null }> | null;
  reachable: boolean | null;
  problem: string | null;
  schemaVersion: number | null;
  /** Who leads the team's PayTrace/ERP sync, when the workspace records it; `holding` false: that workstation is not running now. */
  syncLeader: Readonly<{ workstation: string; since: string; holding: boolean }> | null;
  /**
   * Set once this folder was moved to another store (create, join, leave)
   * while the app runs on the old one: everything but this screen is refused
   * until Tieout is restarted on the folder.
   */
  restartRequired: string | null;
}>;

export type WorkspaceCreated = Readonly<{ name: string; movedRows: number | null; joinCode: string | null; restartRequired: string }>;
export type WorkspaceJoined = Readonly<{ name: string; restartRequired: string }>;
export type WorkspaceLeft = Readonly<{ name: string; keptAuditKey: string | null; restartRequired: string }>;

const hostName = noCardNumbers(z.string().trim().min(1).max(255));
const identifier = noCardNumbers(z.string().trim().min(1).max(63));
const caFile = noCardNumbers(z.string().trim().min(1).max(4096));
const password = z.string().min(1).max(1024);
const passphrase = z.string().min(12, 'at least 12 characters').max(1024);

const connection = {
  host: hostName,
  port: z.number().int().min(1).max(65535),
  database: identifier,
  user: identifier,
  ssl: z.enum(WORKSPACE_SSL_MODES),
  caFile: caFile.optional(),
  password,
};

const createArgs = z.object({ ...connection, name: freeText({ min: 1, max: 120 }), moveData: z.boolean(), passphrase: passphrase.optional() }).strict();
const joinCodeArgs = z.object({ passphrase }).strict();
const joinArgs = z.object({ ...connection, joinCode: z.string().trim().min(1).max(20_000), passphrase: z.string().min(1).max(1024) }).strict();
const leaveArgs = z.object({ confirm: z.literal(true) }).strict();

export const workspaceMethods = {
  'workspace:status': method<typeof empty, WorkspaceView>({ role: 'admin', args: empty }),
  'workspace:create': method<typeof createArgs, WorkspaceCreated>({ role: 'admin', args: createArgs }),
  'workspace:joinCode': method<typeof joinCodeArgs, Readonly<{ joinCode: string }>>({ role: 'admin', args: joinCodeArgs }),
  'workspace:join': method<typeof joinArgs, WorkspaceJoined>({ role: 'admin', args: joinArgs }),
  'workspace:leave': method<typeof leaveArgs, WorkspaceLeft>({ role: 'admin', args: leaveArgs }),
} as const;
