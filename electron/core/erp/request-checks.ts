import type { Cents } from '@shared/money';
import type { CreditMemoRequest, ReceiptRequest } from './connector';
import { ErpError } from './errors';
import { checkReceipt, discountsOf } from './receipt-request';

// Checks done before anything is sent, so a request the ERP would refuse (or
// worse, truncate) never leaves. Shared by the connectors that post over HTTP or by import file (Eclipse, abas).

/** What a connection posts beyond cash on invoices: open credits (negative allocations) and early-payment discounts. */
export type ReceiptExtras = Readonly<{ erp: string; credits: boolean; discounts: boolean }>;

/** Validates a receipt; returns its early-payment discount per invoice number (empty when it takes none). */
export function checkReceiptRequest(r: ReceiptRequest, referenceMaxLength: number, extras: ReceiptExtras = { erp: 'ERP', credits: false, discounts: false }): Map<string, Cents> {
  checkReference(r.reference, referenceMaxLength);
  const rules = { credits: extras.credits, discounts: extras.discounts, writeOffs: false };
  return discountsOf(checkReceipt(r, rules, (problem) => `${extras.erp} receipt ${r.reference}: ${problem}; nothing was sent`));
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
