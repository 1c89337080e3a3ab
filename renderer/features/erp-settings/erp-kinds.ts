import type { ErpKindInfo } from '@shared/api/erp';
import { ApiCallError, errorMessage, invoke } from '../../api/client';

// The option fields of each ERP kind, as the engine's registry describes
// them. They do not change while the app runs, so one fetch serves the session.

let cached: Promise<ErpKindInfo[]> | null = null;

export function loadErpKinds(): Promise<ErpKindInfo[]> {
  if (!cached) {
    cached = invoke('erp:kinds', {});
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}

/** A refusal for lack of role gets words a clerk can act on; anything else the engine's own message. */
export function settingsErrorMessage(err: unknown, what: string): string {
  if (err instanceof ApiCallError && err.code === 'forbidden') return `Only an admin can change ${what}. Ask an admin to sign in and make this change.`;
  return errorMessage(err);
}
