import { appendAudit } from '../audit/audit-log';
import { systemClock, type Clock } from '../clock';
import type { ReadDb, WriteDb } from '../store/db';
import { deleteHeldReceipt, receiptRowsOf } from '../store/queries/posting-state';
import { putBackReviewRows, readReviewRows, type ReviewRowsSnapshot } from '../store/queries/undo-snapshots';

// "Undo the last action" for the clerk's review workflow. Before a reviewing
// action runs, the rows it may touch are snapshotted; undo puts them back.
// An approval can be undone only while its posting has not started: once a
// request may have left for the ERP, the way back is the Failed tab or a
// reversal, never a silent local rewind.

type Snapshot = ReviewRowsSnapshot;

export type UndoEntry = Readonly<{ label: string; transactionIds: readonly number[]; snapshot: Snapshot; at: string }>;

export class UndoError extends Error {}

export function snapshotRows(db: ReadDb, ids: readonly number[]): Snapshot {
  return readReviewRows(db, ids);
}

export function restoreSnapshot(db: WriteDb, entry: UndoEntry, actor: string, now?: string, clock: Clock = systemClock): void {
  const ids = entry.transactionIds;
  const at = now ?? clock.iso();
  db.transaction(() => {
    const had = new Map(entry.snapshot.outbox.map((o) => [o.transaction_id, o]));
    const nowOutbox = receiptRowsOf(db, ids);
    for (const o of nowOutbox) {
      const before = had.get(o.transactionId);
      if (before && before.state === o.state && before.attempts === o.attempts) continue;
      if (o.state !== 'queued' || o.attempts > 0) {
        throw new UndoError(`Cannot undo "${entry.label}": the posting of ${o.transactionId} has already started (${o.state}).`);
      }
      // Claimed by a worker: the request may leave any moment (the undo window, if any, is over).
      if (o.leaseUntil !== null && o.leaseUntil >= at) {
        throw new UndoError(`Cannot undo "${entry.label}": the posting of ${o.transactionId} has already started (sending).`);
      }
    }
    // Postings queued by the undone action go away with it (nothing was sent).
    for (const o of nowOutbox) {
      if (had.has(o.transactionId)) continue;
      if (!deleteHeldReceipt(db, o.id, at)) throw new UndoError(`Cannot undo "${entry.label}": the posting of ${o.transactionId} has already started (sending).`);
    }
    putBackReviewRows(db, ids, entry.snapshot);
    appendAudit(db, { actor, action: 'review.undo', objectType: 'transaction', objectId: ids.join(','), after: { undone: entry.label }, at });
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
