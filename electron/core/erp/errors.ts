// Typed ERP errors. The posting pipeline branches on `kind`:
// transient → retry with backoff; unknown_outcome → ask the ERP before any retry;
// partial → dead-letter naming what the ERP holds and what it lacks;
// everything else → dead-letter with the ERP's own message.

export type ErpErrorKind =
  | 'auth'
  | 'permission'
  | 'not_found'
  | 'validation'
  | 'transient'
  | 'unknown_outcome'
  /** The look-up found a receipt with this reference already: nothing was sent. */
  | 'duplicate'
  | 'malformed'
  | 'config'
  /**
   * The ERP holds a booking for this reference that differs from what was
   * sent (a line missing, another amount): never reported as posted, never
   * re-sent; a person completes or reverses it in the ERP (electron/core/erp/read-back.ts).
   */
  | 'partial';

export class ErpError extends Error {
  readonly kind: ErpErrorKind;
  /** The ERP's own message, verbatim (never contains credentials). */
  readonly erpMessage: string | undefined;
  /** Seconds the ERP asked us to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;
  /** For `duplicate`: the ERP document that already carries the reference. */
  readonly existingDocumentId: string | undefined;

  constructor(
    kind: ErpErrorKind,
    message: string,
    options: { erpMessage?: string; retryAfterSeconds?: number; existingDocumentId?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ErpError';
    this.kind = kind;
    this.erpMessage = options.erpMessage;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.existingDocumentId = options.existingDocumentId;
  }

  /** The Retry-After wait in milliseconds, for backoff code that counts in ms. */
  get retryAfterMs(): number | undefined {
    return this.retryAfterSeconds === undefined ? undefined : this.retryAfterSeconds * 1000;
  }

  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

export function isErpError(e: unknown): e is ErpError {
  return e instanceof ErpError;
}
