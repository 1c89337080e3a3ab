import type { Cents } from '@shared/money';
import type { ReceiptRequest } from './connector';
import { ErpError } from './errors';

// Early-payment discounts and open credits inside a receipt, as the engine
// builds them (electron/core/approval/approve.ts): a discount is a write-off
// line with reason EARLY_PAYMENT_DISCOUNT on an invoice the receipt pays; an
// open credit applied is an allocation with a negative amount naming the
// credit memo, and the receipt amount is the cash (the sum of all lines plus
// what stays unapplied).

export { EARLY_PAYMENT_DISCOUNT as EARLY_PAYMENT_DISCOUNT_REASON } from './connector';
import { EARLY_PAYMENT_DISCOUNT as EARLY_PAYMENT_DISCOUNT_REASON } from './connector';

export function isDiscount(w: Readonly<{ reasonCode: string }>): boolean {
  return w.reasonCode === EARLY_PAYMENT_DISCOUNT_REASON;
}

/**
 * Checks the receipt's write-off lines against its allocations and returns the
 * early-payment discount per invoice. For connectors that post discounts only
 * (no other write-off reason): any other reason is refused before sending.
 */
export function discountsByInvoice(r: ReceiptRequest, accepts: boolean, erp: string): Map<string, Cents> {
  const out = new Map<string, Cents>();
  const writeOffs = r.writeOffs ?? [];
  if (writeOffs.length === 0) return out;
  if (!accepts) throw new ErpError('validation', `This ${erp} connection does not post write-offs or early-payment discounts; nothing was sent`);
  for (const w of writeOffs) {
    const no = w.invoiceNo.trim();
    if (!isDiscount(w)) {
      throw new ErpError('validation', `${erp} takes early-payment discounts (reason ${EARLY_PAYMENT_DISCOUNT_REASON}) with a receipt, not write-offs with reason "${w.reasonCode}" (invoice ${no}); nothing was sent`);
    }
    if (!r.allocations.some((a) => a.invoiceNo.trim() === no && a.amountCents > 0)) {
      throw new ErpError('validation', `The receipt takes a discount on invoice ${no}, which it does not pay`);
    }
    if (!Number.isSafeInteger(w.amountCents) || w.amountCents <= 0) throw new ErpError('validation', `The discount on invoice ${no} must be a positive whole number of cents`);
    if (out.has(no)) throw new ErpError('validation', `The receipt takes a discount on invoice ${no} twice`);
    out.set(no, w.amountCents);
  }
  return out;
}
