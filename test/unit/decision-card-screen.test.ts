import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARD_NUMBER_REFUSAL } from '@shared/card-numbers';
import { DecisionError, setExceptionReason, setNote, setOwner } from '../../electron/core/offline/decisions';
import { openStore } from '../../electron/core/store/db';

// Issue 12 point 5: a reviewer's hand-off decisions reach the store without the
// API contract; the card screen runs where they are applied, before the row is
// even looked up, so an import skips the decision with the reason and keeps nothing.

describe('hand-off decisions are screened for card numbers (issue 12)', () => {
  const db = openStore(join(mkdtempSync(join(tmpdir(), 'tieout-decisions-')), 'data'));
  const refusal = (f: () => void): string => {
    try {
      f();
      return '(applied)';
    } catch (e) {
      return e instanceof DecisionError ? `${e.code}: ${e.message}` : String(e);
    }
  };

  it('refuses a note, an owner or a reviewer name holding a card number', () => {
    expect(refusal(() => setNote(db, 1, 'card 4111-1111-1111-1111', 'clerk'))).toBe(`invalid_args: Note: ${CARD_NUMBER_REFUSAL}`);
    expect(refusal(() => setOwner(db, 1, '5500 0000 0000 0004', 'clerk'))).toBe(`invalid_args: Owner: ${CARD_NUMBER_REFUSAL}`);
    expect(refusal(() => setExceptionReason(db, 1, null, '378282246310005', 'clerk'))).toBe(`invalid_args: Note: ${CARD_NUMBER_REFUSAL}`);
    expect(refusal(() => setNote(db, 1, 'fine', 'clerk (hand-off review by 4111111111111111)'))).toBe(`invalid_args: Reviewer: ${CARD_NUMBER_REFUSAL}`);
    // Without a card number the same call goes on to its usual checks.
    expect(refusal(() => setNote(db, 1, 'card ending 1111', 'clerk'))).toMatch(/^not_found: /);
  });
});
