import type { DecisionSide } from '@shared/api/offline';
import { decisionSideSchema } from '@shared/domain-schemas';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// "Then": the picture a clerk approved against, one per transaction (the latest approval's).

export function saveDecisionSnapshot(db: WriteDb, transactionId: number, takenAt: string, side: DecisionSide): void {
  db.prepare(
    `INSERT INTO decision_snapshots (transaction_id, taken_at, snapshot_json) VALUES (?, ?, ?)
     ON CONFLICT (transaction_id) DO UPDATE SET taken_at = excluded.taken_at, snapshot_json = excluded.snapshot_json`,
  ).run(transactionId, takenAt, JSON.stringify(side));
}

export function decisionSnapshot(db: ReadDb, transactionId: number): DecisionSide | null {
  const r = db.prepare('SELECT snapshot_json FROM decision_snapshots WHERE transaction_id = ?').get(transactionId) as { snapshot_json: string } | undefined;
  return r ? parseJsonColumn(decisionSideSchema, r.snapshot_json, 'decision_snapshots.snapshot_json') : null;
}
