import { DateTime, Info, Settings, type Zone } from 'luxon';

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

// Converting a local wall time to an instant the way luxon's
// `DateTime.fromObject({...}, { zone })` does, without one `Intl` call per row:
// luxon guesses the offset in force now, then corrects it with the zone's offset
// at the guessed instant (once or twice; `fixOffset` below is its algorithm,
// including the choice it makes in DST gaps and overlaps). The zone's offset is
// what costs: `Intl.DateTimeFormat#formatToParts` per call. Here it is cached per
// zone and UTC hour. An hour is cached only when the zone's own offset at its first
// and last millisecond agree (no transition inside it); an hour with a transition
// asks the zone for the exact instant every time. Anything unusual (invalid fields,
// years outside 1000-9998, unknown zones) takes the plain luxon path, so error
// messages and edge cases stay exactly as they were.

const HOUR_MS = 3_600_000;
const MAX_CACHED_HOURS = 200_000;
/** Marks an hour whose offset changes inside it. */
const NOT_CONSTANT = Symbol('not constant');

type ZoneOffsets = { zone: Zone; constant: number | null; hours: Map<number, number | typeof NOT_CONSTANT> };

const zoneCache = new Map<string, ZoneOffsets | null>();

/** The zone for a name (null when luxon would call the date invalid). The system zone is not cached: it can be reconfigured. */
function zoneOffsets(name: string): ZoneOffsets | null {
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  const zone = Info.normalizeZone(name);
  const entry = zone && zone.isValid ? { zone, constant: zone.isUniversal ? zone.offset(0) : null, hours: new Map() } : null;
  if (!zone || zone.type !== 'system') zoneCache.set(name, entry);
  return entry;
}

/** The zone's UTC offset in minutes at `ts` (luxon's own `zone.offset`), cached per UTC hour. */
function offsetAt(z: ZoneOffsets, ts: number): number {
  if (z.constant !== null) return z.constant;
  const hour = Math.floor(ts / HOUR_MS);
  let o = z.hours.get(hour);
  if (o === undefined) {
    const start = hour * HOUR_MS;
    const first = z.zone.offset(start);
    const last = z.zone.offset(start + HOUR_MS - 1);
    o = first === last ? first : NOT_CONSTANT;
    if (z.hours.size >= MAX_CACHED_HOURS) z.hours.clear();
    z.hours.set(hour, o);
  }
  return o === NOT_CONSTANT ? z.zone.offset(ts) : o;
}

/** luxon's fixOffset: local wall-clock ms + a guessed offset → [instant, offset]. */
function fixOffset(z: ZoneOffsets, localTs: number, o: number): number {
  let utcGuess = localTs - o * 60_000;
  const o2 = offsetAt(z, utcGuess);
  if (o === o2) return utcGuess;
  utcGuess -= (o2 - o) * 60_000;
  const o3 = offsetAt(z, utcGuess);
  if (o2 === o3) return utcGuess;
  // A gap (spring forward): luxon keeps the wall time and takes the earlier offset.
  return localTs - Math.min(o2, o3) * 60_000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  return month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function viaLuxon(input: string, year: number, month: number, day: number, hour: number, minute: number, second: number, zone: string): string {
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  if (!dt.isValid) throw new TimestampParseError(input, dt.invalidExplanation ?? 'invalid date');
  return dt.toUTC().toISO()!;
}

/** Returns the instant as an ISO-8601 UTC string ("2015-04-10T23:06:30.000Z"). */
export function parsePayTraceTimestamp(input: unknown, zone: string = DEFAULT_MERCHANT_ZONE): string {
  if (typeof input !== 'string') throw new TimestampParseError(input, 'expected a string');
  const m = STAMP.exec(input.trim());
  if (!m) throw new TimestampParseError(input, 'expected M/D/YYYY h:mm:ss AM/PM');
  const [, mo, d, y, h, mi, s, ampm] = m;
  let hour = h === undefined ? 0 : Number(h);
  if (ampm) {
    if (hour < 1 || hour > 12) throw new TimestampParseError(input, 'hour out of range');
    const pm = ampm.charCodeAt(0) === 80 || ampm.charCodeAt(0) === 112; // P / p
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const z = zoneOffsets(zone);
  if (
    z === null ||
    year < 1000 ||
    year > 9998 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    minute > 59 ||
    second > 59
  ) {
    return viaLuxon(input, year, month, day, hour, minute, second, zone);
  }
  const localTs = Date.UTC(year, month - 1, day, hour, minute, second);
  // luxon's first guess is the zone's offset right now (Settings.now()).
  return new Date(fixOffset(z, localTs, offsetAt(z, Settings.now()))).toISOString();
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
