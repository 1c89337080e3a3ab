import { apiContract, type MethodName } from '@shared/api-contract';
import type { Requirement, Role } from '@shared/api/define';

// Who may call what. Each method declares its minimum role in the contract
// (shared/api/*.ts); the dispatcher's authorize hook enforces it for every
// Electron and web call; the UI only mirrors it.

export type { Requirement };

export const ROLE_RANK: Record<Role, number> = { clerk: 1, supervisor: 2, admin: 3 };

export function requirementFor(method: MethodName): Requirement {
  return apiContract[method].role;
}

export function hasRole(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

export const ROLE_LABELS: Record<Role, string> = { clerk: 'clerk', supervisor: 'supervisor', admin: 'admin' };
