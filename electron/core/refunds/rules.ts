import type { Role } from '@shared/api/auth';
import type { RefundPolicy, RefundState } from '@shared/api/refunds';
import { formatMoney, type Cents, type CurrencyCode } from '@shared/money';
import { hasRole } from '../auth/permissions';

// The four-eyes rules, as pure functions so they can be tested on their own:
// - a refund is approved by a supervisor (or admin) who is not the requester;
// - a supervisor may approve their own request only up to secondApproverAboveCents
//   (above it, a second supervisor must approve);
// - above adminAboveCents the approver must be an admin who is not the requester.

// The same rules serve the other supervisor controls (write-offs, overrides:
// electron/core/controls/): they pass their own limits and the noun to say.

export type ApprovalNeed = Readonly<{ needsAdmin: boolean; requesterMaySelfApprove: boolean; description: string }>;

/** The two limits the four-eyes rules read; RefundPolicy and ControlPolicy both carry them. */
export type ApprovalLimits = Pick<RefundPolicy, 'secondApproverAboveCents' | 'adminAboveCents'>;

export function approvalNeed(amountCents: Cents, currency: CurrencyCode, requesterRole: Role, policy: ApprovalLimits): ApprovalNeed {
  const needsAdmin = amountCents > policy.adminAboveCents;
  const requesterMaySelfApprove = !needsAdmin && amountCents <= policy.secondApproverAboveCents && hasRole(requesterRole, 'supervisor');
  let description: string;
  if (needsAdmin) description = `An admin other than the requester (above ${formatMoney(policy.adminAboveCents, currency)})`;
  else if (requesterMaySelfApprove) description = 'A supervisor (the requesting supervisor may confirm it with their password)';
  else if (hasRole(requesterRole, 'supervisor')) description = `A second supervisor (above ${formatMoney(policy.secondApproverAboveCents, currency)})`;
  else description = 'A supervisor other than the requester';
  return { needsAdmin, requesterMaySelfApprove, description };
}

export type ApprovalCase = Readonly<{
  state: RefundState | string;
  amountCents: Cents;
  currency: CurrencyCode;
  requestedBy: string;
  requesterRole: Role;
  approvers: readonly string[];
}>;

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** Why this user may not approve this refund (or other control, named by `noun`), or null when they may. */
export function approvalRefusal(
  approver: Readonly<{ userName: string; role: Role }>,
  c: ApprovalCase,
  policy: ApprovalLimits,
  noun: Readonly<{ one: string; many: string }> = { one: 'refund', many: 'Refunds' },
): string | null {
  if (c.state !== 'requested') return `This ${noun.one} is ${c.state}; only requested ${noun.many.toLowerCase()} can be approved.`;
  if (!hasRole(approver.role, 'supervisor')) return `${noun.many} are approved by a supervisor or admin.`;
  if (c.approvers.some((a) => same(a, approver.userName))) return `You have already approved this ${noun.one}.`;
  const need = approvalNeed(c.amountCents, c.currency, c.requesterRole, policy);
  if (need.needsAdmin && approver.role !== 'admin') return `${noun.many} above ${formatMoney(policy.adminAboveCents, c.currency)} need an admin's approval.`;
  if (same(approver.userName, c.requestedBy) && !need.requesterMaySelfApprove) {
    return need.needsAdmin || !hasRole(c.requesterRole, 'supervisor')
      ? `You requested this ${noun.one}: another person must approve it (four-eyes).`
      : `You requested this ${noun.one} and it is above ${formatMoney(policy.secondApproverAboveCents, c.currency)}: a second supervisor must approve it (four-eyes).`;
  }
  return null;
}
