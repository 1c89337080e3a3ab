import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { PendingChangeView } from '@shared/api/admin';
import type { Role } from '@shared/api/auth';
import { appendAudit } from '../audit/audit-log';
import type { AuthService } from '../auth/auth-service';
import { systemClock, type Clock } from '../clock';
import { loadControlPolicy, saveControlPolicy } from '../controls/policy';
import { loadRefundPolicy, saveRefundPolicy } from '../refunds/policy';
import type { Db } from '../store/db';
import { changeOf, decidePendingChange, getPendingChange, listPendingChanges, pendingChangeView, type PendingChangeRow } from '../store/queries/pending-changes';
import { confirmedDecision } from './four-eyes';
import { saveAuditedPolicy, withLoosening } from './policy-change';

// Changes that loosen the controls (limits raised, reason codes added, users
// promoted, required two-step sign-in switched off) wait for a second admin: proposed by one admin, approved by
// another with their password re-entered (the four-eyes step refunds use),
// and applied then, on top of whatever stands at that moment.

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** Why this user may not approve this change, or null when they may. */
export function changeApprovalRefusal(user: Readonly<{ userName: string; role: Role }>, row: PendingChangeRow): string | null {
  if (row.state !== 'pending') return `This change is already ${row.state}.`;
  if (user.role !== 'admin') return 'Changes to limits, reason codes and roles are approved by an admin.';
  if (same(user.userName, row.requested_by)) return 'You asked for this change: another admin must approve it (four-eyes).';
  return null;
}

export type PendingChangeServiceOptions = Readonly<{
  db: Db;
  auth: AuthService;
  clock?: Clock;
}>;

export type PendingChangeService = ReturnType<typeof createPendingChangeService>;

export function createPendingChangeService(o: PendingChangeServiceOptions) {
  const { db } = o;
  const clock = o.clock ?? systemClock;
  const mustGet = (id: number): PendingChangeRow => {
    const row = getPendingChange(db, id);
    if (!row) throw new ApiFailure('not_found', `Change ${id} does not exist.`);
    return row;
  };

  /** Applies an approved change (inside the approval's transaction). */
  const apply = (row: PendingChangeRow, by: string, at: string): void => {
    const change = changeOf(row);
    if ('requireTwoStepForApprovers' in change) {
      o.auth.applySignInPolicy(change, by, at);
      return;
    }
    if ('role' in change) {
      o.auth.applyRole({ userName: row.target, role: change.role }, by, at);
      return;
    }
    if (row.kind === 'refunds.policy') {
      const before = loadRefundPolicy(db);
      saveAuditedPolicy(db, 'refunds', { before, after: withLoosening(before, change), by, at, save: saveRefundPolicy });
    } else {
      const before = loadControlPolicy(db);
      saveAuditedPolicy(db, 'controls', { before, after: withLoosening(before, change), by, at, save: saveControlPolicy });
    }
  };

  return {
    list: (): PendingChangeView[] => listPendingChanges(db).map(pendingChangeView),

    async approve(args: { changeId: number; password: string; code?: string | undefined }, ctx: CallContext): Promise<PendingChangeView> {
      await confirmedDecision({
        db,
        auth: o.auth,
        ctx,
        password: args.password,
        code: args.code,
        before: mustGet(args.changeId),
        load: mustGet,
        refusal: (user, row) => changeApprovalRefusal(user, row),
        now: () => clock.iso(),
        record: (row, by, at) => {
          apply(row, by.userName, at);
          decidePendingChange(db, row.id, 'approved', by.userName, at);
          appendAudit(db, {
            actor: by.userName,
            action: 'change.approved',
            objectType: 'pending_change',
            objectId: String(row.id),
            after: { kind: row.kind, target: row.target, summary: row.summary, requestedBy: row.requested_by, passwordConfirmed: true },
            at,
          });
        },
      });
      return pendingChangeView(mustGet(args.changeId));
    },

    /** Any admin may reject, the requester too (withdrawing it). */
    reject(args: { changeId: number; reason: string }, ctx: CallContext): PendingChangeView {
      const user = o.auth.requireUser(ctx);
      if (user.role !== 'admin') throw new ApiFailure('forbidden', 'Changes to limits, reason codes and roles are decided by an admin.');
      const at = clock.iso();
      db.transaction(() => {
        const row = mustGet(args.changeId);
        if (row.state !== 'pending') throw new ApiFailure('conflict', `This change is already ${row.state}.`);
        decidePendingChange(db, row.id, 'rejected', user.userName, at, args.reason);
        appendAudit(db, { actor: user.userName, action: 'change.rejected', objectType: 'pending_change', objectId: String(row.id), after: { summary: row.summary, requestedBy: row.requested_by, reason: args.reason }, at });
      })();
      return pendingChangeView(mustGet(args.changeId));
    },
  };
}
