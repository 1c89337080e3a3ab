import { z } from 'zod';
import { REFUND_CONFLICT_ACTIONS, type RefundConflict } from '@shared/api/refunds';
import { cents } from '@shared/money';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// Approved refunds the catch-up re-validation holds back (table
// refund_conflicts, migration 8): one open conflict per refund at most. The
// refund itself stays 'approved' while it waits.

const centsField = z.number().int().transform(cents);

const refundConflictSchema = z.object({
  kind: z.literal('refundable_amount_changed'),
  detail: z.string(),
  detectedAt: z.string(),
  then: z.object({ amountCents: centsField, refundableCents: centsField, asOf: z.string() }),
  now: z.object({ saleType: z.string(), saleAmountCents: centsField, refundedCents: centsField, refundableCents: centsField, asOf: z.string() }),
  choices: z.array(z.enum(REFUND_CONFLICT_ACTIONS)),
});

export function readRefundConflict(db: ReadDb, refundId: number): RefundConflict | null {
  const row = db.prepare('SELECT conflict_json FROM refund_conflicts WHERE refund_id = ?').get(refundId) as { conflict_json: string } | undefined;
  return row ? parseJsonColumn(refundConflictSchema, row.conflict_json, 'refund_conflicts.conflict_json') : null;
}

export function saveRefundConflict(db: WriteDb, refundId: number, conflict: RefundConflict): void {
  db.prepare(
    `INSERT INTO refund_conflicts (refund_id, conflict_json, detected_at) VALUES (?, ?, ?)
     ON CONFLICT (refund_id) DO UPDATE SET conflict_json = excluded.conflict_json, detected_at = excluded.detected_at`,
  ).run(refundId, JSON.stringify(conflict), conflict.detectedAt);
}

export function clearRefundConflict(db: WriteDb, refundId: number): void {
  db.prepare('DELETE FROM refund_conflicts WHERE refund_id = ?').run(refundId);
}
