import { ErpError } from './errors';

// Every connector's write starts the same way: look the reference up and send
// nothing when the ERP already holds it. The `duplicate` error carries the
// document found, so the posting pipeline records it instead of posting twice.
// One place, so the rule (and any later "the runner already looked" shortcut)
// is changed once for all six connectors.

/** Throws ErpError('duplicate') when `lookUp` finds the document; `describe` words it for the clerk. */
export async function refuseIfAlreadyPosted<T extends Readonly<{ erpDocumentId: string }>>(lookUp: () => Promise<T | null>, describe: (found: T) => string): Promise<void> {
  const existing = await lookUp();
  if (existing) throw new ErpError('duplicate', describe(existing), { existingDocumentId: existing.erpDocumentId });
}
