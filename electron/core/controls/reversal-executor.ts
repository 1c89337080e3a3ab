import type { Db } from '../store/db';
import { appendAudit } from '../audit/audit-log';
import type { ErpConnector } from '../erp/connector';
import { ErpError, isErpError } from '../erp/errors';

// Posts receipt reversals exactly once, with the outbox's rules in a table of
// their own (receipt_reversals): a lease so two runs cannot send one row,
// "sending" committed before the request leaves, and a look-up by the
// reversal reference before any row that may have been sent is sent again.

export type ReversalRow = {
  id: number;
  control_id: number;
  transaction_id: number;
  reference: string;
  receipt_reference: string;
  reason: string;
  state: 'queued' | 'sending' | 'retry_wait' | 'unknown_outcome' | 'posted' | 'dead';
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  erp_document_id: string | null;
  executed_by: string | null;
};

export const UNFINISHED_REVERSAL_STATES = ['queued', 'sending', 'retry_wait', 'unknown_outcome'] as const;

export type ReversalExecutorOptions = Readonly<{
  db: Db;
  connector: () => Promise<ErpConnector>;
  owner: string;
  leaseMs?: number;
  now?: () => Date;
}>;

export type ReversalExecutor = ReturnType<typeof createReversalExecutor>;

export function createReversalExecutor(o: ReversalExecutorOptions) {
  const { db } = o;
  const now = () => (o.now ?? (() => new Date()))();

  /** Takes the row's lease; null when another run holds it or nothing is left to do. */
  const claim = (id: number): ReversalRow | null => {
    const at = now();
    const until = new Date(at.getTime() + (o.leaseMs ?? 120_000)).toISOString();
    return (
      (db
        .prepare(
          `UPDATE receipt_reversals SET lease_owner = ?, lease_until = ?, updated_at = ?
           WHERE id = ? AND state IN ('queued', 'sending', 'retry_wait', 'unknown_outcome', 'dead') AND (lease_until IS NULL OR lease_until < ?)
           RETURNING *`,
        )
        .get(o.owner, until, at.toISOString(), id, at.toISOString()) as ReversalRow | undefined) ?? null
    );
  };

  const finish = (row: ReversalRow, executor: string, documentId: string, how: string): void => {
    const at = now().toISOString();
    db.transaction(() => {
      db.prepare(
        "UPDATE receipt_reversals SET state = 'posted', erp_document_id = ?, last_error = NULL, executed_by = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?",
      ).run(documentId, executor, at, row.id);
      db.prepare("UPDATE control_requests SET state = 'done', last_error = NULL, updated_at = ? WHERE id = ?").run(at, row.control_id);
      const control = db.prepare('SELECT requested_by FROM control_requests WHERE id = ?').get(row.control_id) as { requested_by: string };
      const approvers = (db.prepare('SELECT approver FROM control_approvals WHERE control_id = ? ORDER BY at').all(row.control_id) as Array<{ approver: string }>).map((a) => a.approver);
      appendAudit(db, {
        actor: executor,
        action: 'receipt.reversed',
        objectType: 'transaction',
        objectId: String(row.transaction_id),
        after: { reference: row.reference, erpDocumentId: documentId, reason: row.reason, requestedBy: control.requested_by, approvedBy: approvers, executedBy: executor, how, attempts: row.attempts },
        at,
      });
    })();
  };

  const park = (row: ReversalRow, state: 'retry_wait' | 'unknown_outcome' | 'dead', message: string, executor: string): void => {
    const at = now().toISOString();
    db.transaction(() => {
      db.prepare('UPDATE receipt_reversals SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?').run(state, message, at, row.id);
      if (state === 'dead') db.prepare("UPDATE control_requests SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?").run(message, at, row.control_id);
      else db.prepare('UPDATE control_requests SET last_error = ?, updated_at = ? WHERE id = ?').run(message, at, row.control_id);
      appendAudit(db, { actor: executor, action: state === 'dead' ? 'reversal.failed' : 'reversal.retry', objectType: 'transaction', objectId: String(row.transaction_id), after: { reference: row.reference, state, error: message }, at });
    })();
  };

  return {
    /** Sends (or confirms) one reversal. Never sends a row that may have been sent without looking it up first. */
    async run(id: number, executor: string): Promise<void> {
      const row = claim(id);
      if (!row) return;
      try {
        const connector = await o.connector();
        if (!connector.capabilities.reverseReceipt || !connector.reverseReceipt || !connector.findReversal) {
          park(row, 'dead', `This ERP connection cannot reverse receipts from Tieout: reverse receipt ${row.receipt_reference} by hand in the ERP.`, executor);
          return;
        }
        const mayHaveBeenSent = row.attempts > 0 || row.state === 'sending' || row.state === 'unknown_outcome';
        if (mayHaveBeenSent) {
          const found = await connector.findReversal(row.receipt_reference);
          if (found) return finish(row, executor, found.erpDocumentId, 'found by look-up before retry');
        }
        const at = now().toISOString();
        db.prepare("UPDATE receipt_reversals SET state = 'sending', attempts = attempts + 1, sent_at = ?, updated_at = ? WHERE id = ?").run(at, at, row.id);
        row.attempts += 1;
        const record = await connector.reverseReceipt(row.receipt_reference, row.reason);
        finish(row, executor, record.erpDocumentId, 'posted');
      } catch (e) {
        const err = isErpError(e) ? e : new ErpError('transient', (e as Error)?.message ?? String(e), { cause: e });
        if (err.kind === 'duplicate') return finish(row, executor, err.existingDocumentId ?? 'existing', 'already in the ERP');
        const message = err.erpMessage ? `${err.message} (ERP: ${err.erpMessage})` : err.message;
        // A reply lost after sending: the next run starts with the look-up.
        if (err.kind === 'unknown_outcome') park(row, 'unknown_outcome', message, executor);
        else if (err.kind === 'transient') park(row, 'retry_wait', message, executor);
        else park(row, 'dead', message, executor);
      }
    },

    /** At engine start: every reversal not finished is looked up / sent again. */
    async resumeAll(executor = 'system'): Promise<void> {
      const ids = db
        .prepare(`SELECT id FROM receipt_reversals WHERE state IN (${UNFINISHED_REVERSAL_STATES.map(() => '?').join(', ')}) ORDER BY id`)
        .all(...UNFINISHED_REVERSAL_STATES) as Array<{ id: number }>;
      for (const r of ids) await this.run(r.id, executor);
    },
  };
}
