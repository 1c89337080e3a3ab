import { CARD_NUMBER_REFUSAL } from '@shared/card-numbers';

// The engine refuses an argument as "Invalid arguments for <method> at <path>:
// <why>". For the card-number screen (issue 12) the person needs to know which
// of the fields they typed to change, in the form's words, not the method's.

const INVALID_AT = /^Invalid arguments for \S+ at ([\w.]+): ([\s\S]*)$/;

/** "note" → "Note", "erpDocumentId" → "Erp document id", "reasonCodes.0" → "Reason codes". */
function fieldLabel(path: string): string {
  const name = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? path;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The engine's message, with a card-number refusal named by its field. */
export function fieldErrorMessage(message: string): string {
  const m = INVALID_AT.exec(message);
  if (!m || m[2] !== CARD_NUMBER_REFUSAL) return message;
  return `${fieldLabel(m[1]!)}: ${CARD_NUMBER_REFUSAL}`;
}
