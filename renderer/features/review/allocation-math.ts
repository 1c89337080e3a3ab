import { MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';

// The allocation editor's arithmetic. Clerks type decimals ("1,250.00");
// everything after the keystroke is integer cents, never floats.

export type LineDraft = Readonly<{ invoiceNo: string; amount: string }>;

export type ParsedAmount = Readonly<{ ok: true; cents: Cents } | { ok: false; error: string }>;

export function parseAmountInput(text: string): ParsedAmount {
  if (text.trim() === '') return { ok: false, error: 'Enter an amount' };
  try {
    const c = parseDecimalToCents(text);
    if (c <= 0) return { ok: false, error: 'Must be more than zero' };
    // parseDecimalToCents rounds a third decimal; a clerk should see that, not have it happen silently.
    if (/\.\d{3,}$/.test(text.trim().replace(/,/g, ''))) return { ok: false, error: 'At most two decimals' };
    return { ok: true, cents: c };
  } catch (e) {
    if (e instanceof MoneyParseError) return { ok: false, error: 'Not an amount (use digits, e.g. 1250.00)' };
    throw e;
  }
}

export type AllocationCheck = Readonly<{
  allocatedCents: number;
  /** Payment amount minus what is allocated: 0 = balanced, > 0 = left unapplied, < 0 = over-allocated. */
  differenceCents: number;
  state: 'balanced' | 'unapplied' | 'over' | 'incomplete';
  /** One message per line that cannot be sent (index-aligned, null when fine). */
  lineErrors: ReadonlyArray<string | null>;
  lines: ReadonlyArray<Readonly<{ invoiceNo: string; amountCents: Cents }>>;
}>;

/** Checks the draft lines against the payment: what the engine would refuse is flagged here first. */
export function checkAllocation(paymentCents: number, drafts: readonly LineDraft[]): AllocationCheck {
  const seen = new Set<string>();
  const lines: Array<{ invoiceNo: string; amountCents: Cents }> = [];
  const lineErrors: Array<string | null> = [];
  let allocated = 0;
  for (const d of drafts) {
    const invoiceNo = d.invoiceNo.trim();
    const amount = parseAmountInput(d.amount);
    let error: string | null = null;
    if (!invoiceNo) error = 'Enter an invoice number';
    else if (seen.has(invoiceNo.toUpperCase())) error = `Invoice ${invoiceNo} is already on another line`;
    else if (!amount.ok) error = amount.error;
    if (invoiceNo) seen.add(invoiceNo.toUpperCase());
    if (amount.ok) allocated += amount.cents;
    if (error === null && amount.ok) lines.push({ invoiceNo, amountCents: amount.cents });
    lineErrors.push(error);
  }
  const differenceCents = paymentCents - allocated;
  const incomplete = drafts.length === 0 || lineErrors.some((e) => e !== null);
  const state = incomplete ? 'incomplete' : differenceCents === 0 ? 'balanced' : differenceCents > 0 ? 'unapplied' : 'over';
  return { allocatedCents: allocated, differenceCents, state, lineErrors, lines };
}

/** The engine accepts an allocation that does not exceed the payment (the rest stays unapplied). */
export function canSaveAllocation(check: AllocationCheck, customerId: string): boolean {
  return customerId.trim() !== '' && (check.state === 'balanced' || check.state === 'unapplied');
}
