import { ApiCallError, errorMessage } from '../../api/client';
import { useApiQuery } from '../../api/query';

// The ERP kinds the engine's registry offers, with their labels and option
// fields: the renderer's only source of ERP names. They do not change while
// the app runs, so one fetch serves the session (the query never goes stale).

export function useErpKinds() {
  return useApiQuery('erp:kinds', {});
}

/** A refusal for lack of role gets words a clerk can act on; anything else the engine's own message. */
export function settingsErrorMessage(err: unknown, what: string): string {
  if (err instanceof ApiCallError && err.code === 'forbidden') return `Only an admin can change ${what}. Ask an admin to sign in and make this change.`;
  return errorMessage(err);
}
