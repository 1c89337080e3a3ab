import type { PayTraceTransaction } from '@shared/domain';
import { cents } from '@shared/money';

/** An approved card SALE as the store keeps it, for tests that seed a store directly; override what the test is about. */
export function storedSale(transactionId: number, over: Partial<PayTraceTransaction> = {}): PayTraceTransaction {
  return {
    transactionId,
    type: 'SALE',
    amountCents: cents(10_000),
    currency: 'USD',
    taxCents: null,
    createdAt: '2026-01-02T10:00:00.000Z',
    settledAt: null,
    declined: false,
    approvalCode: 'A1',
    approvalMessage: 'Approved',
    invoiceId: 'INV-1',
    description: '',
    customerReferenceId: '',
    customerId: '',
    billingName: 'Apex Plumbing',
    email: '',
    maskedCard: '************1111',
    method: 'card',
    raw: { transaction_id: transactionId },
    ...over,
  };
}
