import { z } from 'zod';
import { defaultSettings, settingsSchema, type Settings } from '@shared/settings';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';
import { systemClock } from '../../clock';

const KEY = 'app';

// As stored: each section may lack fields a newer version added (the defaults
// fill them), and the merged whole is checked by settingsSchema.
const storedSettingsSchema = z.looseObject({
  paytrace: z.looseObject({}).nullish(),
  erp: z.looseObject({}).nullish(),
  sync: z.looseObject({}).nullish(),
  matching: z.unknown().optional(),
});

export function loadSettings(db: ReadDb): Settings {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return defaultSettings();
  const defaults = defaultSettings();
  const stored = parseJsonColumn(storedSettingsSchema, row.value, 'settings.value (app)');
  // Settings written by an older version may lack newer fields: defaults fill them.
  const merged = {
    paytrace: { ...defaults.paytrace, ...stored.paytrace },
    erp: { ...defaults.erp, ...stored.erp },
    sync: { ...defaults.sync, ...stored.sync },
    // Absent before matching rules were settings: the defaults ({}).
    matching: stored.matching ?? defaults.matching,
  };
  const checked = settingsSchema.safeParse(merged);
  if (!checked.success) throw new StoredSettingsError(checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return checked.data;
}

/**
 * Settings stored by an older version that this version refuses (an http://
 * production URL, an unknown time zone...): named in words rather than a
 * schema dump, and never used, since using them would send data where it must not go.
 */
export class StoredSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The saved settings are not valid and were not used: ${problems.join('; ')}. Correct them in Settings with the version that saved them, then start this version again.`);
    this.name = 'StoredSettingsError';
  }
}

export function saveSettings(db: WriteDb, settings: Settings, now: string = systemClock.iso()): void {
  const valid = settingsSchema.parse(settings);
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(KEY, JSON.stringify(valid), now);
}
