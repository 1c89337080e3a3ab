import type { ReadDb, WriteDb } from '../db';

// The sync cursors (table sync_state): where the last sync stopped and when
// each side was last read. Since migration 8 nothing else lives there; the
// key is a closed union so a new kind of value gets its own table instead.

export const SYNC_CURSORS = [
  /** ISO time PayTrace was last read successfully. */
  'paytrace.as_of',
  /** ISO time the ERP was last read successfully. */
  'erp.as_of',
  /** The merchant-zone date the last PayTrace export window ended on. */
  'paytrace.last_window_end',
  /** ISO time the last sync finished without an error. */
  'sync.last_success_at',
  /** The demo world's "today" (demo mode only). */
  'demo.anchor',
] as const;

export type SyncCursor = (typeof SYNC_CURSORS)[number];

export function readSyncCursor(db: ReadDb, key: SyncCursor): string | null {
  const row = db.prepare('SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function writeSyncCursor(db: WriteDb, key: SyncCursor, value: string): void {
  db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
