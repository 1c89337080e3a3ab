import { centsToDecimalString, type Cents } from '@shared/money';
import type { ReceiptRequest } from './connector';

// The lines of a receipt as an ERP posts them: per invoice the cash applied,
// the early-payment discount and any other write-off; per open credit applied
// the (negative) amount consumed. Used by the connectors that post discounts
// and credits (SAP ECC, Sage 100, File); each turns the problems into its own
// ERP-style message. The receipt's amount is the cash: positive lines plus
// negative (credit) lines plus the unapplied part.

export { EARLY_PAYMENT_DISCOUNT as EARLY_PAYMENT_DISCOUNT_REASON } from './connector';
import { EARLY_PAYMENT_DISCOUNT as EARLY_PAYMENT_DISCOUNT_REASON } from './connector';

export type CashLine = Readonly<{
  invoiceNo: string;
  /** Cash applied; negative for an open credit applied (credit memo consumed). */
  amountCents: Cents;
  /** Early-payment discount taken on this invoice (0 when none). */
  discountCents: Cents;
  /** Other write-off on this invoice (0 when none), with its reason code. */
  writeOffCents: Cents;
  writeOffReason: string;
}>;

export type CashApplication = Readonly<{ lines: readonly CashLine[]; unappliedCents: Cents }>;

export type CashApplicationRules = Readonly<{
  /** Whether write-off lines (discounts included) may be posted. */
  writeOffs: boolean;
  /** Whether negative allocations (open credits applied) may be posted. */
  credits: boolean;
  /** Longest reason code the ERP stores with a write-off. */
  reasonMaxLength?: number;
}>;

/** The receipt's lines, or the first problem in plain words (no ERP prefix). */
export function cashApplication(r: ReceiptRequest, rules: CashApplicationRules): CashApplication | { problem: string } {
  if (!Number.isSafeInteger(r.amountCents) || r.amountCents <= 0) return { problem: 'the amount must be positive' };
  const unapplied = r.unappliedCents ?? 0;
  if (!Number.isSafeInteger(unapplied) || unapplied < 0) return { problem: 'the unapplied part cannot be negative' };
  const seen = new Set<string>();
  const lines: Array<{ invoiceNo: string; amountCents: number; discountCents: number; writeOffCents: number; writeOffReason: string }> = [];
  for (const a of r.allocations) {
    const no = a.invoiceNo.trim();
    if (!no) return { problem: 'an allocation names no invoice' };
    if (!Number.isSafeInteger(a.amountCents) || a.amountCents === 0) return { problem: `the allocation to ${no} must be a non-zero whole number of cents` };
    if (a.amountCents < 0 && !rules.credits) return { problem: `the allocation to ${no} is negative (an open credit), which this connection does not apply` };
    if (seen.has(no)) return { problem: `invoice ${no} is allocated twice` };
    seen.add(no);
    lines.push({ invoiceNo: no, amountCents: a.amountCents, discountCents: 0, writeOffCents: 0, writeOffReason: '' });
  }
  for (const w of r.writeOffs ?? []) {
    const no = w.invoiceNo.trim();
    if (!rules.writeOffs) return { problem: `a write-off on ${no} was given, which this connection does not post` };
    if (!Number.isSafeInteger(w.amountCents) || w.amountCents <= 0) return { problem: `the write-off on ${no} must be positive` };
    const reason = (w.reasonCode ?? '').trim();
    if (!reason) return { problem: `the write-off on ${no} has no reason code` };
    if (rules.reasonMaxLength !== undefined && reason.length > rules.reasonMaxLength) {
      return { problem: `the reason code "${reason}" of the write-off on ${no} is longer than ${rules.reasonMaxLength} characters` };
    }
    const line = lines.find((l) => l.invoiceNo === no);
    if (!line || line.amountCents <= 0) return { problem: `the write-off on ${no} needs a positive allocation to that invoice in the same receipt` };
    if (reason === EARLY_PAYMENT_DISCOUNT_REASON) {
      if (line.discountCents > 0) return { problem: `invoice ${no} takes the early-payment discount twice` };
      line.discountCents = w.amountCents;
    } else {
      if (line.writeOffCents > 0) return { problem: `invoice ${no} is written off twice` };
      line.writeOffCents = w.amountCents;
      line.writeOffReason = reason;
    }
  }
  const applied = lines.reduce((s, l) => s + l.amountCents, 0);
  if (applied + unapplied !== r.amountCents) {
    return { problem: `the allocations (${centsToDecimalString(applied)}) plus the unapplied part (${centsToDecimalString(unapplied)}) do not equal the amount (${centsToDecimalString(r.amountCents)})` };
  }
  return { lines: lines as unknown as readonly CashLine[], unappliedCents: unapplied as Cents };
}

export function isCashProblem(x: CashApplication | { problem: string }): x is { problem: string } {
  return 'problem' in x;
}
