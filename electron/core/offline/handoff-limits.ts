import { HANDOFF_MAX_FILE_BYTES } from '@shared/handoff-limits';

// What a hand-off file may ask of the engine, checked in this order before the
// work each one guards (docs/security/handoff.md): the file's size before
// reading it, the header's size before parsing it, the key-derivation settings
// before deriving, the kind before decrypting, the unpacked size while
// gunzipping, the record counts before the schema check.
//
// Sized from the largest realistic hand-off: an exception with four candidates
// is about 2.9 KB of JSON, so 10,000 open exceptions (far more than a team
// reviews offline) are about 27 MiB. Parsing 32 MiB of JSON takes about 0.3 s.

export type HandoffLimits = Readonly<{
  /** The file as read or uploaded. */
  maxFileBytes: number;
  /** The clear JSON header (a real one is about 300 bytes). */
  maxHeaderBytes: number;
  /** The decrypted payload once gunzipped. */
  maxPayloadBytes: number;
  /** Records per array of an exceptions file. */
  maxExceptions: number;
  maxInvoices: number;
  maxCustomers: number;
  /** Decided transactions in a decisions file. */
  maxDecisions: number;
}>;

export const HANDOFF_LIMITS: HandoffLimits = {
  maxFileBytes: HANDOFF_MAX_FILE_BYTES,
  maxHeaderBytes: 4 * 1024,
  maxPayloadBytes: 32 * 1024 * 1024,
  maxExceptions: 10_000,
  maxInvoices: 50_000,
  maxCustomers: 20_000,
  maxDecisions: 10_000,
};
