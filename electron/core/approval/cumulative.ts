import { merchantDate } from '@shared/paytrace-time';
import { syncedRefundedCents } from '../refunds/synced-refunds';
import type { ReadDb } from '../store/db';
import { approvalsGivenSince, committedOnPaymentCents, type ExceptRequest } from '../store/queries/four-eyes-totals';
import { getTransaction } from '../store/queries/transactions';
import type { PriorTotals } from '../refunds/rules';

// What the four-eyes limits are checked against (docs/users-and-refunds.md):
// not one request alone, which a supervisor could split into requests just
// under the limit, but everything already given back on the payment and
// everything the approver already approved on the merchant's day.

// A merchant day is at most 26 hours long; two days back covers any zone.
const LOOK_BACK_MS = 48 * 3_600_000;

export type PriorQuery = Readonly<{
  transactionId: number;
  /** The request being decided (not counted in its own prior). */
  except: ExceptRequest;
  /** Whose approvals of the day count; null when no approver is known yet (a view). */
  approver: string | null;
  /** The instant of the decision (ISO). */
  at: string;
  /** The merchant's time zone: the day the approver's total runs over. */
  zone: string;
}>;

export function priorTotals(db: ReadDb, q: PriorQuery): PriorTotals {
  const sale = getTransaction(db, q.transactionId);
  // PayTrace refunds made outside Tieout took money back from the sale as well.
  const paymentCents = committedOnPaymentCents(db, q.transactionId, q.except) + (sale ? syncedRefundedCents(db, sale) : 0);
  if (q.approver === null) return { paymentCents, approverDayCents: 0 };
  const day = merchantDate(q.at, q.zone);
  const since = new Date(Date.parse(q.at) - LOOK_BACK_MS).toISOString();
  const approverDayCents = approvalsGivenSince(db, q.approver, since)
    .filter((g) => merchantDate(g.at, q.zone) === day)
    .reduce((sum, g) => sum + g.amountCents, 0);
  return { paymentCents, approverDayCents };
}
