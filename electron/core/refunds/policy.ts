import type { RefundPolicy } from '@shared/api/refunds';
import { cents } from '@shared/money';
import { storedPolicy } from '../store/queries/policies';

// The refund limits and reason codes, stored as one JSON value (table
// policies, name 'refunds'). Defaults are ours, not PayTrace's: documented in
// docs/users-and-refunds.md and changed by an admin (refunds:setPolicy).

const stored = storedPolicy<'refunds', RefundPolicy>('refunds', {
  reasonCodes: ['Customer request', 'Duplicate payment', 'Overpayment', 'Goods returned', 'Pricing error', 'Other'],
  secondApproverAboveCents: cents(50_000),
  adminAboveCents: cents(500_000),
});

export const DEFAULT_REFUND_POLICY: RefundPolicy = stored.defaults;
export const loadRefundPolicy = stored.load;
export const saveRefundPolicy = stored.save;
