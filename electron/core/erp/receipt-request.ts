import { z } from 'zod';
import { cents, centsToDecimalString, type Cents } from '@shared/money';
import { EARLY_PAYMENT_DISCOUNT, type ReceiptRequest } from './connector';
import { ErpError } from './errors';

// The one check of a receipt request before any connector writes it, and the
// lines it posts: per invoice the cash applied, the early-payment discount and
// any other write-off; per open credit applied the (negative) amount consumed.
// The receipt's amount is the cash: positive lines plus negative (credit)
// lines plus the unapplied part. What a connection may post beyond cash on
// invoices comes from its capabilities (ReceiptRules); each connector words
// the problem for its ERP.

export { EARLY_PAYMENT_DISCOUNT as EARLY_PAYMENT_DISCOUNT_REASON } from './connector';

export function isDiscount(w: Readonly<{ reasonCode: string }>): boolean {
  return w.reasonCode === EARLY_PAYMENT_DISCOUNT;
}

const wholeCents = z
  .number()
  .refine(Number.isSafeInteger, 'must be a whole number of cents')
  .transform((n) => cents(n));

export const receiptAllocationSchema = z.looseObject({ invoiceNo: z.string(), amountCents: wholeCents });
export const receiptWriteOffSchema = z.looseObject({ invoiceNo: z.string(), amountCents: wholeCents, reasonCode: z.string() });

/**
 * The one schema of a ReceiptRequest: what a connector checks before it writes
 * one and what the store reads back from an outbox payload. Loose objects: a
 * field it does not name survives a read and save, so a queued payload reaches
 * the ERP as it was queued. The business rules (a customer, a positive amount,
 * ...) are cashApplication's: the store reads a stored receipt whatever it says.
 */
export const receiptRequestSchema = z.looseObject({
  reference: z.string(),
  customerId: z.string(),
  date: z.string(),
  amountCents: wholeCents,
  currency: z.string(),
  paymentMethod: z.enum(['card', 'ach']),
  cardBrand: z.string().optional(),
  bankCode: z.string().optional(),
  depositNo: z.string().optional(),
  allocations: z.array(receiptAllocationSchema),
  unappliedCents: wholeCents.optional(),
  memo: z.string().optional(),
  paymentTypeCode: z.string().optional(),
  glAccount: z.string().optional(),
  discountGlAccount: z.string().optional(),
  mappingVersion: z.number().optional(),
  writeOffs: z.array(receiptWriteOffSchema).optional(),
});

const described: z.infer<typeof receiptRequestSchema> extends ReceiptRequest ? true : false = true;
void described;

/** The first thing wrong with the request as a whole (shape, then the rules every ERP shares), in plain words. */
function requestProblem(r: ReceiptRequest): string | null {
  const shape = receiptRequestSchema.safeParse(r);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    return issue.code === 'custom' ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
  }
  const q = shape.data;
  if (q.reference.trim() === '') return 'the PayTrace reference is empty';
  if (q.customerId.trim() === '') return 'the receipt has no customer';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(q.date)) return 'the receipt date is not YYYY-MM-DD';
  if (q.amountCents <= 0) return 'the amount must be positive';
  if (q.allocations.some((a) => a.invoiceNo.trim() === '')) return 'an allocation names no invoice';
  if ((q.unappliedCents ?? 0) < 0) return 'the unapplied part cannot be negative';
  return null;
}

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

/** What the connection posts beyond cash on invoices; from its capabilities. */
export type ReceiptRules = Readonly<{
  /** Negative allocations (open credits applied). */
  credits: boolean;
  /** Write-off lines with reason EARLY_PAYMENT_DISCOUNT. */
  discounts: boolean;
  /** Write-off lines with any other reason. */
  writeOffs: boolean;
  /** Longest reason code the ERP stores with a write-off. */
  reasonMaxLength?: number;
  /**
   * For ERPs that post each allocation as its own line and keep on account
   * whatever the lines leave (P21): one invoice may have several lines (a
   * write-off rides on the first that pays it), and the allocations may fall
   * short of the amount but never exceed it.
   */
  linePerAllocation?: boolean;
}>;

