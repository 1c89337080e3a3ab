// The largest hand-off file Tieout reads, shared by the API contract (the
// browser uploads a file as base64) and the engine (electron/core/offline/handoff-limits.ts).
// A real file is gzip-compressed JSON of at most HANDOFF_LIMITS.maxPayloadBytes,
// and compressed JSON is never larger than the JSON itself, so a bigger file
// is not one Tieout wrote.

/** 32 MiB: about ten thousand exceptions with their candidates and invoices, compressed several times over. */
export const HANDOFF_MAX_FILE_BYTES = 32 * 1024 * 1024;

/** The same limit as base64 characters (4 per 3 bytes). */
export const HANDOFF_MAX_BASE64_CHARS = Math.ceil(HANDOFF_MAX_FILE_BYTES / 3) * 4;
