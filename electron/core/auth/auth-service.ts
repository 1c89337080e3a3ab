import { ApiFailure, type CallContext, type MethodName } from '@shared/api-contract';
import { MIN_PASSWORD_LENGTH } from '@shared/api/auth';
import type { AuthStatus, Role, SignInPolicy, SignInResult, TotpEnrolmentStart, TotpStatus, UserAdminView, UserView } from '@shared/api/auth';
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
import { DEFAULT_THROTTLE, SignInThrottle, type Reservation, type ThrottlePolicy } from './throttle';
import { matchingTotpStep, newTotpSecret, totpUri } from './totp';
import { loadSignInPolicy, TWO_STEP_SETUP_METHODS } from './sign-in-policy';
import { writeSignInPolicy } from '../store/queries/sign-in-policy';
import { listPendingChanges } from '../store/queries/pending-changes';
import type { TotpSecrets } from '../vault/totp-secrets';
import { deleteTotpEnrolment, insertTotpEnrolment, totpEnrolment, useTotpStep } from '../store/queries/totp-enrolments';
import { countAdmins, countUsers, findUser, insertUser, listUsersForAdmin, updatePasswordHash, updateRole, userView } from '../store/queries/users';

// Users, sessions and the dispatcher's authorize hook. The CLI channel is the
// local admin tool (whoever can run it can already read the data folder), so
// it is allowed and acts as the OS user; Electron and web calls need a session.

