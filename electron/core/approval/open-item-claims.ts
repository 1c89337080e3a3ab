// An open item is an invoice (positive open balance, claimed downwards by
// positive allocations) or an open credit (negative balance, applied inside a
// receipt by negative allocations). Sums of allocations per item keep the
// item's sign, so "already claimed" on a credit is negative and never frees
// balance on an invoice. One rule for "is this more than is left" for both.

/**
 * True when `amountCents` more, on top of `claimedCents` already spoken for,
 * is more than the item has open: an amount of the wrong sign for the item,
 * or beyond its balance in the item's direction.
 */
export function exceedsOpenBalance(openBalanceCents: number, claimedCents: number, amountCents: number): boolean {
  if (openBalanceCents > 0) return amountCents <= 0 || claimedCents + amountCents > openBalanceCents;
  if (openBalanceCents < 0) return amountCents >= 0 || claimedCents + amountCents < openBalanceCents;
  return true;
}
