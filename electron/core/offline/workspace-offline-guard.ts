import type { MethodName } from '@shared/api-contract';
import type { Dispatch } from '../api/dispatch';

// What the copy cannot carry back to the workspace is refused while the
// engine works from it, with the reason, rather than done on the copy and
// lost when the copy is next rebuilt: the replay carries notes, owners,
// exception reasons, allocations and approvals (workspace-replay.ts). Reads,
// signing in and out, and the workstation's own keychain stay available.

export const REFUSED_OFFLINE: ReadonlySet<MethodName> = new Set<MethodName>([
  'admin:approveChange',
  'admin:rejectChange',
  'auth:createUser',
  'auth:resetPassword',
  'auth:setRole',
  'auth:setup',
  'auth:changePassword',
  'auth:setSignInPolicy',
  'auth:totpBegin',
  'auth:totpConfirm',
  'auth:totpDisable',
  'auth:totpReset',
  'conflicts:resolve',
  'controls:approve',
  'controls:reject',
  'controls:requestOverride',
  'controls:requestWriteOff',
  'controls:reverse',
  'controls:runReversal',
  'controls:setPolicy',
  'erp:mappingSave',
  'handoff:open',
  'handoff:decide',
  'handoff:importDecisions',
  'matching:setRules',
  'posting:discard',
  'posting:markPosted',
  'posting:retry',
  'refunds:approve',
  'refunds:execute',
  'refunds:link',
  'refunds:recordCreditMemo',
  'refunds:reject',
  'refunds:request',
  'refunds:resolveConflict',
  'refunds:setPolicy',
  'settings:save',
]);

export function guardOfflineDispatch(dispatch: Dispatch, workspaceName: string): Dispatch {
  return async (name, args, context) => {
    if (REFUSED_OFFLINE.has(name as MethodName)) {
      return {
        ok: false,
        error: {
          code: 'offline',
          message: `Not while the workspace "${workspaceName}" cannot be reached: this workstation's copy carries back notes, owners, exception reasons, allocations and approvals only. Do this when the workspace is back.`,
        },
      };
    }
    return dispatch(name, args, context);
  };
}
