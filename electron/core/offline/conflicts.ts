import { cents } from '@shared/money';
import type { Allocation } from '@shared/domain';
import { CONFLICT_ACTIONS, type ConflictAction, type ConflictKind, type ConflictView, type DecisionSide } from '@shared/api/offline';
import { appendAudit } from '../audit/audit-log';
import type { ReceiptRequest } from '../erp/connector';
import type { Db } from '../store/db';
import { allocate, DecisionError, unpinAllocation } from './decisions';
import { takeDecisionSnapshots } from './snapshot';

// The clerk's way out of a conflict: re-match (back to review with fresh
// candidates), re-allocate (a new allocation, re-validated before it is sent)
// or discard (drop the queued posting; the payment returns to review).

type ConflictRow = { transaction_id: number; kinds_json: string; then_json: string; now_json: string; detected_at: string; billing_name: string; amount_cents: number; currency: string };

export function listConflicts(db: Db): ConflictView[] {
  const rows = db
    .prepare(
      `SELECT c.transaction_id, c.kinds_json, c.then_json, c.now_json, c.detected_at, t.billing_name, t.amount_cents, t.currency
       FROM posting_conflicts c
       JOIN paytrace_transactions t ON t.transaction_id = c.transaction_id
       JOIN outbox o ON o.transaction_id = c.transaction_id AND o.kind = 'receipt' AND o.state = 'conflict'
       WHERE c.state = 'open' ORDER BY c.detected_at, c.transaction_id`,
    )
    .all() as ConflictRow[];
  return rows.map((r) => {
    const k = JSON.parse(r.kinds_json) as { kinds: ConflictKind[]; details: string[] };
    return {
      transactionId: r.transaction_id,
      payer: r.billing_name,
      amountCents: cents(r.amount_cents),
      currency: r.currency,
      kinds: k.kinds,
      details: k.details,
      then: JSON.parse(r.then_json) as DecisionSide,
      now: JSON.parse(r.now_json) as DecisionSide,
      detectedAt: r.detected_at,
      choices: CONFLICT_ACTIONS,
    };
  });
}

export type ResolveRequest = Readonly<{ transactionId: number; action: ConflictAction; customerId?: string; allocations?: readonly Allocation[] }>;

/** Resolves an open conflict; `rematch` is the matcher run over undecided rows (SyncService.rematch). */
export function resolveConflict(db: Db, request: ResolveRequest, actor: string, rematch: () => void, now = new Date().toISOString()): void {
  const { transactionId, action } = request;
  db.transaction(() => {
    const outbox = db.prepare("SELECT id, payload_json FROM outbox WHERE transaction_id = ? AND kind = 'receipt' AND state = 'conflict'").get(transactionId) as
      | { id: number; payload_json: string }
      | undefined;
    const open = db.prepare("SELECT id FROM posting_conflicts WHERE transaction_id = ? AND state = 'open'").get(transactionId) as { id: number } | undefined;
    if (!outbox || !open) throw new DecisionError('not_found', `Transaction ${transactionId} has no open conflict.`);
    const receipt = JSON.parse(outbox.payload_json) as ReceiptRequest;

    if (action === 'reallocate') {
      const customerId = request.customerId ?? receipt.customerId;
      const allocations = (request.allocations ?? []).map((a) => ({ invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents) }));
      // Back to pending for a moment so the new allocation is checked and pinned like any clerk allocation.
      db.prepare('DELETE FROM allocations WHERE transaction_id = ?').run(transactionId);
      db.prepare("UPDATE matches SET review_state = 'pending' WHERE transaction_id = ?").run(transactionId);
      allocate(db, transactionId, customerId, allocations, actor, now);
      const allocated = allocations.reduce((s, a) => s + a.amountCents, 0);
      const next: ReceiptRequest = { ...receipt, customerId, allocations, unappliedCents: cents(receipt.amountCents - allocated) };
      for (const a of allocations) db.prepare('INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (?, ?, ?)').run(transactionId, a.invoiceNo, a.amountCents);
      db.prepare("UPDATE matches SET review_state = 'approved', decided_by = ?, decided_at = ? WHERE transaction_id = ?").run(actor, now, transactionId);
      // attempts stays 0: the re-allocated posting is re-validated again before it is sent.
      db.prepare("UPDATE outbox SET payload_json = ?, state = 'queued', next_attempt_at = ?, last_error = NULL, updated_at = ? WHERE id = ?").run(JSON.stringify(next), now, now, outbox.id);
      takeDecisionSnapshots(db, [transactionId], now);
    } else {
      db.prepare("UPDATE outbox SET state = 'discarded', updated_at = ? WHERE id = ?").run(now, outbox.id);
      db.prepare('DELETE FROM allocations WHERE transaction_id = ?').run(transactionId);
      db.prepare("UPDATE matches SET review_state = 'pending', decided_by = NULL, decided_at = NULL WHERE transaction_id = ?").run(transactionId);
      unpinAllocation(db, transactionId);
    }
    db.prepare("UPDATE posting_conflicts SET state = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?").run(action, actor, now, open.id);
    appendAudit(db, {
      actor,
      action: `conflict.${action}`,
      objectType: 'transaction',
      objectId: String(transactionId),
      before: { customerId: receipt.customerId, allocations: receipt.allocations },
      after: action === 'reallocate' ? { customerId: request.customerId ?? receipt.customerId, allocations: request.allocations } : null,
      at: now,
    });
  })();
  // Outside the transaction: the matcher reads the ledger as the conflict left it.
  if (action === 'rematch') rematch();
}
