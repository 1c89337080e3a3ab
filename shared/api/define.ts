import { z } from 'zod';

// Building blocks for the per-domain contracts: a method is the minimum role
// that may call it, its argument schema (validated in the main process) and
// its result type. `role` is required, so a method without one does not
// compile; the engine's dispatcher enforces it (electron/core/auth/permissions.ts).

export const ROLES = ['clerk', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who may call a method: 'public' before sign-in, otherwise the lowest role that may. */
export type Requirement = 'public' | Role;

export type MethodDefinition<A extends z.ZodType, R> = Readonly<{ role: Requirement; args: A; result: R }>;

export function method<A extends z.ZodType, R>(definition: Readonly<{ role: Requirement; args: A }>): MethodDefinition<A, R> {
  return { role: definition.role, args: definition.args, result: undefined as unknown as R };
}

export const empty = z.object({}).strict();
export const txnId = z.number().int().positive();
