import { centsToDecimalString, formatMoney, type Cents } from '@shared/money';

// Display helpers. Money goes through formatMoney only; dates are shown in the
// merchant's zone because that is the zone PayTrace reports and clerks reconcile in.

// Formatting 100k timestamps through Intl is slow (the quick filter formats
// every row), so the zone offset is looked up once per UTC day, or per quarter
// hour on a day when it changes (every real-world offset change happens on a
// quarter-hour boundary), and the wall time is computed with plain arithmetic.
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const offsetCaches = new Map<string, ZoneCache>();
const partsFormatters = new Map<string, Intl.DateTimeFormat | null>();

function partsFormatter(zone: string): Intl.DateTimeFormat | null {
  if (!partsFormatters.has(zone)) {
    try {
      partsFormatters.set(
        zone,
        new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }),
      );
    } catch {
      partsFormatters.set(zone, null); // unknown zone in settings: show UTC rather than blank the grid
    }
  }
  return partsFormatters.get(zone) ?? null;
}

function offsetAt(zone: string, at: number): number {
  const f = partsFormatter(zone);
  if (!f) return 0;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return wall - at;
}

type ZoneCache = { boundaries: Map<number, number>; days: Map<number, number | null>; quarters: Map<number, number> };

function cached(map: Map<number, number>, key: number, compute: () => number): number {
  let v = map.get(key);
  if (v === undefined) {
    v = compute();
    map.set(key, v);
  }
  return v;
}

function zoneOffsetMs(zone: string, instant: number): number {
  let cache = offsetCaches.get(zone);
  if (!cache) {
    cache = { boundaries: new Map(), days: new Map(), quarters: new Map() };
    offsetCaches.set(zone, cache);
  }
  // Most UTC days have one offset throughout: the offsets at its two midnights
  // (shared with the neighbouring days) cover the whole day.
  const day = Math.floor(instant / DAY_MS);
  let whole = cache.days.get(day);
  if (whole === undefined) {
    const c = cache;
    const start = cached(c.boundaries, day, () => offsetAt(zone, day * DAY_MS));
    const end = cached(c.boundaries, day + 1, () => offsetAt(zone, (day + 1) * DAY_MS));
    whole = start === end ? start : null;
    cache.days.set(day, whole);
  }
  if (whole !== null) return whole;
  // A day with an offset change: resolve per quarter hour.
  const bucket = Math.floor(instant / QUARTER_HOUR_MS);
  return cached(cache.quarters, bucket, () => offsetAt(zone, bucket * QUARTER_HOUR_MS));
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** "11/20/2026 10:42 AM" in the given IANA zone. */
export function formatDateTimeInZone(iso: string | null | undefined, zone: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + zoneOffsetMs(zone, t));
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()} ${h12}:${pad2(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
}

const clock = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' });
const dayClock = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "10:42 AM" for today, "Nov 19, 10:42 AM" otherwise (local zone: it is about this machine's sync). */
export function formatClock(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toDateString() === now.toDateString() ? clock.format(d) : dayClock.format(d);
}

export function formatAmount(value: Cents | number | null | undefined, currency = 'USD'): string {
  if (value === null || value === undefined) return '—';
  return formatMoney(value, currency);
}

export function formatScore(score: number): string {
  return score.toFixed(2);
}

export function humanize(code: string): string {
  const s = code.replace(/[_:.-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "1,234.50" without Intl: used to build quick-filter text for 100k rows. */
export function groupedDecimal(value: Cents | number): string {
  return centsToDecimalString(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
