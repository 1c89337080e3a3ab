import { cents } from '@shared/money';
import type { FailedPosting } from '@shared/api/posting';
import { appendAudit } from '../audit/audit-log';
import type { Db } from '../store/db';
import { deadLetters, discardDeadLetterRow, markDeadLetterPosted, receiptLetter, requeueDeadLetter, type DeadLetterRow } from '../store/queries/dead-letters';
import { attemptsOf } from '../store/queries/outbox';
import { parseReceiptPayload } from '../store/queries/outbox-payloads';

// The ways out of the dead-letter queue. None of them can cause a second
// receipt: a retried row keeps its attempt count, so it starts with the ERP
// look-up; "mark as posted" records the clerk's ERP document number.

export class DeadLetterError extends Error {}

export function listDeadLetters(db: Db): FailedPosting[] {
  return deadLetters(db).map((r) => {
    const p = parseReceiptPayload(r.payload_json);
    return {
      transactionId: r.transaction_id,
      payer: r.billing_name,
      amountCents: cents(p.amountCents),
      currency: p.currency,
      customerId: p.customerId,
      invoices: p.allocations.map((a) => a.invoiceNo),
      state: r.state,
      lastError: r.last_error,
      attempts: attemptsOf(db, r.id),
      updatedAt: r.updated_at,
    };
  });
}

function deadRow(db: Db, transactionId: number): Omit<DeadLetterRow, 'billing_name'> {
  const r = receiptLetter(db, transactionId);
  if (!r) throw new DeadLetterError(`No posting for transaction ${transactionId}`);
  if (r.state !== 'dead') throw new DeadLetterError(`The posting of ${transactionId} is ${r.state}, not failed`);
  return r;
}

export function retryDeadLetter(db: Db, transactionId: number, actor: string, now = new Date().toISOString()): void {
  db.transaction(() => {
    const r = deadRow(db, transactionId);
    requeueDeadLetter(db, r.id, transactionId, now);
    appendAudit(db, { actor, action: 'posting.retry', objectType: 'transaction', objectId: String(transactionId), before: { error: r.last_error }, at: now });
  })();
}

export function markPostedManually(db: Db, transactionId: number, erpDocumentId: string, actor: string, note: string | undefined, now = new Date().toISOString()): void {
  db.transaction(() => {
    const r = deadRow(db, transactionId);
    markDeadLetterPosted(db, r.id, transactionId, erpDocumentId, `marked as posted by ${actor}`, now);
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
    discardDeadLetterRow(db, r.id, transactionId, now);
    appendAudit(db, { actor, action: 'posting.discard', objectType: 'transaction', objectId: String(transactionId), before: { error: r.last_error }, after: { note: note ?? null }, at: now });
  })();
}
