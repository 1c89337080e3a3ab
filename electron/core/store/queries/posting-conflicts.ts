import { z } from 'zod';
import { cents, type Cents } from '@shared/money';
import { CONFLICT_KINDS, type ConflictAction, type ConflictKind, type DecisionSide } from '@shared/api/offline';
import { decisionSideSchema } from '@shared/domain-schemas';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// Queued decisions the world has overtaken: then and now side by side, at most
// one open conflict per transaction (a unique partial index).

const kindsSchema = z.object({ kinds: z.array(z.enum(CONFLICT_KINDS)), details: z.array(z.string()) });

export type OpenConflict = Readonly<{
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: string;
  kinds: readonly ConflictKind[];
  details: readonly string[];
  then: DecisionSide;
  now: DecisionSide;
  detectedAt: string;
}>;

/** Open conflicts whose receipt is still held back, oldest first. */
export function openConflicts(db: ReadDb): OpenConflict[] {
  const rows = db
    .prepare(
      `SELECT c.transaction_id, c.kinds_json, c.then_json, c.now_json, c.detected_at, t.billing_name, t.amount_cents, t.currency
       FROM posting_conflicts c
       JOIN paytrace_transactions t ON t.transaction_id = c.transaction_id
       JOIN outbox o ON o.transaction_id = c.transaction_id AND o.kind = 'receipt' AND o.state = 'conflict'
       WHERE c.state = 'open' ORDER BY c.detected_at, c.transaction_id`,
    )
    .all() as Array<{ transaction_id: number; kinds_json: string; then_json: string; now_json: string; detected_at: string; billing_name: string; amount_cents: number; currency: string }>;
  return rows.map((r) => {
    const k = parseJsonColumn(kindsSchema, r.kinds_json, 'posting_conflicts.kinds_json');
    return {
      transactionId: r.transaction_id,
      payer: r.billing_name,
      amountCents: cents(r.amount_cents),
      currency: r.currency,
      kinds: k.kinds,
      details: k.details,
      then: parseJsonColumn(decisionSideSchema, r.then_json, 'posting_conflicts.then_json'),
      now: parseJsonColumn(decisionSideSchema, r.now_json, 'posting_conflicts.now_json'),
      detectedAt: r.detected_at,
    };
  });
}

export function openConflictId(db: ReadDb, transactionId: number): number | null {
  return (db.prepare("SELECT id FROM posting_conflicts WHERE transaction_id = ? AND state = 'open'").get(transactionId) as { id: number } | undefined)?.id ?? null;
}

/** Records a conflict, replacing the transaction's open one (the latest finding wins). */
export function replaceOpenConflict(
  db: WriteDb,
  c: Readonly<{ transactionId: number; kinds: readonly ConflictKind[]; details: readonly string[]; then: DecisionSide; now: DecisionSide; at: string }>,
): void {
  db.prepare("DELETE FROM posting_conflicts WHERE transaction_id = ? AND state = 'open'").run(c.transactionId);
  db.prepare("INSERT INTO posting_conflicts (transaction_id, kinds_json, then_json, now_json, detected_at, state) VALUES (?, ?, ?, ?, ?, 'open')").run(
    c.transactionId,
    JSON.stringify({ kinds: c.kinds, details: c.details }),
    JSON.stringify(c.then),
    JSON.stringify(c.now),
    c.at,
  );
}

export function markConflictResolved(db: WriteDb, conflictId: number, resolution: ConflictAction, by: string, at: string): void {
  db.prepare("UPDATE posting_conflicts SET state = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?").run(resolution, by, at, conflictId);
}
