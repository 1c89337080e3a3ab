import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiContract, METHOD_NAMES } from '@shared/api-contract';
import { empty, method, type Requirement } from '@shared/api/define';
import { requirementFor } from '../../electron/core/auth/permissions';

// Each method's minimum role lives in the contract now. This list was generated
// from the separate method→role table (electron/core/auth/permissions.ts,
// METHOD_REQUIREMENTS with its clerk default) before it was deleted, so moving
// the roles changed no permission.
const ROLES_BEFORE_THE_MOVE: Record<string, Requirement> = {
  // Added since (issue 12): a second admin approves changes that loosen the controls.
  'admin:approveChange': 'admin',
  'admin:pendingChanges': 'admin',
  'admin:rejectChange': 'admin',
  'app:info': 'public',
  'auth:createUser': 'admin',
  'auth:resetPassword': 'admin',
  'auth:setRole': 'admin',
  'auth:setup': 'public',
  'auth:signIn': 'public',
  'auth:signOut': 'clerk',
  'auth:status': 'public',
  // Issue 12 (two-step sign-in): enrolment is for supervisors and admins; an admin resets a lost one.
  'auth:changePassword': 'clerk',
  'auth:setSignInPolicy': 'admin',
  'auth:signInPolicy': 'admin',
  'auth:totpBegin': 'supervisor',
  'auth:totpConfirm': 'supervisor',
  'auth:totpDisable': 'supervisor',
  'auth:totpReset': 'admin',
  'auth:totpStatus': 'clerk',
  'auth:users': 'admin',
  'diagnostics:save': 'admin',
  // Issue 14: team workspace set-up (Settings → Workspace).
  'workspace:status': 'admin',
  'workspace:create': 'admin',
  'workspace:joinCode': 'admin',
  'workspace:join': 'admin',
  'workspace:leave': 'admin',
  'conflicts:list': 'clerk',
  'conflicts:resolve': 'clerk',
  'connection:test': 'clerk',
  'controls:approve': 'supervisor',
  'controls:list': 'clerk',
  'controls:policy': 'clerk',
  'controls:preview': 'clerk',
  'controls:reject': 'supervisor',
  'controls:requestOverride': 'clerk',
  'controls:requestWriteOff': 'clerk',
  'controls:reverse': 'supervisor',
  'controls:runReversal': 'supervisor',
  'controls:setPolicy': 'admin',
  'credentials:clear': 'admin',
  'credentials:set': 'admin',
  'erp:kinds': 'clerk',
  'erp:mapping': 'clerk',
  'erp:mappingPreview': 'clerk',
  'erp:mappingSave': 'admin',
  'erp:discover': 'admin',
  'grid:counts': 'clerk',
  'grid:detail': 'clerk',
  'grid:rows': 'clerk',
  'handoff:decide': 'clerk',
  'handoff:export': 'clerk',
  'handoff:exportDecisions': 'clerk',
  'handoff:importDecisions': 'clerk',
  'handoff:open': 'clerk',
  'matches:allocate': 'clerk',
  'matches:approve': 'clerk',
  'matches:assign': 'clerk',
  'matches:note': 'clerk',
  'matches:pickCandidate': 'clerk',
  'matches:setException': 'clerk',
  'matches:undo': 'clerk',
  'matches:undoAvailable': 'clerk',
  'matching:rules': 'clerk',
  'matching:setRules': 'admin',
  'posting:discard': 'clerk',
  'posting:failed': 'clerk',
  'posting:markPosted': 'clerk',
  'posting:retry': 'clerk',
  'posting:status': 'clerk',
  'refunds:approve': 'supervisor',
  'refunds:execute': 'supervisor',
  'refunds:link': 'clerk',
  'refunds:list': 'clerk',
  'refunds:policy': 'clerk',
  'refunds:recordCreditMemo': 'clerk',
  'refunds:refundable': 'clerk',
  'refunds:reject': 'supervisor',
  'refunds:request': 'clerk',
  'refunds:resolveConflict': 'supervisor',
  'refunds:setPolicy': 'admin',
  'settings:get': 'clerk',
  'settings:save': 'admin',
  'sync:now': 'clerk',
  'sync:status': 'clerk',
  'workspace:offlineState': 'clerk',
  'workspace:resolveOfflineConflict': 'clerk',
  'team:claim': 'clerk',
  'team:presence': 'clerk',
  'grid:window': 'clerk',
  'grid:viewCounts': 'clerk',
  'grid:selectionSummary': 'clerk',
  'export:grid': 'clerk',
  'export:list': 'clerk',
  'export:claim': 'clerk',
  'report:cashReceiptsJournal': 'clerk',
  'views:list': 'clerk',
  'views:save': 'clerk',
  'views:rename': 'clerk',
  'views:delete': 'clerk',
  'views:setDefault': 'clerk',
  'matches:bulk': 'clerk',
  'matches:assignees': 'clerk',
  'approval:preview': 'clerk',
  'approval:postNow': 'clerk',
  'matches:approveSelection': 'clerk',
  'team:release': 'clerk',
  // Issue 15: the approvals inbox; a clerk sees only their own requests (electron/core/approval/inbox.ts).
  'inbox:counts': 'clerk',
  'inbox:list': 'clerk',
};

describe('contract roles', () => {
  it('gives every method the role the old permission table gave it', () => {
    const now = Object.fromEntries([...METHOD_NAMES].sort().map((m) => [m, apiContract[m].role]));
    expect(now).toEqual(ROLES_BEFORE_THE_MOVE);
    for (const m of METHOD_NAMES) expect(requirementFor(m)).toBe(ROLES_BEFORE_THE_MOVE[m]);
  });

  it('does not compile a method without a role', () => {
    // @ts-expect-error: `role` is required in every method definition.
    const withoutRole = method<typeof empty, null>({ args: empty });
    // @ts-expect-error: only the known requirements are roles.
    const unknownRole = method<typeof empty, null>({ role: 'owner', args: z.object({}) });
    expect([withoutRole, unknownRole]).toHaveLength(2);
  });
});
