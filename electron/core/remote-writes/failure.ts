import { ErpError, isErpError } from '../erp/errors';

// What a failed ERP write means for the row, in one place for every kind.

export type WriteFailure =
  /** The look-up inside the connector found the document: nothing was sent, the write is done. */
  | Readonly<{ kind: 'duplicate'; documentId: string }>
  /** The request may have arrived: the next attempt starts with the look-up. */
  | Readonly<{ kind: 'unknown_outcome'; message: string }>
  | Readonly<{ kind: 'transient'; message: string; short: string; retryAfterSeconds: number | undefined }>
  /** The ERP refused: a clerk has to act (dead letter). */
  | Readonly<{ kind: 'permanent'; message: string }>;

export function classifyErpFailure(e: unknown): WriteFailure {
  const err: ErpError = isErpError(e) ? e : new ErpError('transient', (e as Error | undefined)?.message ?? String(e), { cause: e });
  if (err.kind === 'duplicate') return { kind: 'duplicate', documentId: err.existingDocumentId ?? 'existing' };
  const message = err.erpMessage ? `${err.message} (ERP: ${err.erpMessage})` : err.message;
  if (err.kind === 'unknown_outcome') return { kind: 'unknown_outcome', message };
  if (err.kind === 'transient') return { kind: 'transient', message, short: err.message, retryAfterSeconds: err.retryAfterSeconds };
  return { kind: 'permanent', message };
}
