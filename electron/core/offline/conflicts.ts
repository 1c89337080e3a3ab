import { cents } from '@shared/money';
import type { Allocation } from '@shared/domain';
import { CONFLICT_ACTIONS, type ConflictAction, type ConflictView } from '@shared/api/offline';
import { appendAudit } from '../audit/audit-log';
import { systemClock, type Clock } from '../clock';
import type { ReceiptRequest } from '../erp/connector';
import type { ReadDb, WriteDb } from '../store/db';
import { clearDecidedAllocations, insertDecidedAllocations, markApproved, returnToReview, setReviewPending } from '../store/queries/match-review';
import { markConflictResolved, openConflictId, openConflicts } from '../store/queries/posting-conflicts';
import { conflictedReceipt, discardReceipt, requeueReceipt } from '../store/queries/posting-state';
import { allocate, DecisionError, unpinAllocation } from './decisions';
import { takeDecisionSnapshots } from './snapshot';

// The clerk's way out of a conflict: re-match (back to review with fresh
// candidates), re-allocate (a new allocation, re-validated before it is sent)
// or discard (drop the queued posting; the payment returns to review).

export function listConflicts(db: ReadDb): ConflictView[] {
  return openConflicts(db).map((c) => ({ ...c, choices: CONFLICT_ACTIONS }));
}

export type ResolveRequest = Readonly<{ transactionId: number; action: ConflictAction; customerId?: string; allocations?: readonly Allocation[] }>;

/** Resolves an open conflict; `rematch` is the matcher run over undecided rows (SyncService.rematch). */
export function resolveConflict(db: WriteDb, request: ResolveRequest, actor: string, rematch: () => void, now?: string, clock: Clock = systemClock): void {
  const { transactionId, action } = request;
  const at = now ?? clock.iso();
  db.transaction(() => {
    const held = conflictedReceipt(db, transactionId);
    const openId = openConflictId(db, transactionId);
    if (!held || openId === null) throw new DecisionError('not_found', `Transaction ${transactionId} has no open conflict.`);
    const { receipt } = held;

    if (action === 'reallocate') {
      const customerId = request.customerId ?? receipt.customerId;
      const allocations = (request.allocations ?? []).map((a) => ({ invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents) }));
      // Back to pending for a moment so the new allocation is checked and pinned like any clerk allocation.
      clearDecidedAllocations(db, transactionId);
      setReviewPending(db, transactionId);
      allocate(db, transactionId, customerId, allocations, actor, at);
      const allocated = allocations.reduce((s, a) => s + a.amountCents, 0);
      const next: ReceiptRequest = { ...receipt, customerId, allocations, unappliedCents: cents(receipt.amountCents - allocated) };
      insertDecidedAllocations(db, transactionId, allocations);
      markApproved(db, transactionId, actor, at);
      // attempts stays 0: the re-allocated posting is re-validated again before it is sent.
      requeueReceipt(db, held.outboxId, next, at);
      takeDecisionSnapshots(db, [transactionId], at);
    } else {
      discardReceipt(db, held.outboxId, at);
      clearDecidedAllocations(db, transactionId);
      returnToReview(db, transactionId);
      unpinAllocation(db, transactionId);
    }
    markConflictResolved(db, openId, action, actor, at);
    appendAudit(db, {
      actor,
      action: `conflict.${action}`,
      objectType: 'transaction',
      objectId: String(transactionId),
      before: { customerId: receipt.customerId, allocations: receipt.allocations },
      after: action === 'reallocate' ? { customerId: request.customerId ?? receipt.customerId, allocations: request.allocations } : null,
      at,
    });
  })();
  // Outside the transaction: the matcher reads the ledger as the conflict left it.
  if (action === 'rematch') rematch();
}
