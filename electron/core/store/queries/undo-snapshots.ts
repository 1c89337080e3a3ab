import type { ReadDb, WriteDb } from '../db';

// The rows a clerk's review action may touch (matches, clerk_allocations,
// allocations, and the state of the receipt's outbox row), copied whole before
// the action so "undo" can put them back column for column.

export type ReviewRowsSnapshot = Readonly<{
  matches: Record<string, unknown>[];
  clerkAllocations: Record<string, unknown>[];
  allocations: Record<string, unknown>[];
  outbox: Array<{ transaction_id: number; state: string; attempts: number }>;
}>;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

export function readReviewRows(db: ReadDb, ids: readonly number[]): ReviewRowsSnapshot {
  const p = placeholders(ids.length);
  return {
    matches: db.prepare(`SELECT * FROM matches WHERE transaction_id IN (${p})`).all(...ids) as Record<string, unknown>[],
    clerkAllocations: db.prepare(`SELECT * FROM clerk_allocations WHERE transaction_id IN (${p})`).all(...ids) as Record<string, unknown>[],
    allocations: db.prepare(`SELECT * FROM allocations WHERE transaction_id IN (${p})`).all(...ids) as Record<string, unknown>[],
    outbox: db.prepare(`SELECT transaction_id, state, attempts FROM outbox WHERE kind = 'receipt' AND transaction_id IN (${p})`).all(...ids) as ReviewRowsSnapshot['outbox'],
  };
}

// Table names are this module's constants, never caller input.
function insertRow(db: WriteDb, table: 'allocations' | 'clerk_allocations', row: Record<string, unknown>): void {
  const cols = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${cols.join(',')}) VALUES (${placeholders(cols.length)})`).run(...cols.map((c) => row[c]));
}

/** Puts the matches, clerk allocations and decided allocations of `ids` back as the snapshot has them (the outbox is the caller's). */
export function putBackReviewRows(db: WriteDb, ids: readonly number[], snapshot: ReviewRowsSnapshot): void {
  const p = placeholders(ids.length);
  db.prepare(`DELETE FROM allocations WHERE transaction_id IN (${p})`).run(...ids);
  for (const r of snapshot.allocations) insertRow(db, 'allocations', r);
  db.prepare(`DELETE FROM clerk_allocations WHERE transaction_id IN (${p})`).run(...ids);
  for (const r of snapshot.clerkAllocations) insertRow(db, 'clerk_allocations', r);
  for (const r of snapshot.matches) {
    const cols = Object.keys(r).filter((c) => c !== 'transaction_id');
    db.prepare(`UPDATE matches SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE transaction_id = ?`).run(...cols.map((c) => r[c]), r.transaction_id);
  }
}