/** The receipt's lines, or the first problem in plain words (no ERP prefix). */
export function cashApplication(r: ReceiptRequest, rules: ReceiptRules): CashApplication | { problem: string } {
  const problem = requestProblem(r);
  if (problem !== null) return { problem };
  const unapplied = r.unappliedCents ?? 0;
  const seen = new Set<string>();
  const lines: Array<{ invoiceNo: string; amountCents: number; discountCents: number; writeOffCents: number; writeOffReason: string }> = [];
  for (const a of r.allocations) {
    const no = a.invoiceNo.trim();
    if (a.amountCents === 0) return { problem: `the allocation to ${no} must be a non-zero whole number of cents` };
    if (a.amountCents < 0 && !rules.credits) return { problem: `the allocation to ${no} is negative (an open credit); this connection does not apply open credits` };
    if (seen.has(no) && !rules.linePerAllocation) return { problem: `invoice ${no} is allocated twice` };
    seen.add(no);
    lines.push({ invoiceNo: no, amountCents: a.amountCents, discountCents: 0, writeOffCents: 0, writeOffReason: '' });
  }
  for (const w of r.writeOffs ?? []) {
    const no = w.invoiceNo.trim();
    const discount = isDiscount(w);
    if (discount ? !rules.discounts : !rules.writeOffs) {
      return { problem: discount ? `an early-payment discount on ${no} was given, which this connection does not post` : `a write-off on ${no} was given, which this connection does not post` };
    }
    if (w.amountCents <= 0) return { problem: `the write-off on ${no} must be positive` };
    const reason = w.reasonCode.trim();
    if (!reason) return { problem: `the write-off on ${no} has no reason code` };
    if (rules.reasonMaxLength !== undefined && reason.length > rules.reasonMaxLength) {
      return { problem: `the reason code "${reason}" of the write-off on ${no} is longer than ${rules.reasonMaxLength} characters` };
    }
    const line = lines.find((l) => l.invoiceNo === no && l.amountCents > 0);
    if (!line) return { problem: `the write-off on ${no} needs a positive allocation to that invoice in the same receipt (the receipt does not pay it)` };
    if (discount) {
      if (line.discountCents > 0) return { problem: `invoice ${no} takes the early-payment discount twice` };
      line.discountCents = w.amountCents;
    } else {
      if (line.writeOffCents > 0) return { problem: `invoice ${no} is written off twice` };
      line.writeOffCents = w.amountCents;
      line.writeOffReason = reason;
    }
  }
  const applied = lines.reduce((s, l) => s + l.amountCents, 0);
  if (rules.linePerAllocation) {
    if (applied > r.amountCents) return { problem: `it applies ${centsToDecimalString(applied)} but the payment is ${centsToDecimalString(r.amountCents)}` };
    return { lines: lines as unknown as readonly CashLine[], unappliedCents: (r.amountCents - applied) as Cents };
  }
  if (applied + unapplied !== r.amountCents) {
    return { problem: `the allocations (${centsToDecimalString(applied)}) plus the unapplied part (${centsToDecimalString(unapplied)}) do not equal the amount (${centsToDecimalString(r.amountCents)})` };
  }
  return { lines: lines as unknown as readonly CashLine[], unappliedCents: unapplied as Cents };
}

/**
 * The one validation entry point every connector calls before it writes a
 * receipt: its lines, or ErpError('validation') worded by `describe` (and
 * nothing sent).
 */
export function checkReceipt(r: ReceiptRequest, rules: ReceiptRules, describe: (problem: string) => string): CashApplication {
  const cash = cashApplication(r, rules);
  if ('problem' in cash) throw new ErpError('validation', describe(cash.problem));
  return cash;
}

/** The early-payment discount per invoice number, for ERPs that carry it beside the cash on the invoice's line. */
export function discountsOf(cash: CashApplication): Map<string, Cents> {
  return new Map(cash.lines.filter((l) => l.discountCents > 0).map((l) => [l.invoiceNo, l.discountCents]));
}
