import assert from 'node:assert/strict';
import { cents } from '@shared/money';
import type { OpenInvoice } from '@shared/domain';
import type { ReceiptRequest } from '../../core/erp/connector';
import { ErpError, type ErpErrorKind } from '../../core/erp/errors';
import type { ConformanceSeed } from './conformance-runner';

// The receipts and the error check every conformance scenario builds on, the
// shared ones and each kind's own (electron/sandboxes/erp/<kind>/conformance-scenarios.ts).

/** Awaits `p` and returns its ErpError when its kind is one of `kinds`; anything else fails the scenario. */
export async function expectErpError(p: Promise<unknown>, kinds: readonly ErpErrorKind[], what: string): Promise<ErpError> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ErpError)) throw new assert.AssertionError({ message: `${what}: expected ErpError(${kinds.join('|')}), got ${String(e)}` });
    assert.ok(kinds.includes(e.kind), `${what}: expected ErpError(${kinds.join('|')}), got ErpError(${e.kind}): ${e.message}`);
    return e;
  }
  throw new assert.AssertionError({ message: `${what}: expected ErpError(${kinds.join('|')}), but it succeeded` });
}

/** A card receipt of `invoice`'s customer for the sum of its lines (the cash), dated inside every seed's period. */
export function cardReceipt(reference: string, invoice: OpenInvoice, allocations: ReceiptRequest['allocations'], extra: Partial<ReceiptRequest> = {}): ReceiptRequest {
  return {
    reference,
    customerId: invoice.customerId,
    date: '2026-03-02',
    amountCents: cents(allocations.reduce((s, a) => s + a.amountCents, 0)),
    currency: invoice.currency,
    paymentMethod: 'card',
    allocations,
    memo: 'Tieout conformance',
    ...extra,
  };
}

/** Two open invoices of one customer; the receipt pays the first in full and half of the second. */
export function twoInvoiceReceipt(seed: ConformanceSeed, reference: string, offset = 0): { request: ReceiptRequest; first: OpenInvoice; second: OpenInvoice } {
  const first = seed.invoices[offset];
  assert.ok(first, 'seed has too few invoices');
  const second = seed.invoices.find((i, idx) => idx > offset && i.customerId === first.customerId);
  assert.ok(second, 'seed needs two invoices of one customer');
  const half = cents(Math.floor(second.openBalanceCents / 2));
  return {
    first,
    second,
    request: cardReceipt(reference, first, [
      { invoiceNo: first.invoiceNo, amountCents: first.openBalanceCents },
      { invoiceNo: second.invoiceNo, amountCents: half },
    ]),
  };
}

/** The `offset`-th open invoice of the seed (positive balance), paid in full. */
export function fullPaymentReceipt(seed: ConformanceSeed, reference: string, options: Readonly<{ offset?: number; paymentMethod?: ReceiptRequest['paymentMethod'] }> = {}): ReceiptRequest {
  const invoice = seed.invoices.filter((i) => i.openBalanceCents > 0)[options.offset ?? 0];
  assert.ok(invoice, 'the seed has too few open invoices');
  return cardReceipt(reference, invoice, [{ invoiceNo: invoice.invoiceNo, amountCents: cents(invoice.openBalanceCents) }], { paymentMethod: options.paymentMethod ?? 'card' });
}
