import { appendAudit } from '../audit/audit-log';
import type { Db } from '../store/db';

// "Undo the last action" for the clerk's review workflow. Before a reviewing
// action runs, the rows it may touch are snapshotted; undo puts them back.
// An approval can be undone only while its posting has not started: once a
// request may have left for the ERP, the way back is the Failed tab or a
// reversal, never a silent local rewind.

type Snapshot = Readonly<{
  matches: Record<string, unknown>[];
  clerkAllocations: Record<string, unknown>[];
  allocations: Record<string, unknown>[];
  outbox: Array<{ transaction_id: number; state: string; attempts: number }>;
}>;

export type UndoEntry = Readonly<{ label: string; transactionIds: readonly number[]; snapshot: Snapshot; at: string }>;

export class UndoError extends Error {}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

export function snapshotRows(db: Db, ids: readonly number[]): Snapshot {
  const p = placeholders(ids.length);
  return {
    matches: db.prepare(`SELECT * FROM matches WHERE transaction_id IN (${p})`).all(...ids) as Record<string, unknown>[],
    clerkAllocations: db.prepare(`SELECT * FROM clerk_allocations WHERE transaction_id IN (${p})`).all(...ids) as Record<string, unknown>[],
    allocations: db.prepare(`SELECT * FROM allocations WHERE transaction_id IN (${p})`).all(...ids) as Record<string, unknown>[],
    outbox: db.prepare(`SELECT transaction_id, state, attempts FROM outbox WHERE kind = 'receipt' AND transaction_id IN (${p})`).all(...ids) as Snapshot['outbox'],
  };
}

function insertRow(db: Db, table: string, row: Record<string, unknown>): void {
  const cols = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${cols.join(',')}) VALUES (${placeholders(cols.length)})`).run(...cols.map((c) => row[c]));
}

export function restoreSnapshot(db: Db, entry: UndoEntry, actor: string, now = new Date().toISOString()): void {
  const ids = entry.transactionIds;
  const p = placeholders(ids.length);
  db.transaction(() => {
    const had = new Map(entry.snapshot.outbox.map((o) => [o.transaction_id, o]));
    const nowOutbox = db.prepare(`SELECT id, transaction_id, state, attempts FROM outbox WHERE kind = 'receipt' AND transaction_id IN (${p})`).all(...ids) as Array<{
      id: number;
      transaction_id: number;
      state: string;
      attempts: number;
    }>;
    for (const o of nowOutbox) {
      const before = had.get(o.transaction_id);
      if (before && before.state === o.state && before.attempts === o.attempts) continue;
      if (o.state !== 'queued' || o.attempts > 0) {
        throw new UndoError(`Cannot undo "${entry.label}": the posting of ${o.transaction_id} has already started (${o.state}).`);
      }
    }
    // Postings queued by the undone action go away with it (nothing was sent).
    for (const o of nowOutbox) {
      if (!had.has(o.transaction_id)) {
        db.prepare('DELETE FROM outbox_attempts WHERE outbox_id = ?').run(o.id);
        db.prepare('DELETE FROM outbox WHERE id = ?').run(o.id);
      }
    }
    db.prepare(`DELETE FROM allocations WHERE transaction_id IN (${p})`).run(...ids);
    for (const r of entry.snapshot.allocations) insertRow(db, 'allocations', r);
    db.prepare(`DELETE FROM clerk_allocations WHERE transaction_id IN (${p})`).run(...ids);
    for (const r of entry.snapshot.clerkAllocations) insertRow(db, 'clerk_allocations', r);
    for (const r of entry.snapshot.matches) {
      const cols = Object.keys(r).filter((c) => c !== 'transaction_id');
      db.prepare(`UPDATE matches SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE transaction_id = ?`).run(...cols.map((c) => r[c]), r.transaction_id);
    }
    appendAudit(db, { actor, action: 'review.undo', objectType: 'transaction', objectId: ids.join(','), after: { undone: entry.label }, at: now });
  })();
}

/** One undo history per user, most recent last, bounded. */
export class UndoStacks {
  private readonly stacks = new Map<string, UndoEntry[]>();
  constructor(private readonly depth = 50) {}

  push(actor: string, entry: UndoEntry): void {
    const s = this.stacks.get(actor) ?? [];
    s.push(entry);
    if (s.length > this.depth) s.shift();
    this.stacks.set(actor, s);
  }

  pop(actor: string): UndoEntry | undefined {
    return this.stacks.get(actor)?.pop();
  }

  peek(actor: string): UndoEntry | undefined {
    const s = this.stacks.get(actor);
    return s?.[s.length - 1];
  }
}
