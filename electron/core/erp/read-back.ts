import { formatMoney } from '@shared/money';
import type { ReceiptAllocation, ReceiptRecord, ReceiptRequest } from './connector';
import { ErpError } from './errors';

// A receipt counts as posted only when the ERP's own read-back shows it, line
// for line. An ERP that acknowledges a write is not evidence: P21's Summary,
// abas's HTTP 200, a Visual Integrator job that "ran", a lock-box upload. Every
// connector ends postReceipt with confirmReceiptBooked on what it read back,
// and the outbox checks every look-up the same way before it records a receipt
// as posted (so a retry cannot turn a partial booking into "posted").

type Line = Readonly<{ invoiceNo: string; amountCents: number }>;

/** Per-invoice sums, zero lines dropped, sorted: two receipts book the same when these are equal. */
function lineTotals(lines: readonly ReceiptAllocation[]): Line[] {
  const totals = new Map<string, number>();
  for (const l of lines) totals.set(l.invoiceNo.trim(), (totals.get(l.invoiceNo.trim()) ?? 0) + l.amountCents);
  return [...totals]
    .filter(([, amount]) => amount !== 0)
    .map(([invoiceNo, amountCents]) => ({ invoiceNo, amountCents }))
    .sort((a, b) => a.invoiceNo.localeCompare(b.invoiceNo));
}

/** What the ERP holds that differs from what was sent, in a clerk's words; empty when it booked exactly the request. */
function bookingDifferences(request: ReceiptRequest, found: ReceiptRecord): string[] {
  const money = (c: number) => formatMoney(c, request.currency);
  const out: string[] = [];
  if (found.customerId.trim() !== request.customerId.trim()) out.push(`customer ${found.customerId} instead of ${request.customerId}`);
  if (found.amountCents !== request.amountCents) out.push(`${money(found.amountCents)} received instead of ${money(request.amountCents)}`);
  const sent = new Map(lineTotals(request.allocations).map((l) => [l.invoiceNo, l.amountCents]));
  const held = new Map(lineTotals(found.allocations).map((l) => [l.invoiceNo, l.amountCents]));
  for (const [invoiceNo, amount] of sent) {
    const got = held.get(invoiceNo);
    if (got === undefined) out.push(`invoice ${invoiceNo} (${money(amount)}) is missing`);
    else if (got !== amount) out.push(`invoice ${invoiceNo} has ${money(got)} applied instead of ${money(amount)}`);
  }
  for (const [invoiceNo, amount] of held) {
    if (!sent.has(invoiceNo)) out.push(`invoice ${invoiceNo} has ${money(amount)} applied that Tieout did not send`);
  }
  return out;
}

/** The ERP error for a booking that differs from the request. */
function partialBookingError(request: ReceiptRequest, found: ReceiptRecord, differences: readonly string[]): ErpError {
  return new ErpError(
    'partial',
    `Partial booking: the ERP holds receipt ${found.erpDocumentId} for PayTrace ${request.reference}, but ${differences.join('; ')}. ` +
      'Nothing more was sent. Complete or reverse the receipt in the ERP, then mark this payment posted or discard it.',
    { existingDocumentId: found.erpDocumentId },
  );
}

/**
 * The read-back after a write: returns it when it shows exactly what was sent;
 * throws `unknown_outcome` when the ERP shows nothing (the next attempt starts
 * with the look-up) and `partial` when it shows something else.
 */
export function confirmReceiptBooked(request: ReceiptRequest, found: ReceiptRecord | null, erpName = 'The ERP'): ReceiptRecord {
  if (!found) {
    throw new ErpError(
      'unknown_outcome',
      `${erpName} accepted receipt ${request.reference} but its read-back does not show it; Tieout looks it up again before anything is re-sent`,
    );
  }
  const differences = bookingDifferences(request, found);
  if (differences.length > 0) throw partialBookingError(request, found, differences);
  return found;
}

/** A look-up before a retry: what it found counts as posted only when it matches the request (else `partial`). */
export function verifyFoundReceipt(request: ReceiptRequest, found: ReceiptRecord | null): ReceiptRecord | null {
  return found ? confirmReceiptBooked(request, found) : null;
}
