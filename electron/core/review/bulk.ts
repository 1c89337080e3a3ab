import { EXCLUDE_REASON_LABELS, type BulkAction, type BulkResult } from '@shared/api/bulk-review';
import type { Role } from '@shared/api/define';
import { appendAudit } from '../audit/audit-log';
import { hasRole } from '../auth/permissions';
import { systemClock } from '../clock';
import { DecisionError, setExceptionReason, setOwner } from '../offline/decisions';
import type { WriteDb } from '../store/db';
import { clerkState, setClerkException, setMatchNote } from '../store/queries/match-review';

// One review action on many rows (the work queue's bulk actions). Each row is
// checked and changed on its own terms inside one transaction: a row that
// cannot take the action is skipped with the reason, the others change.

/** The most rows one bulk action takes: its undo snapshot is read with one IN (…) list per table. */
export const BULK_MAX_ROWS = 10_000;

export class BulkRefused extends Error {}

export type BulkActor = Readonly<{ userName: string; role: Role }>;

/** Why `actor` may not make this assignment of a row now owned by `currentOwner`; null when they may. */
export function assignmentRefusal(actor: BulkActor, currentOwner: string | null, newOwner: string | null): string | null {
  if (hasRole(actor.role, 'supervisor')) return null;
  if (newOwner !== null && newOwner !== actor.userName) return `A clerk takes rows for themselves; ask a supervisor to assign them to ${newOwner}.`;
  if (currentOwner !== null && currentOwner !== actor.userName) return `Owned by ${currentOwner}; ask them or a supervisor to release it.`;
  return null;
}

export function applyBulk(db: WriteDb, ids: readonly number[], action: BulkAction, actor: BulkActor, now = systemClock.iso()): BulkResult {
  if (ids.length > BULK_MAX_ROWS) {
    throw new BulkRefused(`The selection holds ${ids.length.toLocaleString('en-US')} rows; one bulk action takes at most ${BULK_MAX_ROWS.toLocaleString('en-US')}. Narrow the view (search or a column filter) and repeat.`);
  }
  const changed: number[] = [];
  const skipped: Array<{ transactionId: number; reason: string }> = [];
  db.transaction(() => {
    for (const id of ids) {
      const m = clerkState(db, id);
      if (!m) {
        skipped.push({ transactionId: id, reason: 'Not matched yet; sync first.' });
        continue;
      }
      try {
        const reason = applyOne(db, id, m, action, actor, now);
        if (reason) skipped.push({ transactionId: id, reason });
        else changed.push(id);
      } catch (e) {
        if (e instanceof DecisionError) skipped.push({ transactionId: id, reason: e.message });
        else throw e;
      }
    }
  })();
  return { changed, skipped };
}

/** Changes one row; returns why it was left alone (null when it changed). */
function applyOne(db: WriteDb, id: number, m: NonNullable<ReturnType<typeof clerkState>>, action: BulkAction, actor: BulkActor, now: string): string | null {
  switch (action.kind) {
    case 'assign': {
      if (m.owner === action.owner) return action.owner === null ? 'Has no owner.' : `Already owned by ${action.owner}.`;
      const refusal = assignmentRefusal(actor, m.owner, action.owner);
      if (refusal) return refusal;
      setOwner(db, id, action.owner, actor.userName, now);
      return null;
    }
    case 'exception':
      if (m.reviewState !== 'pending') return 'Already decided; an exception reason no longer applies.';
      if (m.clerkException === 'excluded' || action.reason === 'excluded') return 'Use Exclude / Include for payments that are not AR cash.';
      setExceptionReason(db, id, action.reason, action.note, actor.userName, now);
      return null;
    case 'exclude': {
      if (m.reviewState !== 'pending') return 'Already approved or posted: a posted receipt is taken back with a reversal, not excluded.';
      if (m.clerkException === 'excluded') return 'Already excluded.';
      setClerkException(db, id, 'excluded');
      if (action.note !== undefined && action.note !== '') setMatchNote(db, id, action.note);
      appendAudit(db, {
        actor: actor.userName,
        action: 'match.exclude',
        objectType: 'transaction',
        objectId: String(id),
        before: { reason: m.clerkException ?? m.exception },
        after: { excluded: action.reason, label: EXCLUDE_REASON_LABELS[action.reason], note: action.note ?? null },
        at: now,
      });
      return null;
    }
    case 'include':
      if (m.clerkException !== 'excluded') return 'Not excluded.';
      setClerkException(db, id, null);
      appendAudit(db, { actor: actor.userName, action: 'match.include', objectType: 'transaction', objectId: String(id), before: { reason: 'excluded' }, after: { reason: m.exception }, at: now });
      return null;
  }
}
