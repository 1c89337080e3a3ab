import { DateTime } from 'luxon';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { seededRandom } from '../sandbox-kit/random';

// The conformance ledger: 50 customers and 5,000 open invoices, the same on
// every run (seeded, fixed dates) so failures reproduce.

export const CONFORMANCE_INVOICE_COUNT = 5000;
export const CONFORMANCE_CUSTOMER_COUNT = 50;

export function buildConformanceSeed(seed = 2112): { customers: Customer[]; invoices: OpenInvoice[] } {
  const rnd = seededRandom(seed);
  const customers: Customer[] = [];
  for (let i = 0; i < CONFORMANCE_CUSTOMER_COUNT; i++) {
    customers.push({ customerId: String(20001 + i), name: `Conformance Customer ${String(i + 1).padStart(2, '0')} Inc.` });
  }
  const start = DateTime.fromISO('2026-01-01', { zone: 'utc' });
  const invoices: OpenInvoice[] = [];
  for (let i = 0; i < CONFORMANCE_INVOICE_COUNT; i++) {
    const customer = customers[i % customers.length]!;
    const amount = rnd.int(25, 9_999) * 100 + rnd.int(0, 99);
    // Every seventh invoice is part-paid, so balances differ from totals.
    const open = i % 7 === 3 ? amount - Math.floor(amount / 4) : amount;
    const date = start.plus({ days: i % 60 });
    invoices.push({
      invoiceNo: String(3_000_001 + i),
      customerId: customer.customerId,
      customerName: customer.name,
      invoiceDate: date.toISODate()!,
      dueDate: date.plus({ days: 30 }).toISODate()!,
      amountCents: cents(amount),
      openBalanceCents: cents(open),
      currency: 'USD',
      poNo: `PO-${700000 + i}`,
    });
  }
  return { customers, invoices };
}
