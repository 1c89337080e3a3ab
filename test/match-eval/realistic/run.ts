import type { MatchOutcome, PayTraceTransaction } from '@shared/domain';
import { normalizeExportRow } from '../../../electron/core/paytrace/normalize';
import type { Matcher } from '../../../electron/core/matching/types';
import type { RealisticDay } from './scenarios';

// Raw rows → normalizeExportRow (as the app reads an export) → matcher.
// A row the normaliser rejects never reaches the matcher: the app keeps the raw
// row and shows the error, so it stands here as an exception outcome (never automatic).

export type DayRun = Readonly<{
  transactions: readonly PayTraceTransaction[];
  /** One outcome per row, in row order. */
  outcomes: readonly MatchOutcome[];
  rejected: ReadonlyArray<Readonly<{ transactionId: number; error: string }>>;
}>;

export const MERCHANT_ZONE = 'America/Los_Angeles';

export function runDay(day: RealisticDay, matcher: Matcher): DayRun {
  const transactions: PayTraceTransaction[] = [];
  const rejected: Array<{ transactionId: number; error: string }> = [];
  for (const row of day.rows) {
    const r = normalizeExportRow(row, { zone: MERCHANT_ZONE });
    if (r.ok) transactions.push(r.value);
    else rejected.push({ transactionId: row.transaction_id, error: r.error });
  }
  const matched = matcher({ transactions, invoices: day.invoices, customers: day.customers });
  const byId = new Map(matched.map((o) => [o.transactionId, o]));
  const rejectedById = new Map(rejected.map((x) => [x.transactionId, x.error]));
  const outcomes = day.rows.map((row): MatchOutcome => {
    const o = byId.get(row.transaction_id);
    if (o) return o;
    const error = rejectedById.get(row.transaction_id) ?? 'no outcome from the matcher';
    return {
      transactionId: row.transaction_id,
      status: 'exception',
      allocations: [],
      customerId: null,
      candidates: [],
      score: 0,
      reason: `Rejected at import: ${error}`,
      reasons: [error],
      exception: 'manual',
      unappliedCents: 0 as MatchOutcome['unappliedCents'],
    };
  });
  return { transactions, outcomes, rejected };
}
