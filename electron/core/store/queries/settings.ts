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
  return settingsSchema.parse(merged);
}

export function saveSettings(db: WriteDb, settings: Settings, now: string = systemClock.iso()): void {
  const valid = settingsSchema.parse(settings);
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(KEY, JSON.stringify(valid), now);
}
