import { DateTime } from 'luxon';

// PayTrace timestamps are "M/D/YYYY h:mm:ss AM/PM" with no zone; the merchant's
// zone (a setting, default America/Los_Angeles) says what instant they mean.

export const DEFAULT_MERCHANT_ZONE = 'America/Los_Angeles';

export class TimestampParseError extends Error {
  constructor(readonly input: unknown, reason: string) {
    super(`Not a PayTrace timestamp: ${JSON.stringify(input)} (${reason})`);
    this.name = 'TimestampParseError';
  }
}

const STAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm]))?$/;

/** Returns the instant as an ISO-8601 UTC string ("2015-04-10T23:06:30.000Z"). */
export function parsePayTraceTimestamp(input: unknown, zone: string = DEFAULT_MERCHANT_ZONE): string {
  if (typeof input !== 'string') throw new TimestampParseError(input, 'expected a string');
  const m = STAMP.exec(input.trim());
  if (!m) throw new TimestampParseError(input, 'expected M/D/YYYY h:mm:ss AM/PM');
  const [, mo, d, y, h, mi, s, ampm] = m;
  let hour = h === undefined ? 0 : Number(h);
  if (ampm) {
    if (hour < 1 || hour > 12) throw new TimestampParseError(input, 'hour out of range');
    const pm = ampm.toUpperCase() === 'PM';
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  const dt = DateTime.fromObject(
    { year: Number(y), month: Number(mo), day: Number(d), hour, minute: Number(mi ?? 0), second: Number(s ?? 0) },
    { zone },
  );
  if (!dt.isValid) throw new TimestampParseError(input, dt.invalidExplanation ?? 'invalid date');
  return dt.toUTC().toISO()!;
}

/** Empty string or missing means "not settled yet" in PayTrace exports. */
export function parseOptionalPayTraceTimestamp(input: unknown, zone: string = DEFAULT_MERCHANT_ZONE): string | null {
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) return null;
  return parsePayTraceTimestamp(input, zone);
}

/** The merchant-local calendar date (YYYY-MM-DD) of an instant. */
export function merchantDate(isoInstant: string, zone: string = DEFAULT_MERCHANT_ZONE): string {
  return DateTime.fromISO(isoInstant, { zone: 'utc' }).setZone(zone).toISODate()!;
}

/** PayTrace request dates are MM/DD/YYYY. */
export function toPayTraceRequestDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${m}/${d}/${y}`;
}

/** Formats an instant the way PayTrace exports do (M/D/YYYY h:mm:ss AM/PM, merchant zone). */
export function formatPayTraceTimestamp(isoInstant: string, zone: string = DEFAULT_MERCHANT_ZONE): string {
  return DateTime.fromISO(isoInstant, { zone: 'utc' }).setZone(zone).toFormat('M/d/yyyy h:mm:ss a');
}
