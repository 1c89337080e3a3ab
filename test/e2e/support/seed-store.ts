import { cents } from '../../../shared/money';
import type { MatchOutcome, PayTraceTransaction } from '../../../shared/domain';
import { openStore } from '../../../electron/core/store/db';
import { saveOutcomes } from '../../../electron/core/store/queries/matches';
import { upsertTransactions } from '../../../electron/core/store/queries/transactions';

/** Fills a data folder with `n` synthetic matched transactions (for the grid benchmark). */
export function seedLargeStore(dataDir: string, n: number): void {
  const db = openStore(dataDir);
  const names = ['Apex Plumbing Inc.', 'Bluewater Supply LLC', 'Cascade HVAC Co.', 'Delta Electric Corp.', 'Evergreen Builders Group'];
  const txns: PayTraceTransaction[] = [];
  const outcomes: MatchOutcome[] = [];
  const base = Date.parse('2026-11-01T16:00:00Z');
  for (let i = 0; i < n; i++) {
    const id = 900000000 + i;
    const amount = cents(((i * 7919) % 480000) + 1000);
    txns.push({
      transactionId: id,
      type: 'SALE',
      amountCents: amount,
      currency: 'USD',
      taxCents: null,
      createdAt: new Date(base + i * 17_000).toISOString(),
      settledAt: null,
      declined: false,
      approvalCode: 'TAS445',
      approvalMessage: 'Approved',
      invoiceId: String(2000000 + i),
      description: '',
      customerReferenceId: '',
      customerId: '',
      billingName: names[i % names.length]!,
      email: '',
      maskedCard: '************1111',
      method: 'card',
      raw: { transaction_id: id },
    });
    const status = i % 10 === 0 ? 'exception' : i % 4 === 0 ? 'suggested' : 'auto';
    outcomes.push({
      transactionId: id,
      status,
      allocations: status === 'exception' ? [] : [{ invoiceNo: String(2000000 + i), amountCents: amount }],
      customerId: status === 'exception' ? null : String(10001 + (i % 5)),
      candidates: [],
      score: status === 'auto' ? 0.97 : status === 'suggested' ? 0.7 : 0,
      reason: status === 'exception' ? 'No open invoice' : 'Invoice referenced exactly',
      reasons: [],
      exception: status === 'exception' ? 'invoice_not_found' : null,
      unappliedCents: cents(0),
    });
  }
  upsertTransactions(db, txns);
  saveOutcomes(db, outcomes);
  db.close();
}
