import { merchantDate } from '@shared/paytrace-time';
import { appendAudit } from '../audit/audit-log';
import { systemClock } from '../clock';
import type { ErpConnector } from '../erp/connector';
import { sendExactlyOnce } from '../remote-writes/exactly-once';
import { classifyErpFailure } from '../remote-writes/failure';
import type { RunnerPolicy } from '../remote-writes/runner';
import { mayHaveBeenSent, type ReversalState } from '../remote-writes/states';
import type { Db } from '../store/db';
import { claimReversal, markReversalPosted, markReversalSending, parkReversal, unfinishedReversalIds, type ReceiptReversalRow } from '../store/queries/receipt-reversals';

// Posts receipt reversals exactly once through the runner's step
// (electron/core/remote-writes/exactly-once.ts): a lease so two runs cannot
// send one row, "sending" committed before the request leaves, and a look-up
// by the reversal reference before any row that may have been sent is sent again.
// Unlike the outbox, a reversal is run on demand (and at start), not drained.

export type ReversalExecutorOptions = Pick<RunnerPolicy, 'leaseMs' | 'clock'> &
  Readonly<{
    db: Db;
    connector: () => Promise<ErpConnector>;
    owner: string;
    /** The merchant's time zone (settings.sync.merchantZone): a reversal is dated on the merchant's day, as receipts are. */
    merchantZone: () => string;
  }>;

export type ReversalExecutor = ReturnType<typeof createReversalExecutor>;

export function createReversalExecutor(o: ReversalExecutorOptions) {
  const { db } = o;
  const clock = o.clock ?? systemClock;

  const finish = (row: ReceiptReversalRow, executor: string, documentId: string, how: string): void => {
    const at = clock.iso();
    db.transaction(() => {
      const { requestedBy, approvedBy } = markReversalPosted(db, row, documentId, executor, at);
      appendAudit(db, {
        actor: executor,
        action: 'receipt.reversed',
        objectType: 'transaction',
        objectId: String(row.transaction_id),
        after: { reference: row.reference, erpDocumentId: documentId, reason: row.reason, requestedBy, approvedBy, executedBy: executor, how, attempts: row.attempts },
        at,
      });
    })();
  };

  const park = (row: ReceiptReversalRow, state: Extract<ReversalState, 'retry_wait' | 'unknown_outcome' | 'dead'>, message: string, executor: string): void => {
    const at = clock.iso();
    db.transaction(() => {
      parkReversal(db, row, state, message, at);
      appendAudit(db, { actor: executor, action: state === 'dead' ? 'reversal.failed' : 'reversal.retry', objectType: 'transaction', objectId: String(row.transaction_id), after: { reference: row.reference, state, error: message }, at });
    })();
  };

  /** The reversal date for a reversal queued at this instant: the merchant's day (YYYY-MM-DD), not the UTC one. */
  const dateAt = (isoInstant: string): string => merchantDate(isoInstant, o.merchantZone());

  return {
    dateAt,

    /** Sends (or confirms) one reversal. Never sends a row that may have been sent without looking it up first. */
    async run(id: number, executor: string): Promise<void> {
      const now = clock.now();
      const row = claimReversal(db, id, o.owner, new Date(now).toISOString(), new Date(now + (o.leaseMs ?? 120_000)).toISOString());
      if (!row) return;
      let connector: ErpConnector;
      try {
        connector = await o.connector();
      } catch (e) {
        return park(row, 'retry_wait', classifyMessage(e), executor);
      }
      const { reverseReceipt, findReversal } = connector;
      if (!connector.capabilities.reverseReceipt || !reverseReceipt || !findReversal) {
        return park(row, 'dead', `This ERP connection cannot reverse receipts from Tieout: reverse receipt ${row.receipt_reference} by hand in the ERP.`, executor);
      }
      // Fixed when queued; a reversal queued before dates were stored gets today's merchant day at its first send, stored with the intent.
      const date = row.reversal_date ?? dateAt(clock.iso());
      const step = await sendExactlyOnce({
        mayHaveBeenSent: mayHaveBeenSent(row),
        lookup: () => findReversal.call(connector, row.receipt_reference),
        commitSending: () => {
          markReversalSending(db, row.id, date, clock.iso());
          row.attempts += 1;
          row.reversal_date = date;
        },
        send: () => reverseReceipt.call(connector, { receiptReference: row.receipt_reference, reason: row.reason, date }),
      });
      if (step.outcome === 'found') return finish(row, executor, step.doc.erpDocumentId, 'found by look-up before retry');
      if (step.outcome === 'sent') return finish(row, executor, step.doc.erpDocumentId, 'posted');
      if (step.outcome === 'stopped') return park(row, 'dead', step.stop.message, executor);
      const f = classifyErpFailure(step.error);
      if (f.kind === 'duplicate') return finish(row, executor, f.documentId, 'already in the ERP');
      // A reply lost after sending: the next run starts with the look-up.
      if (f.kind === 'unknown_outcome') return park(row, 'unknown_outcome', f.message, executor);
      if (f.kind === 'transient') return park(row, 'retry_wait', f.message, executor);
      return park(row, 'dead', f.message, executor);
    },

    /** At engine start: every reversal not finished is looked up / sent again. */
    async resumeAll(executor = 'system'): Promise<void> {
      for (const id of unfinishedReversalIds(db)) await this.run(id, executor);
    },
  };
}

function classifyMessage(e: unknown): string {
  const f = classifyErpFailure(e);
  return 'message' in f ? f.message : String(e);
}
