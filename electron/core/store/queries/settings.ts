import { defaultSettings, settingsSchema, type Settings } from '@shared/settings';
import type { Db } from '../db';

const KEY = 'app';

export function loadSettings(db: Db): Settings {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return defaultSettings();
  const defaults = defaultSettings();
  const stored = JSON.parse(row.value) as Partial<Settings>;
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

export function saveSettings(db: Db, settings: Settings): void {
  const valid = settingsSchema.parse(settings);
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(KEY, JSON.stringify(valid), new Date().toISOString());
}

// The sync cursors' old names: keys are typed (SyncCursor), so sync_state cannot
// become a grab-bag again. New code imports from sync-cursors.ts.
export { readSyncCursor as getValue, writeSyncCursor as setValue } from './sync-cursors';
