// Typed PayTrace errors. Callers branch on `kind`:
// auth / config → stop and tell the user; invalid_token → the client already
// re-authenticated once, so this means the gateway keeps rejecting fresh tokens;
// business / declined → PayTrace's own answer, keep its codes; transient → retry
// later (respect retryAfterSeconds); malformed → the reply could not be read.
// Messages are for people and never carry the password or a token.

export type PayTraceErrorKind =
  | 'auth'
  | 'invalid_token'
  | 'business'
  | 'declined'
  | 'transient'
  | 'malformed'
  | 'config';

/** PayTrace's `errors` object: numeric-string code → messages. */
export type PayTraceErrorMap = Readonly<Record<string, readonly string[]>>;

export type PayTraceErrorDetails = {
  /** The v1 path or "/oauth/token" the error came from. */
  path?: string;
  httpStatus?: number;
  responseCode?: number;
  statusMessage?: string;
  errors?: PayTraceErrorMap;
  retryAfterSeconds?: number;
  /** A declined sale still has a transaction id. */
  transactionId?: number;
  approvalMessage?: string;
  /** Low-level cause code such as ECONNRESET or ETIMEDOUT (never the raw request). */
  networkCode?: string;
  /**
   * The request may have reached PayTrace and taken effect (connection lost or
   * timed out after sending a void/refund/sale). Look the transaction up
   * before any retry: a blind retry could refund twice.
   */
  outcomeUnknown?: boolean;
};

export class PayTraceError extends Error {
  readonly kind: PayTraceErrorKind;
  readonly path: string | undefined;
  readonly httpStatus: number | undefined;
  readonly responseCode: number | undefined;
  readonly statusMessage: string | undefined;
  readonly errors: PayTraceErrorMap;
  readonly retryAfterSeconds: number | undefined;
  readonly transactionId: number | undefined;
  readonly approvalMessage: string | undefined;
  readonly networkCode: string | undefined;
  readonly outcomeUnknown: boolean;

  constructor(kind: PayTraceErrorKind, message: string, details: PayTraceErrorDetails = {}) {
    // No `cause`: an axios error holds the request config, which holds the
    // password (token call) or the bearer token (v1 calls).
    super(message);
    this.name = 'PayTraceError';
    this.kind = kind;
    this.path = details.path;
    this.httpStatus = details.httpStatus;
    this.responseCode = details.responseCode;
    this.statusMessage = details.statusMessage;
    this.errors = details.errors ?? {};
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.transactionId = details.transactionId;
    this.approvalMessage = details.approvalMessage;
    this.networkCode = details.networkCode;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }

  get retryable(): boolean {
    return this.kind === 'transient';
  }

  /** The numeric error codes PayTrace returned, e.g. [817]. */
  get codes(): number[] {
    return Object.keys(this.errors)
      .map(Number)
      .filter((n) => Number.isFinite(n));
  }

  hasCode(code: number): boolean {
    return Object.prototype.hasOwnProperty.call(this.errors, String(code));
  }
}

export function isPayTraceError(e: unknown): e is PayTraceError {
  return e instanceof PayTraceError;
}

/** "[817] The Transaction ID ... ; [58] Please provide ..." — PayTrace's own words, codes kept. */
export function describeErrorMap(errors: PayTraceErrorMap): string {
  return Object.entries(errors)
    .map(([code, messages]) => `[${code}] ${messages.join(' ')}`)
    .join('; ');
}

/**
 * One message as text. Not String(): a hostile object such as {"toString": null}
 * makes String() throw a TypeError (found by test/unit/fuzz-paytrace.test.ts).
 */
function messageText(m: unknown): string {
  if (typeof m === 'string') return m;
  if (typeof m === 'number' || typeof m === 'boolean' || m === null || m === undefined) return String(m);
  return JSON.stringify(m) ?? '';
}

/** Reads an `errors` value defensively: keys as strings, values as arrays of strings. */
export function readErrorMap(value: unknown): PayTraceErrorMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  // No prototype: a "__proto__" code from the reply stays a plain key.
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [code, messages] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(messages)) out[code] = messages.map(messageText);
    else if (messages !== undefined && messages !== null) out[code] = [messageText(messages)];
  }
  return out;
}
