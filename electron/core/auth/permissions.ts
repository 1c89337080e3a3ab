import type { MethodName } from '@shared/api-contract';
import type { Role } from '@shared/api/auth';

// Who may call what. Enforced by the dispatcher's authorize hook for every
// Electron and web call; the UI only mirrors it. A method missing from the
// map needs DEFAULT_REQUIREMENT (clerk): the reconciliation slice is clerk work.

export type Requirement = 'public' | Role;

export const ROLE_RANK: Record<Role, number> = { clerk: 1, supervisor: 2, admin: 3 };

export const DEFAULT_REQUIREMENT: Requirement = 'clerk';

export const METHOD_REQUIREMENTS: Partial<Record<MethodName, Requirement>> = {
  // Before sign-in.
  'app:info': 'public',
  'auth:status': 'public',
  'auth:signIn': 'public',
  'auth:setup': 'public',
  'auth:signOut': 'clerk',
  // The reconciliation slice.
  'grid:rows': 'clerk',
  'grid:counts': 'clerk',
  'grid:detail': 'clerk',
  'matches:approve': 'clerk',
  'sync:now': 'clerk',
  'sync:status': 'clerk',
  'posting:status': 'clerk',
  'posting:failed': 'clerk',
  'posting:retry': 'clerk',
  'posting:markPosted': 'clerk',
  'posting:discard': 'clerk',
  'settings:get': 'clerk',
  'connection:test': 'clerk',
  'matches:note': 'clerk',
  'matches:assign': 'clerk',
  'matches:setException': 'clerk',
  'matches:allocate': 'clerk',
  'matches:pickCandidate': 'clerk',
  'matches:undo': 'clerk',
  'matches:undoAvailable': 'clerk',
  'conflicts:list': 'clerk',
  'conflicts:resolve': 'clerk',
  'handoff:export': 'clerk',
  'handoff:open': 'clerk',
  'handoff:decide': 'clerk',
  'handoff:exportDecisions': 'clerk',
  'handoff:importDecisions': 'clerk',
  'erp:kinds': 'clerk',
  'erp:mapping': 'clerk',
  'erp:mappingPreview': 'clerk',
  // Configuration and secrets.
  'settings:save': 'admin',
  'credentials:set': 'admin',
  'credentials:clear': 'admin',
  'erp:mappingSave': 'admin',
  'auth:users': 'admin',
  'auth:createUser': 'admin',
  'auth:setRole': 'admin',
  'auth:resetPassword': 'admin',
  // Refunds: anyone may ask, supervisors decide.
  'refunds:list': 'clerk',
  'refunds:refundable': 'clerk',
  'refunds:request': 'clerk',
  'refunds:policy': 'clerk',
  // The money already went back in PayTrace: recording its ERP credit memo is clerk work (audited).
  'refunds:recordCreditMemo': 'clerk',
  'refunds:link': 'clerk',
  'refunds:approve': 'supervisor',
  'refunds:reject': 'supervisor',
  'refunds:execute': 'supervisor',
  'refunds:resolveConflict': 'supervisor',
  'refunds:setPolicy': 'admin',
  // Other supervisor controls (docs/users-and-refunds.md): clerks ask, supervisors decide and reverse.
  'controls:list': 'clerk',
  'controls:preview': 'clerk',
  'controls:requestWriteOff': 'clerk',
  'controls:requestOverride': 'clerk',
  'controls:policy': 'clerk',
  'controls:approve': 'supervisor',
  'controls:reject': 'supervisor',
  'controls:reverse': 'supervisor',
  'controls:runReversal': 'supervisor',
  'controls:setPolicy': 'admin',
  // Matching rules decide what posts to the ERP without review, like the other
  // policies (limits, payment mapping) they are admin configuration; anyone may read them.
  'matching:rules': 'clerk',
  'matching:setRules': 'admin',
};

export function requirementFor(method: MethodName): Requirement {
  return METHOD_REQUIREMENTS[method] ?? DEFAULT_REQUIREMENT;
}

export function hasRole(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

export const ROLE_LABELS: Record<Role, string> = { clerk: 'clerk', supervisor: 'supervisor', admin: 'admin' };
