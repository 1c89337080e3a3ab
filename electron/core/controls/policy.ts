import type { ControlPolicy } from '@shared/api/controls';
import { cents, formatMoney, type Cents, type CurrencyCode } from '@shared/money';
import type { Role } from '@shared/api/auth';
import { storedPolicy } from '../store/queries/policies';
import { approvalNeed, NO_PRIOR, type PriorTotals } from '../refunds/rules';

// Limits for write-offs and tolerance overrides, stored as one JSON value
// (table policies, name 'controls'). The defaults are ours (no ERP sets them):
// documented in docs/users-and-refunds.md and changed by an admin.

const stored = storedPolicy<'controls', ControlPolicy>('controls', {
  reasonCodes: ['Small balance', 'Customer dispute', 'Pricing error', 'Freight / fees', 'Bad debt', 'Other'],
  approvalAboveCents: cents(2_500),
  toleranceCents: cents(100),
  secondApproverAboveCents: cents(50_000),
  adminAboveCents: cents(500_000),
});

export const DEFAULT_CONTROL_POLICY: ControlPolicy = stored.defaults;
export const loadControlPolicy = stored.load;
export const saveControlPolicy = stored.save;

/** Whether a write-off or override of this amount waits for a supervisor. */
export function needsSupervisor(amountCents: Cents, policy: ControlPolicy): boolean {
  return amountCents > policy.approvalAboveCents;
}

/** The approval a control needs, in words, using the refunds' four-eyes rules above the limit. */
export function controlApprovalRule(amountCents: Cents, currency: CurrencyCode, requesterRole: Role, policy: ControlPolicy, prior: PriorTotals = NO_PRIOR): string {
  if (!needsSupervisor(cents(amountCents + prior.paymentCents), policy)) return `Within the clerk's limit (${formatMoney(policy.approvalAboveCents, currency)})`;
  return approvalNeed(amountCents, currency, requesterRole, policy, prior).description;
}
