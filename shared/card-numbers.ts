// Primary account numbers (card numbers) must never be kept by Tieout beyond
// what PayTrace masks. Free text is screened for digit runs of 13 to 19 digits
// (ISO/IEC 7812 lengths) that pass the Luhn check; spaces, dashes and dots
// between digit groups are how people type card numbers, so they are allowed
// inside a run. A Luhn-valid run is refused, not silently changed: the person
// typing knows what they meant to keep.

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

/** Runs of digits where single spaces, dashes or dots may separate groups. */
const DIGIT_RUN = /\d(?:[ .-]?\d)+/g;

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type CardNumberHit = Readonly<{ start: number; end: number; digits: number }>;

/**
 * Every window of 13–19 consecutive digits (within a run) that passes Luhn.
 * Windows, not whole runs: a card number glued to other digits ("ref 4111111111111111 9")
 * is still a card number.
 */
export function findCardNumbers(text: string): CardNumberHit[] {
  const hits: CardNumberHit[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const positions: number[] = [];
    for (let i = 0; i < run.length; i += 1) if (run[i]! >= '0' && run[i]! <= '9') positions.push(i);
    if (positions.length < MIN_DIGITS) continue;
    const digits = positions.map((p) => run[p]).join('');
    let found: CardNumberHit | null = null;
    for (let start = 0; start + MIN_DIGITS <= digits.length && !found; start += 1) {
      for (let length = Math.min(MAX_DIGITS, digits.length - start); length >= MIN_DIGITS; length -= 1) {
        if (luhnValid(digits.slice(start, start + length))) {
          const base = match.index ?? 0;
          found = { start: base + positions[start]!, end: base + positions[start + length - 1]! + 1, digits: length };
          break;
        }
      }
    }
    if (found) hits.push(found);
  }
  return hits;
}

export function containsCardNumber(text: string): boolean {
  return findCardNumbers(text).length > 0;
}

/** For logs and diagnostics only (never for stored business data, which is refused instead). */
export function redactCardNumbers(text: string): string {
  const hits = findCardNumbers(text);
  let out = text;
  for (const hit of [...hits].reverse()) out = `${out.slice(0, hit.start)}[card number removed]${out.slice(hit.end)}`;
  return out;
}

export const CARD_NUMBER_REFUSAL = 'This text looks like a card number (13–19 digits passing the card check digit). Tieout never keeps card numbers: remove it, or keep only the last four digits.';
