import type { SignInPolicy } from '@shared/api/auth';
import type { MethodName } from '@shared/api-contract';
import type { ReadDb } from '../store/db';
import { readSignInPolicy } from '../store/queries/sign-in-policy';

// The admin's sign-in rules (table sign_in_policy). Off by default: the demo
// and a fresh install sign in with a password alone. The lock numbers are not
// here: PCI DSS sets them as floors (throttle.ts DEFAULT_THROTTLE).

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = { requireTwoStepForApprovers: false };

export function loadSignInPolicy(db: ReadDb): SignInPolicy {
  return readSignInPolicy(db) ?? DEFAULT_SIGN_IN_POLICY;
}

/** What a user who must set up two-step sign-in may still call: enrolment and leaving. */
export const TWO_STEP_SETUP_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['auth:status', 'auth:signOut', 'auth:totpStatus', 'auth:totpBegin', 'auth:totpConfirm']);
