import { ApiFailure } from '@shared/api-contract';
import type { PolicyLoosening } from '@shared/api/admin';
import { cents, formatMoney } from '@shared/money';
import { appendAudit } from '../audit/audit-log';
import type { ApprovalLimits } from '../refunds/rules';
import type { WriteDb } from '../store/db';
import { proposeChange } from './propose-change';

// An admin's change to a policy with four-eyes limits (refunds, supervisor
// controls): the reason codes and the two limits every such policy carries,
// the order the limits must keep, and the audited save. Each policy adds its
// own fields.
//
// Four-eyes on the change itself: the part that tightens the controls (a limit
// lowered, a reason code removed) applies at once; the part that loosens them
// (a limit raised, a reason code added) waits in pending_changes until another
// admin approves it (electron/core/approval/pending-changes.ts). So one admin
// alone cannot switch four-eyes off by raising the limits.

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

export type PolicyName = 'controls' | 'refunds';

/** The limits a policy carries, with the words a summary uses for each. */
export const LIMIT_LABELS: Readonly<Record<string, string>> = {
  approvalAboveCents: "clerk's limit",
  toleranceCents: 'tolerance',
  secondApproverAboveCents: 'second-supervisor limit',
  adminAboveCents: 'admin limit',
};

const POLICY_TITLES: Record<PolicyName, string> = { refunds: 'Refunds', controls: 'Write-offs and overrides' };

/**
 * Splits a change into what applies now and what loosens. Now: every limit at
 * the lower of before and after, the reason codes without the removed ones.
 * Loosening: the limits raised and the codes added (null when there are none).
 */
export function splitPolicyChange<P extends LimitsPolicy>(before: P, after: P): { now: P; loosening: PolicyLoosening | null } {
  const limits: Record<string, number> = {};
  const now: Record<string, unknown> = { ...after };
  for (const field of Object.keys(LIMIT_LABELS)) {
    const was = (before as Record<string, unknown>)[field];
    const will = (after as Record<string, unknown>)[field];
    if (typeof was !== 'number' || typeof will !== 'number') continue;
    if (will > was) limits[field] = will;
    now[field] = Math.min(was, will);
  }
  const addReasonCodes = after.reasonCodes.filter((c) => !before.reasonCodes.includes(c));
  const kept = after.reasonCodes.filter((c) => before.reasonCodes.includes(c));
  if (kept.length === 0) throw new ApiFailure('invalid_args', 'Keep at least one of the current reason codes: new codes wait for a second admin, and until then requests need a code.');
  now.reasonCodes = kept;
  const loosening = Object.keys(limits).length > 0 || addReasonCodes.length > 0 ? { limits, addReasonCodes } : null;
  return { now: now as P, loosening };
}

/** "Refunds: second-supervisor limit $500.00 → $1,000.00; reason codes added: Goodwill". */
export function describeLoosening(name: PolicyName, before: LimitsPolicy, l: PolicyLoosening): string {
  const parts = Object.entries(l.limits).map(([field, to]) => `${LIMIT_LABELS[field] ?? field} ${formatMoney(Number((before as Record<string, unknown>)[field] ?? 0))} → ${formatMoney(to)}`);
  if (l.addReasonCodes.length > 0) parts.push(`reason codes added: ${l.addReasonCodes.join(', ')}`);
  return `${POLICY_TITLES[name]}: ${parts.join('; ')}`;
}

/** The policy with an approved loosening applied on top of what stands now. */
export function withLoosening<P extends LimitsPolicy>(current: P, l: PolicyLoosening): P {
  const reasonCodes = [...current.reasonCodes, ...l.addReasonCodes.filter((c) => !current.reasonCodes.includes(c))];
  const limits = Object.fromEntries(Object.entries(l.limits).map(([k, v]) => [k, cents(v)]));
  const next = { ...current, ...limits, reasonCodes } as P;
  if (next.adminAboveCents < next.secondApproverAboveCents) throw new ApiFailure('conflict', 'With this change the admin limit would be below the second-supervisor limit; reject it and ask again.');
  return next;
}

/** Saves the changed policy and audits it (action `<name>.policy`) with before and after. */
export function saveAuditedPolicy<P extends LimitsPolicy>(
  db: WriteDb,
  name: PolicyName,
  change: Readonly<{ before: P; after: P; by: string; at?: string; save: (db: WriteDb, policy: P, by: string) => void }>,
): P {
  change.save(db, change.after, change.by);
  appendAudit(db, { actor: change.by, action: `${name}.policy`, objectType: 'settings', objectId: name, before: change.before, after: change.after, ...(change.at ? { at: change.at } : {}) });
  return change.after;
}

function samePolicy(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].every((k) => JSON.stringify(x[k]) === JSON.stringify(y[k]));
}

/**
 * An admin's change: the tightening part saved and audited now, the loosening
 * part proposed for a second admin. Returns the policy as it now stands.
 */
export function changePolicy<P extends LimitsPolicy>(
  db: WriteDb,
  name: PolicyName,
  change: Readonly<{ before: P; after: P; by: string; at: string; save: (db: WriteDb, policy: P, by: string) => void }>,
): P {
  return db.transaction(() => {
    const { now, loosening } = splitPolicyChange(change.before, change.after);
    const stands = samePolicy(now, change.before) ? change.before : saveAuditedPolicy(db, name, { ...change, after: now });
    if (loosening) {
      proposeChange(db, { kind: `${name}.policy`, target: name, summary: describeLoosening(name, change.before, loosening), change: loosening, requestedBy: change.by, at: change.at });
    }
    return stands;
  })();
}
