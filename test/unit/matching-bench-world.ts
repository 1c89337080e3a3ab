import { cents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { seededRandom } from '@shared/seeded-random';

// The synthetic store scripts/bench-match.ts measures: deterministic for a
// seed, so the decision fingerprint test can replay the same data.


export type World = { customers: Customer[]; invoices: OpenInvoice[]; transactions: PayTraceTransaction[] };

export function buildWorld(invoiceCount: number, paymentCount: number, seed: number, firstTxn = 700000001, firstPaid = 0): World {
  const next = seededRandom(seed).next;
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const customerCount = Math.max(10, Math.round(invoiceCount / 10));
  const customers: Customer[] = Array.from({ length: customerCount }, (_, i) => ({
    customerId: `C${100000 + i}`,
    name: `Customer ${i} ${['Plumbing', 'Electric', 'Supply', 'Builders'][i % 4]} Inc.`,
    contacts: [`Contact ${i} Person`],
  }));
  const invoices: OpenInvoice[] = Array.from({ length: invoiceCount }, (_, i) => {
    const amount = cents(int(20, 9000) * 100 + int(0, 99));
    return {
      invoiceNo: String(2000000 + i),
      customerId: customers[i % customerCount]!.customerId,
      customerName: customers[i % customerCount]!.name,
      invoiceDate: '2025-01-15',
      dueDate: '2025-02-14',
      amountCents: amount,
      openBalanceCents: amount,
      currency: 'USD',
      poNo: `PO${900000 + i}`,
    };
  });
  const transactions: PayTraceTransaction[] = [];
  for (let k = 0; k < paymentCount; k++) {
    const inv = invoices[(firstPaid + k) % invoiceCount]!;
    const c = customers[(firstPaid + k) % invoiceCount % customerCount]!;
    const roll = next();
    let invoiceId = inv.invoiceNo;
    let amount: Cents = inv.openBalanceCents;
    let customerReferenceId = '';
    if (roll < 0.1) invoiceId = `INV-${inv.invoiceNo}`;
    else if (roll < 0.15) { invoiceId = ''; customerReferenceId = inv.poNo; }
    else if (roll < 0.2) invoiceId = '';
    else if (roll < 0.23) amount = cents(amount - 100);
    else if (roll < 0.25) invoiceId = inv.invoiceNo.slice(0, -1) + String((Number(inv.invoiceNo.slice(-1)) + 1) % 10);
    transactions.push({
      transactionId: firstTxn + k,
      type: 'SALE',
      amountCents: amount,
      currency: 'USD',
      taxCents: null,
      createdAt: new Date(Date.UTC(2025, 1, 1) + k * 20_000).toISOString(),
      settledAt: null,
      declined: roll > 0.98,
      approvalCode: 'A1',
      approvalMessage: 'Approved',
      invoiceId,
      description: '',
      customerReferenceId,
      customerId: next() < 0.5 ? c.customerId : '',
      billingName: next() < 0.5 ? c.name : 'Card Holder',
      email: '',
      maskedCard: `************${int(1000, 9999)}`,
      method: 'card',
      raw: null,
    });
  }
  return { customers, invoices, transactions };
}