export const DEMO_PASSWORD = 'tieout-demo-pass';
/** The demo password before PCI DSS 8.3.6's 12 characters; demo folders seeded with it are moved to the new one. */
const LEGACY_DEMO_PASSWORD = 'tieout-demo';
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
  /** Sign-in lock policy; defaults to PCI DSS v4 8.3.4 (10 failures, 30 minutes). */
  throttle?: ThrottlePolicy;
  scrypt?: ScryptParams;
  /** The password check (tests inject a counting one); defaults to scrypt's verifyPassword. */
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
  /** Where TOTP secrets live (the OS keychain); without it two-step sign-in cannot be enrolled. */
  totpSecrets?: TotpSecrets;
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
  const verify = o.verifyPassword ?? verifyPassword;
  // A started enrolment's secret waits here (never in SQLite) until the first code confirms it.
  const pendingTotp = new Map<string, { secret: string; expiresAt: number }>();
  const PENDING_TOTP_MS = 10 * 60_000;

  const activeUser = (ctx: CallContext, touch: boolean): UserView | null => {
    const s = sessions.lookup(ctx.sessionToken, touch);
    return s.state === 'active' ? userView(o.db, s.userName) : null;
  };

  /** The admin requires two-step sign-in for supervisors and admins, and this one has not set it up. */
  const twoStepSetupRequired = (user: UserView): boolean =>
    hasRole(user.role, 'supervisor') && loadSignInPolicy(o.db).requireTwoStepForApprovers && totpEnrolment(o.db, user.userName) === null;

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
    if (!TWO_STEP_SETUP_METHODS.has(method) && twoStepSetupRequired(user)) {
      throw new ApiFailure('forbidden', `Set up two-step sign-in first: the admin requires it for ${user.role}s.`);
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

  const waitText = (seconds: number): string => (seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} s`);

  const refusal = (userName: string, r: Extract<Reservation, { ok: false }>, action: string): ApiFailure => {
    appendAudit(o.db, { actor: userName, action: `${action}.refused`, objectType: 'user', objectId: userName, after: { reason: r.reason, waitSeconds: r.waitSeconds } });
    return r.reason === 'locked'
      ? new ApiFailure('forbidden', `Too many failed attempts for ${userName}. Try again in ${waitText(r.waitSeconds)}, or ask an admin to reset the password.`)
      : new ApiFailure('forbidden', `Too many sign-in attempts for ${userName} are under way at once. Try again in a moment.`);
  };

  type Verdict = 'ok' | 'wrong' | 'code-needed' | 'code-wrong' | 'code-replayed' | 'keychain-unavailable';

  /** The second factor, when the user has one: the code must match now ± one step and not be a step already used. */
  const checkCode = async (userName: string, code: string | undefined): Promise<Verdict> => {
    if (!totpEnrolment(o.db, userName)) return 'ok';
    if (!code) return 'code-needed';
    let secret: string | null | undefined;
    try {
      secret = await o.totpSecrets?.get(userName);
    } catch {
      // The keychain is down (locked, no Secret Service): no verdict either way, so no failure is counted.
      return 'keychain-unavailable';
    }
    // Enrolled but no secret in this keychain (restored backup, other machine): fail safe, an admin resets it.
    if (!secret) return 'code-wrong';
    const step = matchingTotpStep(secret, code, now().getTime());
    if (step === null) return 'code-wrong';
    // Synchronous from the match to the write: two concurrent uses of one code cannot both pass.
    return useTotpStep(o.db, userName, step) ? 'ok' : 'code-replayed';
  };

  /**
   * Checks a password (and, for sign-in, the second factor) under the sign-in
   * limit: the attempt is reserved before the hash is computed and settled
   * after, so concurrency cannot buy more guesses (throttle.ts).
   */
  const checkCredentials = async (userName: string, password: string, action: string, secondFactor: { code: string | undefined } | null): Promise<UserView> => {
    const reservation = throttle.reserve(userName);
    if (!reservation.ok) throw refusal(userName, reservation, action);
    let verdict: Verdict;
    let row: ReturnType<typeof findUser> = null;
    try {
      row = findUser(o.db, userName);
      const passwordOk = row ? await verify(password, row.password_hash) : await burnPasswordCheck(password);
      verdict = passwordOk && row ? (secondFactor ? await checkCode(row.user_name, secondFactor.code) : 'ok') : 'wrong';
    } catch (e) {
      throttle.settle(userName, false);
      throw e;
    }
    if (verdict === 'keychain-unavailable') {
      throttle.release(userName);
      throw new ApiFailure('config', 'The OS keychain, which holds the two-step sign-in key, is not available. Unlock it (or start the Secret Service) and try again.');
    }
    if (verdict === 'code-needed') {
      // The password was right; the attempt is not over until the code comes. Neither a failure nor a success.
      throttle.release(userName);
      throw new ApiFailure('code_required', `Enter the 6-digit code from your authenticator app ${action === 'auth.sign_in' ? `to sign in as ${userName}` : 'with your password'}.`);
    }
    const settled = throttle.settle(userName, verdict === 'ok');
    if (!settled.accepted || !row) {
      appendAudit(o.db, { actor: userName, action: `${action}.failed`, objectType: 'user', objectId: userName, after: { lockSeconds: settled.lockSeconds, ...(verdict.startsWith('code') ? { secondFactor: verdict } : {}) } });
      const more = settled.lockSeconds > 0 ? ` Too many failed attempts: locked for ${waitText(settled.lockSeconds)}.` : '';
      if (verdict === 'code-replayed') throw new ApiFailure('unauthenticated', `That code was used already; wait for the next code in your authenticator app.${more}`);
      if (verdict === 'code-wrong') throw new ApiFailure('unauthenticated', `The code is not correct.${more}`);
      throw new ApiFailure('unauthenticated', `The user name or password is not correct.${more}`);
    }
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

  /** Saves and audits the sign-in policy (inside the caller's transaction): a tightening, or a loosening a second admin approved. */
  const applySignInPolicy = (policy: SignInPolicy, actor: string, at: string): void => {
    const before = loadSignInPolicy(o.db);
    if (before.requireTwoStepForApprovers === policy.requireTwoStepForApprovers) return;
    writeSignInPolicy(o.db, policy, at, actor);
    appendAudit(o.db, { actor, action: 'policy.sign_in', objectType: 'policy', objectId: 'signIn', before, after: policy, at });
  };

  const totpStatus = (user: UserView): TotpStatus => {
    const e = totpEnrolment(o.db, user.userName);
    return { eligible: hasRole(user.role, 'supervisor'), enrolled: e !== null, enrolledAt: e?.enrolledAt ?? null };
  };

  const requireTotpSecrets = (): TotpSecrets => {
    if (!o.totpSecrets) throw new ApiFailure('config', 'Two-step sign-in needs the OS keychain, which this Tieout has not opened.');
    return o.totpSecrets;
  };

  /** PCI DSS v4 8.3.6, checked here too so no caller (CLI, a future channel) skips the contract's check. */
  const requireNewPassword = (password: string): void => {
    if (password.length < MIN_PASSWORD_LENGTH) throw new ApiFailure('invalid_args', `A new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  };

  const removeTotp = async (userName: string, actor: string): Promise<void> => {
    // The record goes first: a keychain entry left behind is harmless, a record without its secret locks the user out.
    const removed = o.db.transaction(() => {
      const had = deleteTotpEnrolment(o.db, userName);
      if (had) appendAudit(o.db, { actor, action: 'user.totp_remove', objectType: 'user', objectId: userName });
      return had;
    })();
    pendingTotp.delete(userName.toLowerCase());
    if (removed) await o.totpSecrets?.clear(userName);
  };

  /** Demo folders seeded before the 12-character minimum: the demo users still on the old password get the new one. */
  const upgradeLegacyDemoPasswords = async (): Promise<void> => {
    for (const u of DEMO_USERS) {
      const row = findUser(o.db, u.userName);
      if (!row || !(await verifyPassword(LEGACY_DEMO_PASSWORD, row.password_hash))) continue;
      updatePasswordHash(o.db, row.user_name, await hashPassword(DEMO_PASSWORD, o.scrypt), now().toISOString());
    }
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
      const user = s.state === 'active' ? userView(o.db, s.userName) : null;
      return {
        setupNeeded: countUsers(o.db) === 0,
        user,
        locked: s.state === 'locked',
        endedBy: s.state === 'locked' ? s.reason : null,
        suggestedUserName: s.state === 'none' ? o.osUser : s.userName,
        idleMinutes: idleMinutes(),
        twoStepSetupRequired: user !== null && twoStepSetupRequired(user),
        demo: o.isDemo() ? { password: DEMO_PASSWORD, users: DEMO_USERS.map((u) => ({ userName: u.userName, role: u.role })) } : null,
      };
    },

    async setup(args: { userName: string; password: string; displayName?: string | undefined }): Promise<SignInResult> {
      requireNewPassword(args.password);
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

    async signIn(args: { userName: string; password: string; code?: string | undefined }): Promise<SignInResult> {
      return startSession(await checkCredentials(args.userName, args.password, 'auth.sign_in', { code: args.code }));
    },

    signOut(ctx: CallContext): { sessionToken: null } {
      const s = sessions.lookup(ctx.sessionToken, false);
      sessions.end(ctx.sessionToken, 'sign-out');
      if (s.state !== 'none') appendAudit(o.db, { actor: s.userName, action: 'auth.sign_out', objectType: 'user', objectId: s.userName });
      return { sessionToken: null };
    },

    /**
     * Four-eyes: the signed-in user re-enters their own password at the moment
     * of a decision and, with two-step sign-in enrolled, a fresh code (step-up:
     * a colleague's password alone approves nothing). Same reservation, replay
     * rule and 'code_required' answer as sign-in.
     */
    async confirmPassword(ctx: CallContext, password: string, code?: string): Promise<UserView> {
      const user = requireUser(ctx);
      if (ctx.channel === 'cli') return user;
      return checkCredentials(user.userName, password, 'auth.confirm', { code });
    },

    users: (): UserAdminView[] => listUsersForAdmin(o.db, now()),

    totpStatus: (ctx: CallContext): TotpStatus => totpStatus(requireUser(ctx)),

    signInPolicy: (): SignInPolicy => loadSignInPolicy(o.db),

    /**
     * Switching required two-step sign-in on applies at once (it tightens);
     * switching it off loosens four-eyes (a colleague's password would approve
     * again), so it is proposed for a second admin (pending-changes.ts) and the
     * policy stays on until then. Returns the policy as it now stands.
     */
    setSignInPolicy(policy: SignInPolicy, ctx: CallContext): SignInPolicy {
      const actor = actorFor(ctx);
      const at = now().toISOString();
      o.db.transaction(() => {
        const before = loadSignInPolicy(o.db);
        if (before.requireTwoStepForApprovers && !policy.requireTwoStepForApprovers) {
          // Asking twice adds nothing for the second admin to decide.
          if (listPendingChanges(o.db).some((c) => c.state === 'pending' && c.kind === 'auth.signInPolicy')) return;
          proposeChange(o.db, { kind: 'auth.signInPolicy', target: 'signIn', summary: 'Sign-in: two-step sign-in no longer required for supervisors and admins', change: policy, requestedBy: actor, at });
          return;
        }
        applySignInPolicy(policy, actor, at);
      })();
      return loadSignInPolicy(o.db);
    },

    applySignInPolicy,

    /** Two-step sign-in, step 1: re-enter the password, get a fresh secret (shown once). */
    async totpBegin(args: { password: string }, ctx: CallContext): Promise<TotpEnrolmentStart> {
      requireTotpSecrets();
      const user = ctx.channel === 'cli' ? requireUser(ctx) : await checkCredentials(requireUser(ctx).userName, args.password, 'auth.totp_begin', null);
      if (!hasRole(user.role, 'supervisor')) throw new ApiFailure('forbidden', 'Two-step sign-in is for supervisors and admins.');
      const secret = newTotpSecret();
      const expiresAt = now().getTime() + PENDING_TOTP_MS;
      pendingTotp.set(user.userName.toLowerCase(), { secret, expiresAt });
      return { secret, uri: totpUri(secret, user.userName), expiresAt: new Date(expiresAt).toISOString() };
    },

    /** Step 2: the first code from the app proves it holds the secret; only then is it kept (keychain) and required. */
    async totpConfirm(args: { code: string }, ctx: CallContext): Promise<TotpStatus> {
      const secrets = requireTotpSecrets();
      const user = requireUser(ctx);
      const key = user.userName.toLowerCase();
      const pending = pendingTotp.get(key);
      if (!pending || pending.expiresAt < now().getTime()) {
        pendingTotp.delete(key);
        throw new ApiFailure('conflict', 'No two-step enrolment is under way (or it took longer than 10 minutes). Start again.');
      }
      const step = matchingTotpStep(pending.secret, args.code, now().getTime());
      if (step === null) throw new ApiFailure('invalid_args', 'The code does not match. Check the time on your phone and enter the code the app shows now.');
      await secrets.set(user.userName, pending.secret);
      pendingTotp.delete(key);
      const at = now().toISOString();
      o.db.transaction(() => {
        // The confirming code counts as used: it cannot sign in a second time.
        insertTotpEnrolment(o.db, user.userName, at, actorFor(ctx), step);
        appendAudit(o.db, { actor: actorFor(ctx), action: 'user.totp_enrol', objectType: 'user', objectId: user.userName, at });
      })();
      return totpStatus(user);
    },

    /** The user turns their own second factor off, re-entering the password (throttled like sign-in). */
    async totpDisable(args: { password: string }, ctx: CallContext): Promise<TotpStatus> {
      const user = ctx.channel === 'cli' ? requireUser(ctx) : await checkCredentials(requireUser(ctx).userName, args.password, 'auth.totp_disable', null);
      await removeTotp(user.userName, actorFor(ctx));
      return totpStatus(user);
    },

    /** PCI DSS v4 8.3.6 at the next change: the user's own change needs the current password and 12 characters. */
    async changePassword(args: { currentPassword: string; newPassword: string }, ctx: CallContext): Promise<UserView> {
      requireNewPassword(args.newPassword);
      if (ctx.channel === 'cli') throw new ApiFailure('forbidden', 'The CLI has no own password; an admin resets passwords with auth:resetPassword.');
      const user = await checkCredentials(requireUser(ctx).userName, args.currentPassword, 'auth.change_password', null);
      if (args.newPassword === args.currentPassword) throw new ApiFailure('invalid_args', 'The new password must differ from the current one.');
      const passwordHash = await hashPassword(args.newPassword, o.scrypt);
      const at = now().toISOString();
      o.db.transaction(() => {
        updatePasswordHash(o.db, user.userName, passwordHash, at);
        appendAudit(o.db, { actor: user.userName, action: 'user.change_password', objectType: 'user', objectId: user.userName, at });
      })();
      return user;
    },

    /** Admin: removes a user's second factor (lost phone). */
    async totpReset(args: { userName: string }, ctx: CallContext): Promise<UserAdminView> {
      const row = findUser(o.db, args.userName);
      if (!row) throw new ApiFailure('not_found', `No user named ${args.userName}.`);
      await removeTotp(row.user_name, actorFor(ctx));
      return listUsersForAdmin(o.db, now()).find((u) => u.userName === row.user_name)!;
    },

    async createUser(args: { userName: string; password: string; role: Role; displayName?: string | undefined }, ctx: CallContext): Promise<UserView> {
      requireNewPassword(args.password);
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
      requireNewPassword(args.password);
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
      if (countUsers(o.db) > 0) return upgradeLegacyDemoPasswords();
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
