import { z } from 'zod';
import { empty, method, txnId } from './define';

// The clerk's review workflow beyond approving: take another of the ranked
// candidates, and undo the last reviewing action.

export type UndoResult = Readonly<{ undone: string | null; transactionIds: readonly number[] }>;

export const reviewMethods = {
  'matches:pickCandidate': method<z.ZodType<{ transactionId: number; candidateIndex: number }>, { ok: true }>(
    { role: 'clerk', args: z.object({ transactionId: txnId, candidateIndex: z.number().int().min(0).max(50) }).strict() },
  ),
  /** Undoes this user's last reviewing action (pick, allocate, exception, note, owner, approve before posting starts). */
  'matches:undo': method<typeof empty, UndoResult>({ role: 'clerk', args: empty }),
  'matches:undoAvailable': method<typeof empty, { label: string | null }>({ role: 'clerk', args: empty }),
} as const;
