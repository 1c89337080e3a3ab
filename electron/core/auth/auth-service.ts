import { ApiFailure, type CallContext, type MethodName } from '@shared/api-contract';
import type { AuthStatus, Role, SignInResult, UserAdminView, UserView } from '@shared/api/auth';
import { appendAudit } from '../audit/audit-log';
import type { Authorize } from '../api/dispatch';
import { systemClock, type Clock } from '../clock';
import type { Db } from '../store/db';
import { readPolicy } from '../store/queries/policies';
import type { SessionEndReason } from '../store/queries/sessions';
import { burnPasswordCheck, hashPassword, verifyPassword, type ScryptParams } from './password';
import { hasRole, requirementFor, ROLE_RANK } from './permissions';
import { proposeChange } from '../approval/propose-change';
import { SessionStore } from './sessions';
import { DEFAULT_THROTTLE, SignInThrottle, type ThrottlePolicy } from './throttle';
import { countAdmins, countUsers, findUser, insertUser, listUsersForAdmin, updatePasswordHash, updateRole, userView } from '../store/queries/users';

// Users, sessions and the dispatcher's authorize hook. The CLI channel is the
// local admin tool (whoever can run it can already read the data folder), so
// it is allowed and acts as the OS user; Electron and web calls need a session.

export const DEMO_PASSWORD = 'tieout-demo';
export const DEMO_USERS: ReadonlyArray<Readonly<{ userName: string; role: Role; displayName: string }>> = [
  { userName: 'clerk', role: 'clerk', displayName: 'Demo Clerk' },
  { userName: 'supervisor', role: 'supervisor', displayName: 'Demo Supervisor' },
  { userName: 'supervisor2', role: 'supervisor', displayName: 'Second Supervisor' },
  { userName: 'admin', role: 'admin', displayName: 'Demo Admin' },
];

/** The idle lock's default; an admin may store another in the 'session' policy (idleMinutes). */
export const DEFAULT_IDLE_MINUTES = 15;

export type AuthServiceOptions = Readonly<{
  db: Db;
  /** The OS user: the CLI's actor and the name suggested on the sign-in screen. */
  osUser: string;
  isDemo: () => boolean;
  idleMinutes?: number;
  throttle?: ThrottlePolicy;
  scrypt?: ScryptParams;
  now?: () => Date;
  /** The engine's clock, when `now` is not given. */
  clock?: Clock;
}>;

export type AuthService = ReturnType<typeof createAuthService>;

/** What a call on an ended session is told: the cause, so a sign-out never reads as an idle lock. */
export function endedSessionMessage(reason: SessionEndReason, userName: string, idleMinutes: number): string {
  switch (reason) {
    case 'idle':
      return `Tieout locked after ${idleMinutes} minutes without activity. Sign in again as ${userName}.`;
    case 'sign-out':
      return `Signed out. Sign in to Tieout to continue.`;
    case 'role-change':
      return `Signed out: ${userName}'s role changed. Sign in again.`;
    case 'password-reset':
      return `Signed out: ${userName}'s password was reset. Sign in again.`;
  }
}

