import { z } from 'zod';
import { CARD_NUMBER_REFUSAL, containsCardNumber } from '../card-numbers';

// Everything a person types that Tieout keeps (notes, reasons, names, codes,
// settings) passes the card-number screen at the contract boundary, so no
// handler can forget it and nothing reaches the store or the audit log (which
// cannot be purged) before the refusal. The schemas made here are remembered,
// so a test can walk the whole contract and find any string that is not screened
// (test/unit/api/free-text-contract.test.ts).

const screenedSchemas = new WeakSet<z.ZodType>();

/** Adds the card-number refusal to a string schema (use it last: a later `.max()` etc. makes a new, unscreened schema). */
export function noCardNumbers<S extends z.ZodString>(schema: S): S {
  const screened = schema.refine((value) => !containsCardNumber(value), { message: CARD_NUMBER_REFUSAL }) as S;
  screenedSchemas.add(screened);
  return screened;
}

/** Typed text a person may write (notes, reasons, names): trimmed, length-limited, never a card number. */
export function freeText(limits: Readonly<{ max: number; min?: number }>): z.ZodString {
  const trimmed = z.string().trim();
  const bounded = limits.min === undefined ? trimmed.max(limits.max) : trimmed.min(limits.min).max(limits.max);
  return noCardNumbers(bounded);
}

export function isCardScreened(schema: z.ZodType): boolean {
  return screenedSchemas.has(schema);
}

/** A string this short cannot hold 13 digits, so it cannot hold a card number. */
export const SHORTEST_CARD_NUMBER = 13;
