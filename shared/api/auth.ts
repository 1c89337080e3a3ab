import { z } from 'zod';
import { empty, method, ROLES, type Role } from './define';
import { freeText, noCardNumbers } from './free-text';

// Local users, roles and sessions. The session token travels only in the
// reply value (`sessionToken`), where the bindings capture it; renderer code
// never stores or shows it.

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
  }>;

export type AuthStatus = Readonly<{
  /** No user exists yet: the UI shows the create-admin form (auth:setup). */
  setupNeeded: boolean;
  /** The caller's session, when it is valid and not idle-locked. */
  user: UserView | null;
  /** The caller had a session that is now locked (idle) or revoked. */
  locked: boolean;
  /** The OS user name, suggested on the sign-in screen. */
  suggestedUserName: string;
  idleMinutes: number;
  /** Demo mode only: the seeded users and their one shared password. */
  demo: Readonly<{ password: string; users: ReadonlyArray<Readonly<{ userName: string; role: Role }>> }> | null;
}>;

export type SignInResult = Readonly<{ sessionToken: string; user: UserView }>;
/** `sessionToken: null` tells the bindings to drop the session. */
export type SignOutResult = Readonly<{ sessionToken: null }>;

const userName = noCardNumbers(
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._@-]+$/, 'use letters, digits, dot, dash, underscore or @'),
);
const password = z.string().min(1).max(1024);
const newPassword = z.string().min(10, 'at least 10 characters').max(1024);
const displayName = freeText({ max: 128 });

export const authMethods = {
  'auth:status': method<typeof empty, AuthStatus>({ role: 'public', args: empty }),
  'auth:setup': method<z.ZodType<{ userName: string; password: string; displayName?: string }>, SignInResult>(
    { role: 'public', args: z.object({ userName, password: newPassword, displayName: displayName.optional() }).strict() },
  ),
  'auth:signIn': method<z.ZodType<{ userName: string; password: string }>, SignInResult>({ role: 'public', args: z.object({ userName, password }).strict() }),
  'auth:signOut': method<typeof empty, SignOutResult>({ role: 'clerk', args: empty }),
  'auth:users': method<typeof empty, UserAdminView[]>({ role: 'admin', args: empty }),
  'auth:createUser': method<z.ZodType<{ userName: string; password: string; role: Role; displayName?: string }>, UserView>(
    { role: 'admin', args: z.object({ userName, password: newPassword, role: z.enum(ROLES), displayName: displayName.optional() }).strict() },
  ),
  'auth:setRole': method<z.ZodType<{ userName: string; role: Role }>, UserView>({ role: 'admin', args: z.object({ userName, role: z.enum(ROLES) }).strict() }),
  /** Admin only: sets a new password, ends the user's sessions and clears their sign-in lock. Audited without the password. */
  'auth:resetPassword': method<z.ZodType<{ userName: string; password: string }>, UserAdminView>({ role: 'admin', args: z.object({ userName, password: newPassword }).strict() }),
} as const;
