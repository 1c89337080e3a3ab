import type { Role } from '@shared/api/auth';
import type { RefundPolicy, RefundState } from '@shared/api/refunds';
import { formatMoney, type Cents, type CurrencyCode } from '@shared/money';
import { hasRole } from '../auth/permissions';

// The four-eyes rules, as pure functions so they can be tested on their own:
// - a refund is approved by a supervisor (or admin) who is not the requester;
// - a supervisor may approve their own request only up to secondApproverAboveCents
//   (above it, a second supervisor must approve);
// - above adminAboveCents the approver must be an admin who is not the requester.

export type ApprovalNeed = Readonly<{ needsAdmin: boolean; requesterMaySelfApprove: boolean; description: string }>;

export function approvalNeed(amountCents: Cents, currency: CurrencyCode, requesterRole: Role, policy: RefundPolicy): ApprovalNeed {
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
  state: RefundState;
  amountCents: Cents;
  currency: CurrencyCode;
  requestedBy: string;
  requesterRole: Role;
  approvers: readonly string[];
}>;

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** Why this user may not approve this refund, or null when they may. */
export function approvalRefusal(approver: Readonly<{ userName: string; role: Role }>, c: ApprovalCase, policy: RefundPolicy): string | null {
  if (c.state !== 'requested') return `This refund is ${c.state}; only requested refunds can be approved.`;
  if (!hasRole(approver.role, 'supervisor')) return 'Refunds are approved by a supervisor or admin.';
  if (c.approvers.some((a) => same(a, approver.userName))) return 'You have already approved this refund.';
  const need = approvalNeed(c.amountCents, c.currency, c.requesterRole, policy);
  if (need.needsAdmin && approver.role !== 'admin') return `Refunds above ${formatMoney(policy.adminAboveCents, c.currency)} need an admin's approval.`;
  if (same(approver.userName, c.requestedBy) && !need.requesterMaySelfApprove) {
    return need.needsAdmin || !hasRole(c.requesterRole, 'supervisor')
      ? 'You requested this refund: another person must approve it (four-eyes).'
      : `You requested this refund and it is above ${formatMoney(policy.secondApproverAboveCents, c.currency)}: a second supervisor must approve it (four-eyes).`;
  }
  return null;
}
