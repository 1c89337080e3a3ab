import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../electron/core/http/retry-after';

const NOW = Date.parse('2026-01-05T15:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });
  it('reads an HTTP-date as whole seconds from now, never negative', () => {
    expect(parseRetryAfter('Mon, 05 Jan 2026 15:00:30 GMT', NOW)).toBe(30);
    expect(parseRetryAfter('Mon, 05 Jan 2026 14:00:00 GMT', NOW)).toBe(0);
  });
  it('ignores what is neither (Date.parse would read "1.5" or "-3" as a date)', () => {
    for (const v of [undefined, '', 'soon', '-3', '1.5', 12]) expect(parseRetryAfter(v, NOW)).toBeUndefined();
  });
  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['4', '9'], NOW)).toBe(4);
  });
});
