import { DateTime } from 'luxon';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice, PaymentTerms } from '@shared/domain';
import { seededRandom } from '../kit/random';

// The conformance ledger: 50 customers, 5,000 open invoices (some billed
// 2/10 net 30) and a few open credit memos, the same on every run (seeded,
// fixed dates) so failures reproduce.

export const CONFORMANCE_INVOICE_COUNT = 5000;
export const CONFORMANCE_CUSTOMER_COUNT = 50;
export const CONFORMANCE_CREDIT_COUNT = 12;
export const CONFORMANCE_TERMS: PaymentTerms = { discountBasisPoints: 200, discountDays: 10, netDays: 30 };

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
      // Every eleventh full-open invoice was billed 2/10 net 30 (due date stays invoice + 30).
      ...(i % 11 === 5 && open === amount ? { terms: CONFORMANCE_TERMS } : {}),
    });
  }
  // Open credits come after the invoices, so scenarios that pick invoices by position are unaffected.
  for (let k = 0; k < CONFORMANCE_CREDIT_COUNT; k++) {
    const customer = customers[(k * 3) % customers.length]!;
    const credit = -(1_500 + k * 2_350);
    const date = start.plus({ days: 10 + k }).toISODate()!;
    invoices.push({
      invoiceNo: String(3_900_001 + k),
      customerId: customer.customerId,
      customerName: customer.name,
      invoiceDate: date,
      dueDate: date,
      amountCents: cents(credit),
      openBalanceCents: cents(credit),
      currency: 'USD',
      poNo: '',
    });
  }
  return { customers, invoices };
}
