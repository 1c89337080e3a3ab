import type { RefundPolicy } from '@shared/api/refunds';
import { cents } from '@shared/money';
import type { Db } from '../store/db';
import { getValue, setValue } from '../store/queries/settings';

// The refund limits and reason codes, stored as one JSON value (sync_state
// "refunds.policy"). Defaults are ours, not PayTrace's: documented in
// docs/users-and-refunds.md and changed by an admin (refunds:setPolicy).

const KEY = 'refunds.policy';

export const DEFAULT_REFUND_POLICY: RefundPolicy = {
  reasonCodes: ['Customer request', 'Duplicate payment', 'Overpayment', 'Goods returned', 'Pricing error', 'Other'],
  secondApproverAboveCents: cents(50_000),
  adminAboveCents: cents(500_000),
};

export function loadRefundPolicy(db: Db): RefundPolicy {
  const raw = getValue(db, KEY);
  if (!raw) return DEFAULT_REFUND_POLICY;
  try {
    const stored = JSON.parse(raw) as Partial<RefundPolicy>;
    return { ...DEFAULT_REFUND_POLICY, ...stored };
  } catch {
    return DEFAULT_REFUND_POLICY;
  }
}

export function saveRefundPolicy(db: Db, policy: RefundPolicy): void {
  setValue(db, KEY, JSON.stringify(policy));
}
