import type { GridRow, RowStatus } from './domain';

// What a clerk may do with a row depends on what kind of PayTrace row it is:
// only a sale is cash to apply. A refund, a void or a decline has no
// allocation to edit and nothing to write off or approve beyond tolerance.
// One decision for both sides: the renderer offers only these actions, and
// the engine refuses the others (electron/core/api/review-handlers.ts,
// electron/core/controls/).

export type RowKind = 'sale' | 'refund' | 'void' | 'decline' | 'other';

export const ROW_KIND_LABELS: Record<RowKind, string> = {
  sale: 'Sale',
  refund: 'Refund',
  void: 'Void',
  decline: 'Decline',
  other: 'Not a sale',
};

/** A grid row, or the store's type and exception code of a transaction. */
export type RowKindFacts = Readonly<{ type: string; exception: string | null }>;

export function rowKind(row: RowKindFacts): RowKind {
  const type = row.type.trim().toUpperCase();
  if (type === 'REFUND' || row.exception === 'refund') return 'refund';
  if (type === 'VOID' || row.exception === 'voided') return 'void';
  if (type === 'DECLINED' || row.exception === 'declined') return 'decline';
  if (row.exception === 'not_a_sale') return 'other';
  return 'sale';
}

export type RowActions = Readonly<{
  /** Approve the match as it stands (a row still undecided). */
  approve: boolean;
  /** Edit the allocation, pick a candidate. */
  editAllocation: boolean;
  /** "Approve beyond tolerance" and "Write off and approve" (a supervisor's control). */
  writeOff: boolean;
}>;

const UNDECIDED: ReadonlySet<RowStatus> = new Set(['auto', 'review', 'exception']);

export function actionsFor(row: RowKindFacts & Pick<GridRow, 'status'>): RowActions {
  const sale = rowKind(row) === 'sale';
  const undecided = UNDECIDED.has(row.status);
  return {
    approve: sale && undecided && row.status !== 'exception',
    editAllocation: sale && undecided,
    writeOff: sale && undecided,
  };
}

/** Why an action is refused on a row of this kind (the engine's message). */
export function notForKind(row: RowKindFacts, action: string): string {
  const kind = ROW_KIND_LABELS[rowKind(row)].toLowerCase();
  return `A ${kind} is not a payment to apply: ${action} is only for sales.`;
}