export function createAuthService(o: AuthServiceOptions) {
  const clock = o.clock ?? systemClock;
  const now = o.now ?? (() => new Date(clock.now()));
  const idleMinutes = (): number => {
    if (o.idleMinutes !== undefined) return o.idleMinutes;
    const stored = Number(readPolicy(o.db, 'session')?.idleMinutes);
    return Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_IDLE_MINUTES;
  };
  const sessions = new SessionStore(o.db, () => idleMinutes() * 60_000, now);
  const throttle = new SignInThrottle(o.db, o.throttle ?? DEFAULT_THROTTLE, now);

  const activeUser = (ctx: CallContext, touch: boolean): UserView | null => {
    const s = sessions.lookup(ctx.sessionToken, touch);
    return s.state === 'active' ? userView(o.db, s.userName) : null;
  };

  const authorize: Authorize = (method: MethodName, ctx: CallContext) => {
    const needed = requirementFor(method);
    if (needed === 'public' || ctx.channel === 'cli') return;
    const s = sessions.lookup(ctx.sessionToken, true);
    if (s.state === 'locked') throw new ApiFailure('unauthenticated', endedSessionMessage(s.reason, s.userName, idleMinutes()));
    const user = s.state === 'active' ? userView(o.db, s.userName) : null;
    if (!user) throw new ApiFailure('unauthenticated', 'Sign in to Tieout to continue.');
    if (!hasRole(user.role, needed)) {
      throw new ApiFailure('forbidden', `${method} needs the ${needed} role; ${user.userName} is signed in as ${user.role}. Ask a ${needed} to do this.`);
    }
  };

  const actorFor = (ctx: CallContext): string => {
    if (ctx.channel === 'cli') return o.osUser;
    return activeUser(ctx, false)?.userName ?? 'unknown';
  };

  const requireUser = (ctx: CallContext): UserView => {
    if (ctx.channel === 'cli') {
      // The local admin tool acts as the OS user with admin rights.
      return { userName: o.osUser, displayName: o.osUser, role: 'admin', createdAt: '' };
    }
    const user = activeUser(ctx, false);
    if (!user) throw new ApiFailure('unauthenticated', 'Sign in to Tieout to continue.');
    return user;
  };

  /** Checks a password under the sign-in rate limit; returns the user on success. */
  const checkPassword = async (userName: string, password: string, action: string): Promise<UserView> => {
    const wait = throttle.waitSeconds(userName);
    if (wait > 0) throw new ApiFailure('forbidden', `Too many failed attempts for ${userName}. Try again in ${wait} s.`);
    const row = findUser(o.db, userName);
    const ok = row ? await verifyPassword(password, row.password_hash) : await burnPasswordCheck(password);
    if (!ok || !row) {
      const lock = throttle.recordFailure(userName);
      appendAudit(o.db, { actor: userName, action: `${action}.failed`, objectType: 'user', objectId: userName, after: { lockSeconds: lock } });
      const more = lock > 0 ? ` Too many failed attempts: locked for ${lock} s.` : '';
      throw new ApiFailure('unauthenticated', `The user name or password is not correct.${more}`);
    }
    throttle.clear(userName);
    return userView(o.db, row.user_name)!;
  };

  /** Sets a role now (inside the caller's transaction): a demotion, or a promotion a second admin approved. */
  const applyRole = (args: { userName: string; role: Role }, actor: string, at: string) => {
    // Checked inside the write transaction: two admins demoting each other at once cannot leave none.
    const row = findUser(o.db, args.userName);
    if (!row) throw new ApiFailure('not_found', `No user named ${args.userName}.`);
    if (row.role === 'admin' && args.role !== 'admin' && countAdmins(o.db) <= 1) {
      throw new ApiFailure('conflict', `${row.user_name} is the last admin; make someone else admin first.`);
    }
    updateRole(o.db, row.user_name, args.role, at);
    // Open sessions carry the old rights in the user's mind; make them sign in again.
    sessions.endAllFor(row.user_name, 'role-change');
    appendAudit(o.db, { actor, action: 'user.set_role', objectType: 'user', objectId: row.user_name, before: { role: row.role }, after: { role: args.role }, at });
    return row;
  };

  /** Four-eyes on roles: a promotion waits for a second admin (electron/core/approval/pending-changes.ts). */
  const proposeRole = (userName: string, from: Role, to: Role, actor: string, at: string): void => {
    proposeChange(o.db, { kind: 'user.role', target: userName, summary: `${userName}: ${from} → ${to}`, change: { role: to }, requestedBy: actor, at });
  };

  const startSession = (user: UserView): SignInResult => {
    const sessionToken = sessions.create(user.userName);
    appendAudit(o.db, { actor: user.userName, action: 'auth.sign_in', objectType: 'user', objectId: user.userName });
    return { sessionToken, user };
  };

  return {
    authorize,
    actorFor,
    requireUser,
    idleMinutes,

    status(ctx: CallContext): AuthStatus {
      const s = sessions.lookup(ctx.sessionToken, false);
      return {
        setupNeeded: countUsers(o.db) === 0,
        user: s.state === 'active' ? userView(o.db, s.userName) : null,
        locked: s.state === 'locked',
        endedBy: s.state === 'locked' ? s.reason : null,
        suggestedUserName: s.state === 'none' ? o.osUser : s.userName,
        idleMinutes: idleMinutes(),
        demo: o.isDemo() ? { password: DEMO_PASSWORD, users: DEMO_USERS.map((u) => ({ userName: u.userName, role: u.role })) } : null,
      };
    },

    async setup(args: { userName: string; password: string; displayName?: string | undefined }): Promise<SignInResult> {
      const passwordHash = await hashPassword(args.password, o.scrypt);
      // The count check and the insert run together so two first-run windows cannot both create an admin.
      const user = o.db.transaction(() => {
        if (countUsers(o.db) > 0) return null;
        const at = now().toISOString();
        const created = insertUser(o.db, { userName: args.userName, displayName: args.displayName ?? '', role: 'admin', passwordHash, createdBy: 'setup', at });
        appendAudit(o.db, { actor: args.userName, action: 'user.create', objectType: 'user', objectId: args.userName, after: { role: 'admin', how: 'first-run setup' }, at });
        return created;
      })();
      if (!user) throw new ApiFailure('conflict', 'Tieout already has users; ask an admin to create your account.');
      return startSession(user);
    },

    async signIn(args: { userName: string; password: string }): Promise<SignInResult> {
      return startSession(await checkPassword(args.userName, args.password, 'auth.sign_in'));
    },

    signOut(ctx: CallContext): { sessionToken: null } {
      const s = sessions.lookup(ctx.sessionToken, false);
      sessions.end(ctx.sessionToken, 'sign-out');
      if (s.state !== 'none') appendAudit(o.db, { actor: s.userName, action: 'auth.sign_out', objectType: 'user', objectId: s.userName });
      return { sessionToken: null };
    },

    /** Four-eyes: the signed-in user re-enters their own password at the moment of a decision. */
    async confirmPassword(ctx: CallContext, password: string): Promise<UserView> {
      const user = requireUser(ctx);
      if (ctx.channel === 'cli') return user;
      return checkPassword(user.userName, password, 'auth.confirm');
    },

    users: (): UserAdminView[] => listUsersForAdmin(o.db, now()),

    async createUser(args: { userName: string; password: string; role: Role; displayName?: string | undefined }, ctx: CallContext): Promise<UserView> {
      const actor = actorFor(ctx);
      if (findUser(o.db, args.userName)) throw new ApiFailure('conflict', `A user named ${args.userName} already exists.`);
      const passwordHash = await hashPassword(args.password, o.scrypt);
      const at = now().toISOString();
      return o.db.transaction(() => {
        // A new supervisor or admin starts as a clerk until a second admin approves the role.
        const created = insertUser(o.db, { userName: args.userName, displayName: args.displayName ?? '', role: 'clerk', passwordHash, createdBy: actor, at });
        appendAudit(o.db, { actor, action: 'user.create', objectType: 'user', objectId: args.userName, after: { role: 'clerk', ...(args.role === 'clerk' ? {} : { roleAskedFor: args.role }) }, at });
        if (args.role !== 'clerk') proposeRole(created.userName, 'clerk', args.role, actor, at);
        return created;
      })();
    },

    applyRole,

    /** A demotion applies at once; a promotion is proposed for a second admin and the user keeps their role until then. */
    setRole(args: { userName: string; role: Role }, ctx: CallContext): UserView {
      const actor = actorFor(ctx);
      const at = now().toISOString();
      const row = o.db.transaction(() => {
        const row = findUser(o.db, args.userName);
        if (!row) throw new ApiFailure('not_found', `No user named ${args.userName}.`);
        // A promotion loosens four-eyes (one more person who may approve): it waits for a second admin.
        if (ROLE_RANK[args.role] > ROLE_RANK[row.role]) {
          proposeRole(row.user_name, row.role, args.role, actor, at);
          return row;
        }
        return applyRole(args, actor, at);
      })();
      return userView(o.db, row.user_name)!;
    },

    /** An admin sets a new password: the user's sessions end and their sign-in lock clears. The audit never holds the password. */
    async resetPassword(args: { userName: string; password: string }, ctx: CallContext): Promise<UserAdminView> {
      const actor = actorFor(ctx);
      if (!findUser(o.db, args.userName)) throw new ApiFailure('not_found', `No user named ${args.userName}.`);
      const passwordHash = await hashPassword(args.password, o.scrypt);
      const at = now().toISOString();
      const userName = o.db.transaction(() => {
        const row = findUser(o.db, args.userName);
        if (!row) throw new ApiFailure('not_found', `No user named ${args.userName}.`);
        updatePasswordHash(o.db, row.user_name, passwordHash, at);
        sessions.endAllFor(row.user_name, 'password-reset');
        throttle.clear(row.user_name);
        appendAudit(o.db, { actor, action: 'user.reset_password', objectType: 'user', objectId: row.user_name, after: { sessionsEnded: true, signInLockCleared: true }, at });
        return row.user_name;
      })();
      return listUsersForAdmin(o.db, now()).find((u) => u.userName === userName)!;
    },

    /** Demo mode: the four documented demo users, created once. */
    async seedDemoUsers(): Promise<void> {
      if (countUsers(o.db) > 0) return;
      const at = now().toISOString();
      const hashes = await Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD, o.scrypt)));
      o.db.transaction(() => {
        if (countUsers(o.db) > 0) return;
        DEMO_USERS.forEach((u, i) => insertUser(o.db, { userName: u.userName, displayName: u.displayName, role: u.role, passwordHash: hashes[i]!, createdBy: 'demo', at }));
        appendAudit(o.db, { actor: 'system', action: 'user.seed_demo', objectType: 'user', objectId: 'demo', after: { users: DEMO_USERS.map((u) => `${u.userName} (${u.role})`) }, at });
      })();
    },
  };
}
