import type { Cents } from '@shared/money';
import type { CreditMemoRequest, ReceiptRequest } from './connector';
import { ErpError } from './errors';
import { discountsByInvoice } from './write-offs';

// Checks done before anything is sent, so a request the ERP would refuse (or
// worse, truncate) never leaves. Shared by the connectors that post over HTTP or by import file (Eclipse, abas).

/** What a connection posts beyond cash on invoices: open credits (negative allocations) and early-payment discounts. */
export type ReceiptExtras = Readonly<{ erp: string; credits: boolean; discounts: boolean }>;

/** Validates a receipt; returns its early-payment discount per invoice number (empty when it takes none). */
export function checkReceiptRequest(r: ReceiptRequest, referenceMaxLength: number, extras: ReceiptExtras = { erp: 'ERP', credits: false, discounts: false }): Map<string, Cents> {
  checkReference(r.reference, referenceMaxLength);
  if (!r.customerId.trim()) throw new ErpError('validation', 'The receipt has no customer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.date)) throw new ErpError('validation', `The receipt date "${r.date}" is not YYYY-MM-DD`);
  if (!Number.isSafeInteger(r.amountCents) || r.amountCents <= 0) throw new ErpError('validation', 'The receipt amount must be a positive whole number of cents');
  let applied = 0;
  for (const a of r.allocations) {
    if (!a.invoiceNo.trim()) throw new ErpError('validation', 'An allocation has no invoice number');
    if (!Number.isSafeInteger(a.amountCents) || a.amountCents === 0) throw new ErpError('validation', `The allocation to invoice ${a.invoiceNo} must be a non-zero whole number of cents`);
    if (a.amountCents < 0 && !extras.credits) {
      throw new ErpError('validation', `The allocation to invoice ${a.invoiceNo} must be a positive amount; this ${extras.erp} connection does not apply open credits from Tieout`);
    }
    applied += a.amountCents;
  }
  const unapplied = r.unappliedCents ?? 0;
  if (!Number.isSafeInteger(unapplied) || unapplied < 0) throw new ErpError('validation', `The unapplied amount (${unapplied}) must be zero or positive cents`);
  if (applied + unapplied !== r.amountCents) {
    throw new ErpError('validation', `Allocations (${applied}) plus unapplied (${unapplied}) do not add up to the receipt amount (${r.amountCents}) in cents`);
  }
  return discountsByInvoice(r, extras.discounts, extras.erp);
}

export function checkCreditMemoRequest(m: CreditMemoRequest, referenceMaxLength: number): void {
  checkReference(m.reference, referenceMaxLength);
  if (!m.customerId.trim()) throw new ErpError('validation', 'The credit memo has no customer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(m.date)) throw new ErpError('validation', `The credit memo date "${m.date}" is not YYYY-MM-DD`);
  if (!Number.isSafeInteger(m.amountCents) || m.amountCents <= 0) throw new ErpError('validation', 'The credit memo amount must be a positive whole number of cents');
}

function checkReference(reference: string, max: number): void {
  if (!reference.trim()) throw new ErpError('validation', 'The PayTrace reference is empty');
  if (reference.length > max) {
    throw new ErpError('validation', `The PayTrace reference "${reference}" is ${reference.length} characters; the ERP field holds ${max}`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
