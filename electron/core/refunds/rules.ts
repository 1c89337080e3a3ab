import type { Role } from '@shared/api/auth';
import type { RefundPolicy, RefundState } from '@shared/api/refunds';
import { cents, formatMoney, type Cents, type CurrencyCode } from '@shared/money';
import { hasRole } from '../auth/permissions';

// The four-eyes rules, as pure functions so they can be tested on their own:
// - a refund is approved by a supervisor (or admin) who is not the requester;
// - a supervisor may approve their own request only up to secondApproverAboveCents
//   (above it, a second supervisor must approve);
// - above adminAboveCents the approver must be an admin who is not the requester.
// The amount the limits are checked against is cumulative, not the request
// alone (three self-approved $500 + $500 + $30.25 on one sale are $1,030.25):
// - per payment: everything already refunded, written off, overridden or
//   reversed on it, plus this request;
// - per approver and merchant day: everything the approver already approved
//   that day, plus this request.
// The larger of the two decides.

// The same rules serve the other supervisor controls (write-offs, overrides,
// reversals: electron/core/controls/): they pass their own limits and the noun to say.

export type ApprovalNeed = Readonly<{
  needsAdmin: boolean;
  requesterMaySelfApprove: boolean;
  description: string;
  /** The payment's total with this request. */
  paymentTotalCents: Cents;
  /** The approver's total of the day with this request (the request alone when no approver is known). */
  approverDayTotalCents: Cents;
}>;

/** The two limits the four-eyes rules read; RefundPolicy and ControlPolicy both carry them. */
export type ApprovalLimits = Pick<RefundPolicy, 'secondApproverAboveCents' | 'adminAboveCents'>;

/** What came before this request (electron/core/approval/cumulative.ts); zero for a first request. */
export type PriorTotals = Readonly<{ paymentCents: number; approverDayCents: number }>;

export const NO_PRIOR: PriorTotals = { paymentCents: 0, approverDayCents: 0 };

export function approvalNeed(amountCents: Cents, currency: CurrencyCode, requesterRole: Role, policy: ApprovalLimits, prior: PriorTotals = NO_PRIOR): ApprovalNeed {
  const paymentTotalCents = cents(amountCents + prior.paymentCents);
  const approverDayTotalCents = cents(amountCents + prior.approverDayCents);
  const decisive = Math.max(paymentTotalCents, approverDayTotalCents);
  const needsAdmin = decisive > policy.adminAboveCents;
  const requesterMaySelfApprove = !needsAdmin && decisive <= policy.secondApproverAboveCents && hasRole(requesterRole, 'supervisor');
  let description: string;
  if (needsAdmin) description = `An admin other than the requester (above ${formatMoney(policy.adminAboveCents, currency)}${cumulativeNote(prior, paymentTotalCents, currency)})`;
  else if (requesterMaySelfApprove) description = 'A supervisor (the requesting supervisor may confirm it with their password)';
  else if (hasRole(requesterRole, 'supervisor')) description = `A second supervisor (above ${formatMoney(policy.secondApproverAboveCents, currency)}${cumulativeNote(prior, paymentTotalCents, currency)})`;
  else description = 'A supervisor other than the requester';
  return { needsAdmin, requesterMaySelfApprove, description, paymentTotalCents, approverDayTotalCents };
}

function cumulativeNote(prior: PriorTotals, paymentTotal: Cents, currency: CurrencyCode): string {
  return prior.paymentCents > 0 ? `, counting the ${formatMoney(prior.paymentCents, currency)} already given back on this payment: ${formatMoney(paymentTotal, currency)} in all` : '';
}

export type ApprovalCase = Readonly<{
  state: RefundState | string;
  amountCents: Cents;
  currency: CurrencyCode;
  requestedBy: string;
  requesterRole: Role;
  approvers: readonly string[];
  /** What came before this request, for the approver deciding now. */
  prior?: PriorTotals;
}>;

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * Why the limit was reached by adding up, in the refusal: the single request
 * may be small, so say what it was added to. Empty when the request alone is over.
 */
function why(c: ApprovalCase, limit: number, needs: string): string {
  const prior = c.prior ?? NO_PRIOR;
  const money = (n: number) => formatMoney(n, c.currency);
  if (c.amountCents > limit) return '';
  const payment = c.amountCents + prior.paymentCents;
  if (payment > limit) {
    return ` This sale already has ${money(prior.paymentCents)} refunded, written off or reversed; with this ${money(c.amountCents)} the total ${money(payment)} needs ${needs}.`;
  }
  const day = c.amountCents + prior.approverDayCents;
  if (day > limit) return ` You have already approved ${money(prior.approverDayCents)} today; with this ${money(c.amountCents)} your total ${money(day)} needs ${needs}.`;
  return '';
}

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
  const need = approvalNeed(c.amountCents, c.currency, c.requesterRole, policy, c.prior);
  if (need.needsAdmin && approver.role !== 'admin') {
    return `${noun.many} above ${formatMoney(policy.adminAboveCents, c.currency)} need an admin's approval.${why(c, policy.adminAboveCents, "an admin's approval")}`;
  }
  if (same(approver.userName, c.requestedBy) && !need.requesterMaySelfApprove) {
    if (need.needsAdmin || !hasRole(c.requesterRole, 'supervisor')) return `You requested this ${noun.one}: another person must approve it (four-eyes).${why(c, policy.adminAboveCents, 'an admin other than you')}`;
    if (c.amountCents > policy.secondApproverAboveCents) {
      return `You requested this ${noun.one} and it is above ${formatMoney(policy.secondApproverAboveCents, c.currency)}: a second supervisor must approve it (four-eyes).`;
    }
    return `You requested this ${noun.one}: a second supervisor must approve it (four-eyes).${why(c, policy.secondApproverAboveCents, 'a second supervisor')}`;
  }
  return null;
}
