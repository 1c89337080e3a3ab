import { describe, expect, it } from 'vitest';
import {
  formatPayTraceTimestamp,
  merchantDate,
  parseOptionalPayTraceTimestamp,
  parsePayTraceTimestamp,
  TimestampParseError,
  toPayTraceRequestDate,
} from '@shared/paytrace-time';

describe('parsePayTraceTimestamp', () => {
  it('reads the documented example in Pacific time by default', () => {
    expect(parsePayTraceTimestamp('4/10/2015 4:06:30 PM')).toBe('2015-04-10T23:06:30.000Z');
    expect(parsePayTraceTimestamp('4/10/2015 8:13:45 PM')).toBe('2015-04-11T03:13:45.000Z');
  });

  it('handles the 12 o\'clock edges of AM/PM', () => {
    expect(parsePayTraceTimestamp('4/10/2015 12:00:00 AM', 'UTC')).toBe('2015-04-10T00:00:00.000Z');
    expect(parsePayTraceTimestamp('4/10/2015 12:59:59 AM', 'UTC')).toBe('2015-04-10T00:59:59.000Z');
    expect(parsePayTraceTimestamp('4/10/2015 12:00:00 PM', 'UTC')).toBe('2015-04-10T12:00:00.000Z');
    expect(parsePayTraceTimestamp('4/10/2015 12:30:00 pm', 'UTC')).toBe('2015-04-10T12:30:00.000Z');
    expect(parsePayTraceTimestamp('4/10/2015 1:00:00 AM', 'UTC')).toBe('2015-04-10T01:00:00.000Z');
    expect(parsePayTraceTimestamp('4/10/2015 11:59:59 PM', 'UTC')).toBe('2015-04-10T23:59:59.000Z');
  });

  it('accepts zero-padded and unpadded fields and extra spaces', () => {
    expect(parsePayTraceTimestamp('04/09/2015 04:06:30 PM', 'UTC')).toBe('2015-04-09T16:06:30.000Z');
    expect(parsePayTraceTimestamp('  4/9/2015  4:06:30 PM ', 'UTC')).toBe('2015-04-09T16:06:30.000Z');
  });

  it('uses the configured zone', () => {
    const stamp = '7/1/2024 9:00:00 AM';
    expect(parsePayTraceTimestamp(stamp, 'America/Los_Angeles')).toBe('2024-07-01T16:00:00.000Z');
    expect(parsePayTraceTimestamp(stamp, 'America/New_York')).toBe('2024-07-01T13:00:00.000Z');
    expect(parsePayTraceTimestamp(stamp, 'America/Phoenix')).toBe('2024-07-01T16:00:00.000Z');
    expect(parsePayTraceTimestamp(stamp, 'UTC')).toBe('2024-07-01T09:00:00.000Z');
  });

  it('applies standard vs daylight offsets around DST changes', () => {
    // Day before / after the spring change (2025-03-09) in Los Angeles.
    expect(parsePayTraceTimestamp('3/8/2025 10:00:00 AM')).toBe('2025-03-08T18:00:00.000Z');
    expect(parsePayTraceTimestamp('3/9/2025 10:00:00 AM')).toBe('2025-03-09T17:00:00.000Z');
    expect(parsePayTraceTimestamp('3/9/2025 1:59:59 AM')).toBe('2025-03-09T09:59:59.000Z');
    expect(parsePayTraceTimestamp('3/9/2025 3:00:00 AM')).toBe('2025-03-09T10:00:00.000Z');
    // Fall back day (2025-11-02).
    expect(parsePayTraceTimestamp('11/2/2025 12:30:00 AM')).toBe('2025-11-02T07:30:00.000Z');
    expect(parsePayTraceTimestamp('11/2/2025 3:00:00 AM')).toBe('2025-11-02T11:00:00.000Z');
  });

  it('gives a real instant for the non-existent and the repeated hour', () => {
    // 2:30 AM does not exist on the spring day: it lands in the following hour.
    expect(parsePayTraceTimestamp('3/9/2025 2:30:00 AM')).toBe('2025-03-09T10:30:00.000Z');
    // 1:30 AM happens twice on the fall day: one of the two real instants.
    expect(['2025-11-02T08:30:00.000Z', '2025-11-02T09:30:00.000Z']).toContain(parsePayTraceTimestamp('11/2/2025 1:30:00 AM'));
  });

  it.each(['', '2015-04-10 16:06:30', '13/1/2015 1:00:00 AM', '2/29/2023 1:00:00 AM', '4/10/2015 13:00:00 PM', '4/10/2015 0:00:00 AM', '4/10/15 4:06:30 PM', 'yesterday'])(
    'rejects %j with a typed error',
    (input) => {
      expect(() => parsePayTraceTimestamp(input)).toThrow(TimestampParseError);
    },
  );

  it('rejects non-strings', () => {
    expect(() => parsePayTraceTimestamp(1428707190)).toThrow(TimestampParseError);
    expect(() => parsePayTraceTimestamp(null)).toThrow(TimestampParseError);
  });

  it('accepts leap days', () => {
    expect(parsePayTraceTimestamp('2/29/2024 1:00:00 AM', 'UTC')).toBe('2024-02-29T01:00:00.000Z');
  });
});

describe('settled and helpers', () => {
  it('treats "" and missing as not settled', () => {
    expect(parseOptionalPayTraceTimestamp('')).toBeNull();
    expect(parseOptionalPayTraceTimestamp('   ')).toBeNull();
    expect(parseOptionalPayTraceTimestamp(undefined)).toBeNull();
    expect(parseOptionalPayTraceTimestamp(null)).toBeNull();
    expect(parseOptionalPayTraceTimestamp('4/10/2015 8:13:45 PM', 'UTC')).toBe('2015-04-10T20:13:45.000Z');
    expect(() => parseOptionalPayTraceTimestamp('soon')).toThrow(TimestampParseError);
  });

  it('formats the way PayTrace exports and parses back', () => {
    const instant = '2015-04-10T23:06:30.000Z';
    expect(formatPayTraceTimestamp(instant)).toBe('4/10/2015 4:06:30 PM');
    expect(formatPayTraceTimestamp('2015-04-10T07:05:00.000Z')).toBe('4/10/2015 12:05:00 AM');
    expect(parsePayTraceTimestamp(formatPayTraceTimestamp(instant))).toBe(instant);
  });

  it('gives the merchant-local date of an instant', () => {
    expect(merchantDate('2015-04-11T03:13:45.000Z')).toBe('2015-04-10');
    expect(merchantDate('2015-04-11T03:13:45.000Z', 'America/New_York')).toBe('2015-04-10');
    expect(merchantDate('2015-04-11T05:13:45.000Z', 'America/New_York')).toBe('2015-04-11');
  });

  it('writes request dates as MM/DD/YYYY', () => {
    expect(toPayTraceRequestDate('2024-03-05')).toBe('03/05/2024');
  });
});
