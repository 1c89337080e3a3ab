import { ApiFailure } from '@shared/api-contract';
import { cents } from '@shared/money';
import { appendAudit } from '../audit/audit-log';
import type { ApprovalLimits } from '../refunds/rules';
import type { WriteDb } from '../store/db';

// An admin's change to a policy with four-eyes limits (refunds, supervisor
// controls): the reason codes and the two limits every such policy carries,
// the order the limits must keep, and the audited save. Each policy adds its
// own fields.

export type LimitsPolicy = ApprovalLimits & Readonly<{ reasonCodes: readonly string[] }>;

export type LimitsPatch = Readonly<{ reasonCodes?: readonly string[] | undefined; secondApproverAboveCents?: number | undefined; adminAboveCents?: number | undefined }>;

/** The shared part of the changed policy; refused when the admin limit would fall below the second-supervisor limit. */
export function changedLimits(current: LimitsPolicy, patch: LimitsPatch): LimitsPolicy {
  const next = {
    reasonCodes: patch.reasonCodes ?? current.reasonCodes,
    secondApproverAboveCents: cents(patch.secondApproverAboveCents ?? current.secondApproverAboveCents),
    adminAboveCents: cents(patch.adminAboveCents ?? current.adminAboveCents),
  };
  if (next.adminAboveCents < next.secondApproverAboveCents) throw new ApiFailure('invalid_args', 'The admin limit cannot be below the second-supervisor limit.');
  return next;
}

/** Saves the changed policy and audits it (action `<name>.policy`) with before and after. */
export function saveAuditedPolicy<P extends LimitsPolicy>(
  db: WriteDb,
  name: 'controls' | 'refunds',
  change: Readonly<{ before: P; after: P; by: string; save: (db: WriteDb, policy: P, by: string) => void }>,
): P {
  change.save(db, change.after, change.by);
  appendAudit(db, { actor: change.by, action: `${name}.policy`, objectType: 'settings', objectId: name, before: change.before, after: change.after });
  return change.after;
}
