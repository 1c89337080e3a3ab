import { hostname, userInfo } from 'node:os';
import { systemClock } from '../core/clock';
import { resolveDataDir } from '../core/data-dir';
import {
  createWorkspace,
  issueJoinCode,
  joinWorkspace,
  leaveWorkspace,
  parseWorkspaceUrl,
  workspaceStatus,
  WorkspaceSetupError,
  type WorkspaceTarget,
} from '../core/team/workspace-admin';
import { checkJoinPassphrase } from '../core/team/workspace-join-code';
import { workspaceSslModes, type WorkspaceSslMode } from '../core/store/workspace-link';
import { keytarSecretStore } from '../core/vault/keytar-store';
import type { SecretStore } from '../core/vault/secret-store';
import type { Io } from './tieout';
import { promptSecret } from './secret-prompt';

// `tieout workspace create|migrate|join|leave|status|join-code`: team mode
// set-up from the command line (docs/team.md). Run with the app closed on this
// data folder: the engine opens the workspace (or its own store again) when it
// next starts. Secrets are asked for (PGPASSWORD is read for the database
// password, as psql does), kept in the OS keychain and never printed.

export type WorkspaceCommandOptions = Readonly<{
  sub: string | undefined;
  dataDir: string | undefined;
  url?: string;
  name?: string;
  ssl?: string;
  ca?: string;
  moveData?: boolean;
  joinCode?: boolean;
  json?: boolean;
}>;

export type WorkspaceCommandDeps = Readonly<{ secretStore?: SecretStore; readSecret?: (question: string) => Promise<string>; env?: NodeJS.ProcessEnv }>;

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function target(o: WorkspaceCommandOptions): WorkspaceTarget {
  if (!o.url) throw new WorkspaceSetupError('give the workspace database with --url postgresql://user@host:5432/database');
  const t = parseWorkspaceUrl(o.url);
  if (o.ssl !== undefined && !(workspaceSslModes as readonly string[]).includes(o.ssl)) throw new WorkspaceSetupError(`--ssl is one of ${workspaceSslModes.join(', ')}`);
  return { ...t, ...(o.ssl ? { ssl: o.ssl as WorkspaceSslMode } : {}), ...(o.ca ? { caFile: o.ca } : {}) };
}

export async function runWorkspaceCommand(o: WorkspaceCommandOptions, io: Io, deps: WorkspaceCommandDeps = {}): Promise<number> {
  const secretStore = deps.secretStore ?? keytarSecretStore();
  const ask = deps.readSecret ?? promptSecret;
  const env = deps.env ?? process.env;
  const dataDir = resolveDataDir(o.dataDir);
  const databasePassword = async (t: WorkspaceTarget) => env.PGPASSWORD || (await ask(`Password of ${t.user} at ${t.host}:${t.port}/${t.database}: `));
  const newPassphrase = async () => {
    const first = await ask('Passphrase for the join code (at least 12 characters; tell it to the joining person another way): ');
    checkJoinPassphrase(first);
    if ((await ask('The same passphrase again: ')) !== first) throw new WorkspaceSetupError('The two passphrases differ: no join code issued');
    return first;
  };
  const showJoinCode = (code: string) =>
    io.stdout(`\nJoin code (shown once; with its passphrase it gives the workspace's audit key and the PayTrace/ERP credentials of this workspace):\n${code}\n`);
  try {
    switch (o.sub) {
      case 'create':
      case 'migrate': {
        const t = target(o);
        if (!o.name) throw new WorkspaceSetupError('give the workspace a name with --name');
        const password = await databasePassword(t);
        const joinPassphrase = o.joinCode ? await newPassphrase() : undefined;
        const moveData = o.sub === 'migrate' || !!o.moveData;
        const created = await createWorkspace({ dataDir, secretStore, clock: systemClock, target: t, password, name: o.name, moveData, actor: `cli:${osUser()}`, ...(joinPassphrase ? { joinPassphrase } : {}) });
        const moved = created.copied ? created.copied.reduce((n, c) => n + c.rows, 0) : 0;
        io.stdout(`Workspace "${created.link.name}" created at ${t.host}:${t.port}/${t.database} (TLS ${t.ssl}).\n`);
        if (created.copied) io.stdout(`Moved ${moved} rows from this folder's single-user store; tieout.sqlite stays in ${dataDir} as its backup.\n`);
        if (created.joinCode) showJoinCode(created.joinCode);
        io.stdout('This data folder now works in the workspace: restart Tieout on it.\n');
        return 0;
      }
      case 'join': {
        const t = target(o);
        const password = await databasePassword(t);
        const code = await ask('Join code: ');
        const passphrase = await ask('Join code passphrase: ');
        const link = await joinWorkspace({ dataDir, secretStore, clock: systemClock, actor: `cli:${osUser()}`, workstation: hostname(), target: t, password, joinCode: code, passphrase });
        io.stdout(`Joined the workspace "${link.name}" at ${link.host}:${link.port}/${link.database} (TLS ${link.ssl}): restart Tieout on this data folder.\n`);
        return 0;
      }
      case 'join-code': {
        const code = await issueJoinCode({ dataDir, secretStore, passphrase: await newPassphrase(), clock: systemClock, actor: `cli:${osUser()}` });
        showJoinCode(code);
        return 0;
      }
      case 'leave': {
        const left = await leaveWorkspace({ dataDir, secretStore });
        io.stdout(`Left the workspace "${left.name}": its data stays in the workspace database; this folder works on its own tieout.sqlite again.\n`);
        if (left.keptAuditKey) io.stdout(`The workspace's audit key stays in this keychain (${left.keptAuditKey}): remove it only if another workstation holds it.\n`);
        return 0;
      }
      case 'status': {
        const s = await workspaceStatus({ dataDir, secretStore });
        if (o.json) {
          io.stdout(`${JSON.stringify(s)}\n`);
        } else if (s.mode === 'single-user') {
          io.stdout(`single-user: this folder works on its own tieout.sqlite (${dataDir})\n`);
        } else {
          io.stdout(`workspace "${s.link.name}" at ${s.link.host}:${s.link.port}/${s.link.database} as ${s.link.user} (TLS ${s.link.ssl})\n`);
          io.stdout(s.reachable ? `reachable; schema ${s.schemaVersion ?? 'unknown'} (this Tieout: ${s.latestVersion})\n` : `NOT reachable: ${s.problem}\n`);
          if (s.reachable && s.problem) io.stdout(`problem: ${s.problem}\n`);
          if (s.leader) io.stdout(`sync led by ${s.leader.workstation} since ${s.leader.since}${s.leader.holding ? '' : ' (not running now: the next workstation to start takes over)'}\n`);
        }
        return s.mode === 'workspace' && (!s.reachable || s.problem) ? 1 : 0;
      }
      default:
        io.stderr('tieout: workspace needs create, migrate, join, join-code, leave or status\n');
        return 2;
    }
  } catch (e) {
    io.stderr(`tieout: ${(e as Error).message}\n`);
    return 1;
  }
}
