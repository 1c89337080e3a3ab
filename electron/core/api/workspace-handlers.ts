import type { workspaceMethods, WorkspaceView } from '@shared/api/workspace';
import { ApiFailure, type CallContext, type Envelope } from '@shared/api-contract';
import { hostname } from 'node:os';
import { isWorkspace } from '../store/statements';
import { readWorkspaceLink } from '../store/workspace-link';
import { JoinCodeError } from '../team/workspace-join-code';
import { createWorkspace, issueJoinCode, joinWorkspace, leaveWorkspace, workspaceStatus, WorkspaceSetupError, type WorkspaceTarget } from '../team/workspace-admin';
import type { Dispatch, DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// Settings → Workspace. Creating, joining or leaving changes which store this
// data folder opens; the running engine stays on the one it opened. Rather
// than swap the store under live services, the engine stops its loops and
// refuses every call but this screen's status until it is restarted
// (gateAfterStoreChange): no decision can land in the store the folder left.

const RESTART = 'Restart Tieout on this data folder to continue';

function target(a: { host: string; port: number; database: string; user: string; ssl: WorkspaceTarget['ssl']; caFile?: string }): WorkspaceTarget {
  return { host: a.host, port: a.port, database: a.database, user: a.user, ssl: a.ssl, ...(a.caFile ? { caFile: a.caFile } : {}) };
}

/** Set-up refusals are the admin's to fix (wrong password, not an empty database, wrong passphrase): 'config', with the reason. */
async function asConfigFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WorkspaceSetupError || e instanceof JoinCodeError) throw new ApiFailure('config', e.message);
    throw e;
  }
}

export function workspaceHandlers(d: HandlerDeps): DomainHandlers<keyof typeof workspaceMethods> {
  /** Runs a store change with the engine paused; resumes it if the change fails, leaves it waiting for a restart if it succeeds. */
  const changing = async <T>(pausedMessage: string, change: () => Promise<T>, done: (result: T) => string): Promise<T & { restartRequired: string }> => {
    const resume = await d.pauseForStoreChange(pausedMessage);
    let result: T;
    try {
      result = await asConfigFailure(change);
    } catch (e) {
      resume();
      throw e;
    }
    const message = done(result);
    await d.storeChanged(message);
    return { ...result, restartRequired: message };
  };
  return {
    'workspace:status': async (): Promise<WorkspaceView> => {
      const s = await workspaceStatus({ dataDir: d.dataDir, secretStore: d.secretStore });
      const link = s.mode === 'workspace' ? s.link : null;
      // Also a folder changed by the CLI while the app ran: what it names is not what the engine has open.
      const mismatch = (link !== null) !== isWorkspace(d.db) ? `This data folder now ${link ? `belongs to the workspace "${link.name}"` : 'works single-user'}. ${RESTART}.` : null;
      return {
        mode: s.mode,
        workspace: link ? { name: link.name, host: link.host, port: link.port, database: link.database, user: link.user, ssl: link.ssl, caFile: link.caFile ?? null } : null,
        reachable: s.mode === 'workspace' ? s.reachable : null,
        problem: s.mode === 'workspace' ? s.problem : null,
        schemaVersion: s.mode === 'workspace' ? s.schemaVersion : null,
        syncLeader: s.mode === 'workspace' ? (s.leader ?? null) : null,
        restartRequired: d.storeChangedMessage() ?? mismatch,
      };
    },
    'workspace:create': (a, ctx) =>
      changing(
        `Moving this data folder into the workspace "${a.name}"…`,
        async () => {
          const created = await createWorkspace({
            dataDir: d.dataDir,
            secretStore: d.secretStore,
            clock: d.clock,
            target: target(a),
            password: a.password,
            name: a.name,
            moveData: a.moveData,
            actor: d.actor(ctx),
            ...(a.passphrase ? { joinPassphrase: a.passphrase } : {}),
          });
          return { name: created.link.name, movedRows: created.copied ? created.copied.reduce((n, c) => n + c.rows, 0) : null, joinCode: created.joinCode };
        },
        (r) => `This data folder now works in the workspace "${r.name}". ${RESTART}.`,
      ),
    'workspace:joinCode': (a, ctx) =>
      asConfigFailure(async () => ({ joinCode: await issueJoinCode({ dataDir: d.dataDir, secretStore: d.secretStore, passphrase: a.passphrase, clock: d.clock, actor: d.actor(ctx) }) })),
    'workspace:join': (a, ctx) =>
      changing(
        'Joining a workspace…',
        async () => {
          const link = await joinWorkspace({ dataDir: d.dataDir, secretStore: d.secretStore, clock: d.clock, actor: d.actor(ctx), workstation: hostname(), target: target(a), password: a.password, joinCode: a.joinCode, passphrase: a.passphrase });
          return { name: link.name };
        },
        (r) => `This data folder joined the workspace "${r.name}". ${RESTART}.`,
      ),
    'workspace:leave': () => {
      if (!readWorkspaceLink(d.dataDir)) throw new ApiFailure('config', 'This data folder is not joined to a workspace');
      return changing(
        'Leaving the workspace…',
        () => leaveWorkspace({ dataDir: d.dataDir, secretStore: d.secretStore }),
        (r) => `This data folder left the workspace "${r.name}" and works on its own store again. ${RESTART}.`,
      );
    },
  };
}

/** What a window may still call once the store moved: enough to show why and to sign out. */
const STILL_ANSWERED = new Set(['app:info', 'auth:status', 'auth:signOut', 'workspace:status']);

export function gateAfterStoreChange(dispatch: Dispatch, message: () => string | null): Dispatch {
  return async (name: string, args: unknown, context?: CallContext): Promise<Envelope<unknown>> => {
    const moved = message();
    if (moved && !STILL_ANSWERED.has(name)) return { ok: false, error: { code: 'config', message: moved } };
    return dispatch(name, args, context);
  };
}
