import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { buildDemoWorld, pastInstant } from '../../electron/sandboxes/demo/world';

// The demo week is the 7 days before now: whatever hour the demo is first
// opened, no payment (nor its settlement) is dated later than now. Before, the
// payments of "today" were spread over all of today's business hours, so a
// demo opened at 10:00 showed payments dated this afternoon.

const WEEK_MS = 7 * 24 * 3600_000;

describe('demo world dates', () => {
  // Every hour of a day in the merchant's zone (and one in UTC), a weekday and a weekend.
  const nows: Date[] = [];
  for (const day of ['2026-12-07', '2026-12-13']) {
    for (let h = 0; h < 24; h++) nows.push(DateTime.fromISO(`${day}T${String(h).padStart(2, '0')}:17:00`, { zone: 'America/Los_Angeles' }).toJSDate());
  }
  nows.push(new Date('2026-12-08T00:16:09Z'));

  it('dates every payment and settlement in the 7 days before now, never after', () => {
    for (const now of nows) {
      const world = buildDemoWorld({ seed: 42, now, payments: 300 });
      expect(world.payments).toHaveLength(300);
      for (const p of world.payments) {
        const created = Date.parse(p.createdAt);
        expect(created, `${p.createdAt} with now ${now.toISOString()}`).toBeLessThanOrEqual(now.getTime());
        expect(created, `${p.createdAt} with now ${now.toISOString()}`).toBeGreaterThan(now.getTime() - WEEK_MS);
        if (p.settledAt) expect(Date.parse(p.settledAt), `settled ${p.settledAt} with now ${now.toISOString()}`).toBeLessThanOrEqual(now.getTime());
      }
      // Still in order of creation (transaction ids grow with time).
      const times = world.payments.map((p) => Date.parse(p.createdAt));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
  });

  it('keeps a payment of today on today when business hours have begun, and leaves past ones alone', () => {
    const zone = 'America/Los_Angeles';
    const now = DateTime.fromISO('2026-12-07T10:00:00', { zone });
    const afternoon = DateTime.fromISO('2026-12-07T15:30:00', { zone });
    const moved = pastInstant(afternoon, now);
    expect(moved < now).toBe(true);
    expect(moved.hasSame(now, 'day')).toBe(true);
    expect(moved.hour).toBeGreaterThanOrEqual(7);
    const morning = DateTime.fromISO('2026-12-07T08:00:00', { zone });
    expect(pastInstant(morning, now).toMillis()).toBe(morning.toMillis());
    // Before opening: yesterday, same time.
    const early = DateTime.fromISO('2026-12-07T06:30:00', { zone });
    expect(pastInstant(afternoon, early).toISO()).toBe(afternoon.minus({ days: 1 }).toISO());
  });

  it('a demo opened mid-morning still has payments of today (unsettled sales for the refund scenarios)', () => {
    const now = DateTime.fromISO('2026-12-07T10:00:00', { zone: 'America/Los_Angeles' });
    const world = buildDemoWorld({ seed: 42, now: now.toJSDate() });
    const today = world.payments.filter((p) => DateTime.fromISO(p.createdAt).setZone('America/Los_Angeles').hasSame(now, 'day'));
    expect(today.length).toBeGreaterThan(0);
    expect(today.every((p) => p.settledAt === null)).toBe(true);
  });
});
