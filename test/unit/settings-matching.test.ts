import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSettings, settingsSchema } from '../../shared/settings';
import { openStore } from '../../electron/core/store/db';
import { loadSettings, saveSettings } from '../../electron/core/store/queries/settings';

// Settings.matching (the matching rules as settings): default {}, stored with the
// other settings, and a settings blob written before it existed still loads.

describe('Settings.matching', () => {
  it('defaults to {} and round-trips through the store', () => {
    const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-settings-')));
    expect(loadSettings(db).matching).toEqual({});
    saveSettings(db, { ...defaultSettings(), matching: { shortPay: 'suggested', achReceivedStatuses: ['PROCESSED'] } });
    expect(loadSettings(db).matching).toEqual({ shortPay: 'suggested', achReceivedStatuses: ['PROCESSED'] });
    db.close();
  });

  it('a stored blob without it (older version) loads with the defaults', () => {
    const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-settings-')));
    const { matching: _omit, ...old } = defaultSettings();
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('app', JSON.stringify({ ...old, sync: { ...old.sync, intervalMinutes: 9 } }), new Date().toISOString());
    const loaded = loadSettings(db);
    expect(loaded.matching).toEqual({});
    expect(loaded.sync.intervalMinutes).toBe(9);
    db.close();
  });

  it('is validated by matchConfigOverrideSchema (ranges, unknown keys)', () => {
    expect(settingsSchema.safeParse({ ...defaultSettings(), matching: { shortPayAutoMaxPercent: 150 } }).success).toBe(false);
    expect(settingsSchema.safeParse({ ...defaultSettings(), matching: { shortpay: 'off' } }).success).toBe(false);
    expect(settingsSchema.parse({ ...defaultSettings(), matching: undefined }).matching).toEqual({});
  });
});
