import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { formatAmount, formatDateTimeInZone, groupedDecimal } from './format';
import { flattenRaw, maskPan } from './raw-fields';

function viaIntl(iso: string, zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: '2-digit' })
    .format(new Date(iso))
    .replace(',', '')
    .replace(/^(\d\d\/\d\d\/\d{4}) 0?/, '$1 ');
}

describe('formatDateTimeInZone', () => {
  it('agrees with Intl every 7 minutes across both 2026 DST changes in several zones', () => {
    const zones = ['America/Los_Angeles', 'America/New_York', 'America/St_Johns', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
    const windows = ['2026-03-07T00:00:00Z', '2026-11-01T00:00:00Z', '2026-04-04T00:00:00Z', '2026-10-03T00:00:00Z'];
    let checked = 0;
    for (const zone of zones) {
      for (const start of windows) {
        for (let t = Date.parse(start); t < Date.parse(start) + 3 * 86_400_000; t += 7 * 60_000) {
          const iso = new Date(t).toISOString();
          expect(formatDateTimeInZone(iso, zone), `${iso} in ${zone}`).toBe(viaIntl(iso, zone));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('shows PayTrace merchant-local wall time', () => {
    expect(formatDateTimeInZone('2026-11-20T18:42:13Z', 'America/Los_Angeles')).toBe('11/20/2026 10:42 AM');
    expect(formatDateTimeInZone('2026-07-01T07:05:00Z', 'America/Los_Angeles')).toBe('07/01/2026 12:05 AM');
  });

  it('falls back to UTC for an unknown zone and passes unparseable input through', () => {
    expect(formatDateTimeInZone('2026-11-20T18:42:13Z', 'Mars/Olympus')).toBe('11/20/2026 6:42 PM');
    expect(formatDateTimeInZone('not a date', 'UTC')).toBe('not a date');
    expect(formatDateTimeInZone(null, 'UTC')).toBe('');
  });
});

describe('money display', () => {
  it('groups thousands without floats and formats via formatMoney', () => {
    expect(groupedDecimal(cents(123456789))).toBe('1,234,567.89');
    expect(groupedDecimal(cents(-5))).toBe('-0.05');
    expect(groupedDecimal(cents(100000))).toBe('1,000.00');
    expect(formatAmount(cents(123450))).toBe('$1,234.50');
    expect(formatAmount(null)).toBe('—');
  });
});

describe('raw PayTrace fields', () => {
  it('flattens nested fields and never shows a full card number', () => {
    const rows = flattenRaw({ transaction_id: 79388123, credit_card: { masked_number: 'xxxxxxxxxxxx5454', number: '4111111111111111' }, tags: ['a'] });
    expect(rows).toEqual([
      ['transaction_id', '79388123'],
      ['credit_card.masked_number', 'xxxxxxxxxxxx5454'],
      ['credit_card.number', '••••1111'],
      ['tags[0]', 'a'],
    ]);
    expect(maskPan('card 5454545454545454 exp 12/28')).toBe('card ••••5454 exp 12/28');
    expect(maskPan('invoice 1004521')).toBe('invoice 1004521');
  });
});

