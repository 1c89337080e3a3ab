import { z } from 'zod';
import { EXCEPTION_CODES } from '../domain';
import { rowSelectionSchema, type RowSelection } from '../grid-view';
import { freeText } from './free-text';
import { empty, method } from './define';

// Bulk review actions on a selection (ticked rows, or every row of a view but
// some), resolved by the engine with selectionIds so 100,000 ids never cross
// to the renderer. Each is one step of the user's undo history (Ctrl+Z).
//
// Assignment: supervisors and admins assign rows to anyone (or clear the
// owner); a clerk takes rows for themselves or releases rows they own — a
// clerk's assignment naming someone else, or releasing another's row, is refused.
//
// Exclude: the payment is not AR cash (a personal or test payment). It is the
// clerk exception code `excluded` with a reason: the approval refuses it (never
// posted), it can be undone (Ctrl+Z, or "Include again" which clears the code),
// and it is audited like every exception reason.

export const EXCLUDE_REASONS = ['personal', 'test', 'duplicate', 'not_ar', 'other'] as const;
export type ExcludeReason = (typeof EXCLUDE_REASONS)[number];
export const EXCLUDE_REASON_LABELS: Record<ExcludeReason, string> = {
  personal: 'Personal payment',
  test: 'Test payment',
  duplicate: 'Duplicate charge',
  not_ar: 'Not accounts-receivable cash',
  other: 'Other',
};

const owner = freeText({ min: 1, max: 128 });
const note = freeText({ max: 2000 });

export const bulkActionSchema = z.discriminatedUnion('kind', [
  /** owner null: release (clear the owner). */
  z.object({ kind: z.literal('assign'), owner: owner.nullable() }).strict(),
  /** reason null: back to the matcher's own exception (if any). */
  z.object({ kind: z.literal('exception'), reason: z.enum(EXCEPTION_CODES).nullable(), note: note.optional() }).strict(),
  z.object({ kind: z.literal('exclude'), reason: z.enum(EXCLUDE_REASONS), note: note.optional() }).strict(),
  /** Undoes an exclusion: the row is AR cash after all. */
  z.object({ kind: z.literal('include') }).strict(),
]);
export type BulkAction = z.infer<typeof bulkActionSchema>;
/** Every bulk action's kind (its audit code is `match.bulk_<kind>`). */
export const BULK_ACTION_KINDS = ['assign', 'exception', 'exclude', 'include'] as const satisfies readonly BulkAction['kind'][];

export type BulkResult = Readonly<{
  /** Rows the action changed. */
  changed: readonly number[];
  skipped: ReadonlyArray<Readonly<{ transactionId: number; reason: string }>>;
}>;

const bulkArgs = z.object({ selection: rowSelectionSchema, action: bulkActionSchema }).strict();

export type Assignee = Readonly<{ userName: string; displayName: string }>;

export const bulkReviewMethods = {
  /** One action on every row of a selection; one undo step. */
  'matches:bulk': method<z.ZodType<{ selection: RowSelection; action: BulkAction }>, BulkResult>({ role: 'clerk', args: bulkArgs }),
  /** Who rows can be assigned to (the signed-in users' names, no roles or sign-in facts). */
  'matches:assignees': method<typeof empty, Assignee[]>({ role: 'clerk', args: empty }),
} as const;
