import { z } from 'zod';

// Building blocks for the per-domain contracts: a method is its argument
// schema (validated in the main process) and its result type.

export function method<A extends z.ZodType, R>(args: A) {
  return { args, result: undefined as unknown as R };
}

export const empty = z.object({}).strict();
export const txnId = z.number().int().positive();
