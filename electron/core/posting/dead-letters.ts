import { cents } from '@shared/money';
import type { FailedPosting } from '@shared/api/posting';
import type { ReceiptRequest } from '../erp/connector';
import { appendAudit } from '../audit/audit-log';
import type { Db } from '../store/db';

// The ways out of the dead-letter queue. None of them can cause a second
// receipt: a retried row keeps its attempt count, so it starts with the ERP
// look-up; "mark as posted" records the clerk's ERP document number.

type DeadRow = {
  id: number;
  transaction_id: number;
  payload_json: string;
  state: string;
  last_error: string | null;
  updated_at: string;
  billing_name: string;
};

export class DeadLetterError extends Error {}

export function listDeadLetters(db: Db): FailedPosting[] {
  const rows = db
    .prepare(
      `SELECT o.id, o.transaction_id, o.payload_json, o.state, o.last_error, o.updated_at, t.billing_name
       FROM outbox o JOIN paytrace_transactions t ON t.transaction_id = o.transaction_id
       WHERE o.state = 'dead' ORDER BY o.updated_at DESC`,
    )
    .all() as DeadRow[];
  const attempts = db.prepare('SELECT at, outcome, detail FROM outbox_attempts WHERE outbox_id = ? ORDER BY id');
  return rows.map((r) => {
    const p = JSON.parse(r.payload_json) as ReceiptRequest;
    return {
      transactionId: r.transaction_id,
      payer: r.billing_name,
      amountCents: cents(p.amountCents),
      currency: p.currency,
      customerId: p.customerId,
      invoices: p.allocations.map((a) => a.invoiceNo),
      state: r.state,
      lastError: r.last_error,
      attempts: attempts.all(r.id) as FailedPosting['attempts'],
      updatedAt: r.updated_at,
    };
  });
}

function deadRow(db: Db, transactionId: number): DeadRow {
  const r = db.prepare("SELECT o.*, '' AS billing_name FROM outbox o WHERE o.transaction_id = ? AND o.kind = 'receipt'").get(transactionId) as DeadRow | undefined;
  if (!r) throw new DeadLetterError(`No posting for transaction ${transactionId}`);
  if (r.state !== 'dead') throw new DeadLetterError(`The posting of ${transactionId} is ${r.state}, not failed`);
  return r;
}

export function retryDeadLetter(db: Db, transactionId: number, actor: string, now = new Date().toISOString()): void {
  db.transaction(() => {
    const r = deadRow(db, transactionId);
    db.prepare("UPDATE outbox SET state = 'retry_wait', next_attempt_at = ?, updated_at = ? WHERE id = ?").run(now, now, r.id);
    db.prepare("UPDATE matches SET review_state = 'approved' WHERE transaction_id = ?").run(transactionId);
    appendAudit(db, { actor, action: 'posting.retry', objectType: 'transaction', objectId: String(transactionId), before: { error: r.last_error }, at: now });
  })();
}

export function markPostedManually(db: Db, transactionId: number, erpDocumentId: string, actor: string, note: string | undefined, now = new Date().toISOString()): void {
  db.transaction(() => {
    const r = deadRow(db, transactionId);
    db.prepare("UPDATE outbox SET state = 'posted', erp_document_id = ?, updated_at = ? WHERE id = ?").run(erpDocumentId, now, r.id);
    db.prepare("INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, 'posted', ?)").run(r.id, now, `marked as posted by ${actor}`);
    db.prepare("UPDATE matches SET review_state = 'posted' WHERE transaction_id = ?").run(transactionId);
    appendAudit(db, {
      actor,
      action: 'posting.mark_posted',
      objectType: 'transaction',
      objectId: String(transactionId),
      before: { error: r.last_error },
      after: { erpDocumentId, note: note ?? null },
      at: now,
    });
  })();
}

export function discardDeadLetter(db: Db, transactionId: number, actor: string, note: string | undefined, now = new Date().toISOString()): void {
  db.transaction(() => {
    const r = deadRow(db, transactionId);
    db.prepare("UPDATE outbox SET state = 'discarded', updated_at = ? WHERE id = ?").run(now, r.id);
    db.prepare('DELETE FROM allocations WHERE transaction_id = ?').run(transactionId);
    db.prepare("UPDATE matches SET review_state = 'pending', decided_by = NULL, decided_at = NULL WHERE transaction_id = ?").run(transactionId);
    appendAudit(db, { actor, action: 'posting.discard', objectType: 'transaction', objectId: String(transactionId), before: { error: r.last_error }, after: { note: note ?? null }, at: now });
  })();
}
