import type { LearnedUpdate } from '../../matching/learning';
import type { LearnedMapping } from '../../matching/types';
import type { ReadDb, WriteDb } from '../db';
import { systemClock } from '../../clock';

// Customer mappings learned from clerks' confirmations. One (key, value) points
// at one customer: an overruled mapping is replaced, not kept beside the new one.

export function listLearned(db: ReadDb): LearnedMapping[] {
  return (db.prepare('SELECT key, value, customer_id, confirmations FROM learned_mappings').all() as Array<{
    key: LearnedMapping['key'];
    value: string;
    customer_id: string;
    confirmations: number;
  }>).map((r) => ({ key: r.key, value: r.value, customerId: r.customer_id, confirmations: r.confirmations }));
}

export function storeLearned(db: WriteDb, updates: readonly LearnedUpdate[], now = systemClock.iso()): void {
  const remove = db.prepare('DELETE FROM learned_mappings WHERE key = ? AND value = ?');
  const insert = db.prepare('INSERT INTO learned_mappings (key, value, customer_id, confirmations, updated_at) VALUES (?, ?, ?, ?, ?)');
  for (const u of updates) {
    remove.run(u.mapping.key, u.mapping.value);
    insert.run(u.mapping.key, u.mapping.value, u.mapping.customerId, u.mapping.confirmations, now);
  }
}
