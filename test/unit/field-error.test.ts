import { describe, expect, it } from 'vitest';
import { CARD_NUMBER_REFUSAL } from '@shared/card-numbers';
import { apiContract } from '@shared/api-contract';
import { fieldErrorMessage } from '../../renderer/api/field-error';

// Issue 12: the card-number refusal reaches the form's error line naming the field the person typed it in.

describe('fieldErrorMessage', () => {
  it('names the field of a card-number refusal in words', () => {
    const parsed = apiContract['posting:markPosted'].args.safeParse({ transactionId: 1, erpDocumentId: '4111 1111 1111 1111' });
    const issue = parsed.error!.issues[0]!;
    // The dispatcher's wording (electron/core/api/dispatch.ts).
    const engineMessage = `Invalid arguments for posting:markPosted at ${issue.path.join('.')}: ${issue.message}`;
    expect(fieldErrorMessage(engineMessage)).toBe(`Erp document id: ${CARD_NUMBER_REFUSAL}`);
    expect(fieldErrorMessage(`Invalid arguments for refunds:request at note: ${CARD_NUMBER_REFUSAL}`)).toBe(`Note: ${CARD_NUMBER_REFUSAL}`);
    expect(fieldErrorMessage(`Invalid arguments for refunds:setPolicy at reasonCodes.2: ${CARD_NUMBER_REFUSAL}`)).toBe(`Reason codes: ${CARD_NUMBER_REFUSAL}`);
  });

  it('leaves every other message as the engine wrote it', () => {
    for (const m of ['Invalid arguments for refunds:request at note: Too big: expected string to have <=2000 characters', 'Transaction 4 is not in the local store']) expect(fieldErrorMessage(m)).toBe(m);
  });
});
