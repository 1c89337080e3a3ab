import { cents } from '@shared/money';
import type { Customer, OpenInvoice, PayTraceTransaction } from '@shared/domain';

// Small hand-made worlds for the matching tests.

export const CUSTOMERS: Customer[] = [
  { customerId: 'C10001', name: 'Apex Plumbing Inc.', contacts: ['Maria Garcia'] },
  { customerId: 'C10042', name: 'Granite Supply LLC', contacts: ['James Smith'] },
  { customerId: 'C10077', name: 'Harbor Electric Co.', contacts: ['Wei Chen'] },
];

export function invoice(no: string, customerId: string, amount: number, overrides: Partial<OpenInvoice> = {}): OpenInvoice {
  return {
    invoiceNo: no,
    customerId,
    invoiceDate: '2025-02-01',
    dueDate: '2025-03-03',
    amountCents: cents(amount),
    openBalanceCents: cents(amount),
    currency: 'USD',
    poNo: '',
    ...overrides,
  };
}

let nextId = 79388000;
export function payment(amount: number, overrides: Partial<PayTraceTransaction> = {}): PayTraceTransaction {
  return {
    transactionId: nextId++,
    type: 'SALE',
    amountCents: cents(amount),
    currency: 'USD',
    taxCents: null,
    createdAt: '2025-03-01T18:00:00.000Z',
    settledAt: null,
    declined: false,
    approvalCode: 'TAS123',
    approvalMessage: 'APPROVED',
    invoiceId: '',
    description: '',
    customerReferenceId: '',
    customerId: '',
    billingName: '',
    email: '',
    maskedCard: `************${String(nextId).slice(-4)}`,
    method: 'card',
    raw: null,
    ...overrides,
  };
}
