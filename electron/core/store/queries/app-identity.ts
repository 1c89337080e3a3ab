import { systemClock } from '../../clock';
import type { ReadDb, WriteDb } from '../db';

// This data folder's identity (table app_identity, one row, migration 8).

export function readProfileId(db: ReadDb): string | null {
  const row = db.prepare('SELECT profile_id FROM app_identity WHERE id = 1').get() as { profile_id: string } | undefined;
  return row?.profile_id ?? null;
}

/** Records the profile id once; a second call keeps the first id (it keys the keychain entries). */
export function saveProfileId(db: WriteDb, profileId: string, at: string = systemClock.iso()): void {
  db.prepare('INSERT INTO app_identity (id, profile_id, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING').run(profileId, at);
}
