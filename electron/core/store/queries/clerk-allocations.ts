import type { Allocation } from '@shared/domain';
import type { WriteDb } from '../db';

// An allocation the clerk picked or edited: it pins the outcome, so a re-match
// leaves the row alone (matches.saveOutcomes checks for it).

export function pinClerkAllocation(db: WriteDb, transactionId: number, customerId: string, allocations: readonly Allocation[], by: string, at: string): void {
  db.prepare(
    `INSERT INTO clerk_allocations (transaction_id, customer_id, allocations_json, chosen_by, chosen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (transaction_id) DO UPDATE SET customer_id = excluded.customer_id, allocations_json = excluded.allocations_json,
       chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at`,
  ).run(transactionId, customerId, JSON.stringify(allocations), by, at);
}

export function unpinClerkAllocation(db: WriteDb, transactionId: number): void {
  db.prepare('DELETE FROM clerk_allocations WHERE transaction_id = ?').run(transactionId);
}
