// The one Retry-After reader for every outbound HTTP client (PayTrace and the
// ERPs). RFC 9110 allows delay-seconds or an HTTP-date; anything else (a
// negative number, a fraction, text) is ignored rather than guessed at, so a
// server's typo can never make the backoff wait less than its own schedule.

// The longest wait honoured. A larger value (a hostile or broken server sending
// "99999999999999999999" or a date in the year 9999) is not a safe integer of
// milliseconds for the backoff and its timers; a day still keeps the client away.
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/** Whole seconds to wait (at most MAX_RETRY_AFTER_SECONDS), or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_SECONDS, Number(trimmed));
  // Only a real HTTP-date: Date.parse also reads "1.5" or "-3" as dates.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}
