import fc from 'fast-check';
import { DateTime, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePayTraceTimestamp, TimestampParseError } from '@shared/paytrace-time';

// The cached-offset parser must give exactly what the plain luxon conversion gave
// (one `DateTime.fromObject(..., { zone })` per row), including the instant it
// picks in DST gaps and overlaps, which depends on the offset in force "now".

const STAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm]))?$/;

/** The previous implementation, verbatim in behaviour: the reference. */
function reference(input: string, zone: string): string {
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
  const dt = DateTime.fromObject({ year: Number(y), month: Number(mo), day: Number(d), hour, minute: Number(mi ?? 0), second: Number(s ?? 0) }, { zone });
  if (!dt.isValid) throw new TimestampParseError(input, dt.invalidExplanation ?? 'invalid date');
  return dt.toUTC().toISO()!;
}

function outcome(f: () => string): { ok: string } | { error: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const ZONES = [
  'America/Los_Angeles',
  'America/New_York',
  'America/Phoenix',
  'America/St_Johns', // -3:30 with DST
  'America/Santiago', // transitions at midnight
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe', // 30-minute DST
  'Pacific/Chatham', // +12:45 / +13:45
  'Pacific/Apia', // skipped 2011-12-30 entirely
  'Asia/Kolkata',
  'Asia/Tehran',
  'Africa/Casablanca', // DST suspended for Ramadan
  'UTC',
];

/** Local dates (y, m, d) around every offset change of a zone in 1965-2040 (sampled weekly, then every day of a week with a change). */
function transitionDays(zone: string): Array<[number, number, number]> {
  const days: Array<[number, number, number]> = [];
  let prev = DateTime.fromObject({ year: 1965, month: 1, day: 1, hour: 12 }, { zone });
  for (let t = prev.plus({ days: 7 }); t.year < 2041; t = t.plus({ days: 7 })) {
    if (t.offset !== prev.offset) {
      for (let i = -1; i <= 8; i++) {
        const day = prev.plus({ days: i });
        days.push([day.year, day.month, day.day]);
      }
    }
    prev = t;
  }
  return days;
}

const transitions = new Map(ZONES.map((z) => [z, transitionDays(z)] as const));

const NOWS = [
  Date.UTC(2025, 0, 15), // northern winter
  Date.UTC(2025, 6, 15), // northern summer
  Date.UTC(2011, 11, 30, 12), // Apia's skipped day
  Date.UTC(1999, 9, 31, 9, 30),
];

const pad = (n: number, padded: boolean): string => (padded ? String(n).padStart(2, '0') : String(n));

function stampOf(p: { y: number; mo: number; d: number; h: number; mi: number; s: number | null; ampm: string; padded: boolean; dateOnly: boolean; spaces: string }): string {
  const date = `${pad(p.mo, p.padded)}/${pad(p.d, p.padded)}/${String(p.y).padStart(4, '0')}`;
  if (p.dateOnly) return date;
  return `${date}${p.spaces}${pad(p.h, p.padded)}:${String(p.mi).padStart(2, '0')}${p.s === null ? '' : `:${String(p.s).padStart(2, '0')}`}${p.ampm}`;
}

const timeParts = {
  h: fc.integer({ min: 1, max: 12 }),
  mi: fc.integer({ min: 0, max: 59 }),
  s: fc.option(fc.integer({ min: 0, max: 59 }), { nil: null, freq: 8 }),
  ampm: fc.constantFrom(' AM', ' PM', 'am', ' pm', ' Am'),
  padded: fc.boolean(),
  dateOnly: fc.boolean().map((b) => b && Math.random() < 0.1),
  spaces: fc.constantFrom(' ', '  '),
};

const onTransitionDay = fc
  .constantFrom(...ZONES.filter((z) => transitions.get(z)!.length > 0))
  .chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      day: fc.constantFrom(...transitions.get(zone)!),
      ...timeParts,
      dateOnly: fc.constant(false),
    }),
  )
  .map(({ zone, day: [y, mo, d], ...rest }) => ({ zone, stamp: stampOf({ y, mo, d, ...rest }) }));

const anyDay = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    y: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1900, max: 2100 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }) }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }), // includes impossible days (4/31, 2/30)
    ...timeParts,
  })
  .map(({ zone, ...rest }) => ({ zone, stamp: stampOf(rest) }));

/** Out-of-range fields: the errors must be word for word the same. */
const outOfRange = fc
  .record({
    zone: fc.constantFrom(...ZONES, 'Mars/Olympus_Mons', 'utc', 'UTC+3'),
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 99 }),
    d: fc.integer({ min: 0, max: 99 }),
    ...timeParts,
    h: fc.integer({ min: 0, max: 99 }),
    mi: fc.integer({ min: 0, max: 99 }),
    s: fc.option(fc.integer({ min: 0, max: 99 }), { nil: null }),
  })
  .map(({ zone, ...rest }) => ({ zone, stamp: stampOf(rest) }));

describe('parsePayTraceTimestamp with the per-zone offset cache equals luxon', () => {
  const realNow = Settings.now;
  afterEach(() => {
    Settings.now = realNow;
  });

  for (const now of NOWS) {
    const label = new Date(now).toISOString();
    it(`on DST transition days in ${transitions.size} zones (now = ${label})`, () => {
      Settings.now = () => now;
      fc.assert(
        fc.property(onTransitionDay, ({ zone, stamp }) => {
          expect(outcome(() => parsePayTraceTimestamp(stamp, zone))).toEqual(outcome(() => reference(stamp, zone)));
        }),
        { numRuns: 3000 },
      );
    });

    it(`on any day (now = ${label})`, () => {
      Settings.now = () => now;
      fc.assert(
        fc.property(anyDay, ({ zone, stamp }) => {
          expect(outcome(() => parsePayTraceTimestamp(stamp, zone))).toEqual(outcome(() => reference(stamp, zone)));
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('on every minute of the gap and overlap hours in Los Angeles, London and Lord Howe', () => {
    for (const [zone, days] of [
      ['America/Los_Angeles', ['3/9/2025', '11/2/2025', '3/12/2023', '11/5/2023']],
      ['Europe/London', ['3/30/2025', '10/26/2025']],
      ['Australia/Lord_Howe', ['10/5/2025', '4/6/2025']],
    ] as const) {
      for (const now of NOWS) {
        Settings.now = () => now;
        for (const day of days) {
          for (let h = 0; h < 24; h++) {
            for (let mi = 0; mi < 60; mi += 1) {
              const stamp = `${day} ${h % 12 === 0 ? 12 : h % 12}:${String(mi).padStart(2, '0')}:30 ${h < 12 ? 'AM' : 'PM'}`;
              expect(parsePayTraceTimestamp(stamp, zone), `${stamp} ${zone}`).toBe(reference(stamp, zone));
            }
          }
        }
      }
    }
  });

  it('with out-of-range fields and odd zones (same result or the same error)', () => {
    fc.assert(
      fc.property(outOfRange, ({ zone, stamp }) => {
        expect(outcome(() => parsePayTraceTimestamp(stamp, zone))).toEqual(outcome(() => reference(stamp, zone)));
      }),
      { numRuns: 3000 },
    );
  });
});
