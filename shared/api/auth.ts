import { z } from 'zod';
import { empty, method, ROLES, type Role } from './define';
import { freeText, noCardNumbers } from './free-text';
import { totpCode } from './totp-code';

// Local users, roles and sessions. The engine returns the session token in
// the reply value (`sessionToken`); the shell (Electron main, web host) takes
// it out before the reply reaches the page and keeps it itself
// (electron/shell/session-custody.ts), so page script never sees it.

export { ROLES, type Role };

export type UserView = Readonly<{ userName: string; displayName: string; role: Role; createdAt: string }>;

/** What the admin's Users screen shows: the account plus sign-in facts (never the hash). */
export type UserAdminView = UserView &
  Readonly<{
    /** The start of the user's latest session, or null when they never signed in. */
    lastSignInAt: string | null;
    /** While failed sign-ins lock the name: until when (ISO). */
    lockedUntil: string | null;
    failedSignIns: number;
    /** The user has a TOTP second factor (the secret itself is in the OS keychain). */
    totpEnrolled: boolean;
  }>;

export type AuthStatus = Readonly<{
  /** No user exists yet: the UI shows the create-admin form (auth:setup). */
  setupNeeded: boolean;
  /** The caller's session, when it is valid and not idle-locked. */
  user: UserView | null;
  /** The caller had a session that is now locked (idle) or revoked. */
  locked: boolean;
  /** Why that session ended (null while signed in or never signed in): the sign-in screen says "Signed out" after a sign-out, "locked" only after the idle lock. */
  endedBy: 'idle' | 'sign-out' | 'role-change' | 'password-reset' | null;
  /** The OS user name, suggested on the sign-in screen. */
  suggestedUserName: string;
  idleMinutes: number;
  /** Signed in, but the admin requires two-step sign-in for this role and it is not set up: only enrolment is allowed. */
  twoStepSetupRequired: boolean;
  /** Demo mode only: the seeded users and their one shared password. */
  demo: Readonly<{ password: string; users: ReadonlyArray<Readonly<{ userName: string; role: Role }>> }> | null;
}>;

export type SignInResult = Readonly<{ sessionToken: string; user: UserView }>;

/** Admin-set sign-in rules (off by default, so the demo still signs in with a password alone). */
export type SignInPolicy = Readonly<{ requireTwoStepForApprovers: boolean }>;

/** The caller's own two-step sign-in state (supervisors and admins may enrol). */
export type TotpStatus = Readonly<{ eligible: boolean; enrolled: boolean; enrolledAt: string | null }>;
/** Shown once, to its owner, when enrolment starts: the secret for the authenticator app. */
export type TotpEnrolmentStart = Readonly<{ secret: string; uri: string; expiresAt: string }>;
/** `sessionToken: null` tells the shell to drop the session. */
export type SignOutResult = Readonly<{ sessionToken: null }>;

const userName = noCardNumbers(
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._@-]+$/, 'use letters, digits, dot, dash, underscore or @'),
);
/**
 * PCI DSS v4 8.3.6: new passwords and password changes need at least 12
 * characters. Existing shorter passwords still sign in (8.3.6 applies at the
 * next change); an admin's reset or a new account must meet it.
 */
export const MIN_PASSWORD_LENGTH = 12;
const password = z.string().min(1).max(1024);
const newPassword = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024);
const displayName = freeText({ max: 128 });

export const authMethods = {
  'auth:status': method<typeof empty, AuthStatus>({ role: 'public', args: empty }),
  'auth:setup': method<z.ZodType<{ userName: string; password: string; displayName?: string }>, SignInResult>(
    { role: 'public', args: z.object({ userName, password: newPassword, displayName: displayName.optional() }).strict() },
  ),
  /** With a TOTP second factor enrolled and no `code`, fails with 'code_required' (no session). */
  'auth:signIn': method<z.ZodType<{ userName: string; password: string; code?: string }>, SignInResult>({
    role: 'public',
    args: z.object({ userName, password, code: totpCode.optional() }).strict(),
  }),
  'auth:signOut': method<typeof empty, SignOutResult>({ role: 'clerk', args: empty }),
  'auth:users': method<typeof empty, UserAdminView[]>({ role: 'admin', args: empty }),
  'auth:createUser': method<z.ZodType<{ userName: string; password: string; role: Role; displayName?: string }>, UserView>(
    { role: 'admin', args: z.object({ userName, password: newPassword, role: z.enum(ROLES), displayName: displayName.optional() }).strict() },
  ),
  'auth:setRole': method<z.ZodType<{ userName: string; role: Role }>, UserView>({ role: 'admin', args: z.object({ userName, role: z.enum(ROLES) }).strict() }),
  /** Admin only: sets a new password, ends the user's sessions and clears their sign-in lock. Audited without the password. */
  'auth:resetPassword': method<z.ZodType<{ userName: string; password: string }>, UserAdminView>({ role: 'admin', args: z.object({ userName, password: newPassword }).strict() }),
  /** The signed-in user changes their own password (current one re-entered, throttled like sign-in; the new one at least 12 characters). */
  'auth:changePassword': method<z.ZodType<{ currentPassword: string; newPassword: string }>, UserView>({
    role: 'clerk',
    args: z.object({ currentPassword: password, newPassword }).strict(),
  }),
  'auth:signInPolicy': method<typeof empty, SignInPolicy>({ role: 'admin', args: empty }),
  /**
   * Admin: require two-step sign-in for supervisors and admins (they can then do nothing but set it up). Audited.
   * On applies at once; off waits for a second admin (admin:pendingChanges). Returns the policy as it now stands.
   */
  'auth:setSignInPolicy': method<z.ZodType<SignInPolicy>, SignInPolicy>({ role: 'admin', args: z.object({ requireTwoStepForApprovers: z.boolean() }).strict() }),
  'auth:totpStatus': method<typeof empty, TotpStatus>({ role: 'clerk', args: empty }),
  /** Starts enrolment after re-entering the password; the secret is shown once and kept in memory until confirmed. */
  'auth:totpBegin': method<z.ZodType<{ password: string }>, TotpEnrolmentStart>({ role: 'supervisor', args: z.object({ password }).strict() }),
  /** Confirms enrolment with a first code from the app; only then is the secret stored (OS keychain). */
  'auth:totpConfirm': method<z.ZodType<{ code: string }>, TotpStatus>({ role: 'supervisor', args: z.object({ code: totpCode }).strict() }),
  /** The user turns their own second factor off, re-entering the password. */
  'auth:totpDisable': method<z.ZodType<{ password: string }>, TotpStatus>({ role: 'supervisor', args: z.object({ password }).strict() }),
  /** Admin: removes a user's second factor (lost phone). Audited. */
  'auth:totpReset': method<z.ZodType<{ userName: string }>, UserAdminView>({ role: 'admin', args: z.object({ userName }).strict() }),
} as const;
