import type { RefundPolicy } from '@shared/api/refunds';
import { cents } from '@shared/money';
import type { ReadDb, WriteDb } from '../store/db';
import { systemClock, type Clock } from '../clock';
import { StoredDataError } from '../store/json-column';
import { readPolicy, writePolicy } from '../store/queries/policies';

// The refund limits and reason codes, stored as one JSON value (table
// policies, name 'refunds'). Defaults are ours, not PayTrace's: documented in
// docs/users-and-refunds.md and changed by an admin (refunds:setPolicy).

export const DEFAULT_REFUND_POLICY: RefundPolicy = {
  reasonCodes: ['Customer request', 'Duplicate payment', 'Overpayment', 'Goods returned', 'Pricing error', 'Other'],
  secondApproverAboveCents: cents(50_000),
  adminAboveCents: cents(500_000),
};

export function loadRefundPolicy(db: ReadDb): RefundPolicy {
  try {
    return { ...DEFAULT_REFUND_POLICY, ...readPolicy(db, 'refunds') };
  } catch (e) {
    // A damaged policy falls back to the defaults rather than blocking every refund.
    if (e instanceof StoredDataError) return DEFAULT_REFUND_POLICY;
    throw e;
  }
}

export function saveRefundPolicy(db: WriteDb, policy: RefundPolicy, by: string | null = null, clock: Clock = systemClock): void {
  writePolicy(db, 'refunds', policy, clock.iso(), by);
}
