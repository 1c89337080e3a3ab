import { appendAudit } from '../audit/audit-log';
import { systemClock } from '../clock';
import { EARLY_PAYMENT_DISCOUNT, postsDiscounts, type ErpCapabilities, type ErpConnector, type ReceiptRecord, type ReceiptRequest } from '../erp/connector';
import { isErpError } from '../erp/errors';
import { verifyFoundReceipt } from '../erp/read-back';
import { silentLogger, type Logger } from '../log/logger';
import type { Stop } from '../remote-writes/exactly-once';
import { ownerHasEnded } from '../remote-writes/lease';
import { RemoteWriteRunner, type DrainResult, type RunnerKind, type RunnerPolicy, type RunnerQueue } from '../remote-writes/runner';
import { mayHaveBeenSent } from '../remote-writes/states';
import type { Db } from '../store/db';
import { applyPaymentLocally } from '../store/queries/ledger';
import * as outbox from '../store/queries/outbox';
import { parseCreditMemoPayload, parseReceiptPayload } from '../store/queries/outbox-payloads';
import type { OutboxRow } from '../store/queries/outbox';

// Drains the outbox (receipts and credit memos) to the ERP through the one
// remote-write runner (electron/core/remote-writes/): this file only says how
// each kind is looked up, sent and recorded.

export type { OutboxRow };
export { leaseOwnerId } from '../remote-writes/lease';
export { outboxCounts, outboxFor, type OutboxCounts } from '../store/queries/outbox';
export type { DrainResult };

/**
 * Re-validates a row against fresh remote state just before its first send
 * (offline catch-up). A conflict parks the row in state "conflict" for the
 * clerk instead of posting a decision the world has overtaken.
 */
export type Preflight = (row: OutboxRow, connector: ErpConnector) => Promise<{ ok: true } | { ok: false; reason: string }>;

export type OutboxWorkerOptions = RunnerPolicy &
  Readonly<{
    preflight?: Preflight;
    db: Db;
    connector: () => Promise<ErpConnector>;
    owner: string;
    actor?: string;
    onChange?: (transactionIds: number[]) => void;
  }>;

export class OutboxWorker {
  private readonly runner: RemoteWriteRunner<OutboxRow, ErpConnector>;

  constructor(private readonly o: OutboxWorkerOptions) {
    const logger = o.logger ?? silentLogger;
    const { db } = o;
    const queue: RunnerQueue<OutboxRow> = {
      releaseAbandonedLeases: () => {
        // A lease held by a process of this machine that no longer exists (crashed, killed) is released at once;
        // the row then goes through the ERP look-up like any row that may have been sent.
        for (const r of outbox.leasedUnfinished(db)) {
          if (!ownerHasEnded(r.lease_owner)) continue;
          outbox.releaseLease(db, r.id, r.lease_owner);
          logger.warn(`outbox ${r.id}: released the lease of ended process ${r.lease_owner}`);
        }
      },
      dueCount: (now) => outbox.dueCount(db, now),
      nextDueAt: () => outbox.nextDueAt(db),
      claim: (owner, now, until) => outbox.claimDue(db, owner, now, until),
      markSending: (row, now) => outbox.markSending(db, row.id, now),
      reschedule: (row, state, next, message, now) => outbox.reschedule(db, row.id, state, next, message, now),
    };
    const receipts = this.receiptKind();
    const creditMemos = this.creditMemoKind();
    this.runner = new RemoteWriteRunner<OutboxRow, ErpConnector>({
      ...o,
      queue,
      kindOf: (row) => (row.kind === 'credit_memo' ? creditMemos : receipts),
      connection: o.connector,
      owner: o.owner,
      logger,
      onRescheduled: (row) => o.onChange?.([row.transaction_id]),
    });
  }

  get paused(): string | null {
    return this.runner.paused;
  }

  /** Posts every due row once; concurrent calls share one drain. */
  drain(): Promise<DrainResult> {
    return this.runner.drain();
  }

  /** Waits for the drain in flight, if any, without starting one. */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  start(intervalMs = 5_000): void {
    this.runner.start(intervalMs);
  }

  stop(): void {
    this.runner.stop();
  }

  /** When the next row becomes due (ISO), or null when nothing is left to post. */
  nextDueAt(): string | null {
    return this.runner.nextDueAt();
  }

  private receiptKind(): RunnerKind<OutboxRow, ErpConnector> {
    const { preflight } = this.o;
    return {
      write: (row, connector) => {
        const receipt = parseReceiptPayload(row.payload_json);
        const sentBefore = mayHaveBeenSent(row);
        if (sentBefore && !connector.capabilities.receiptLookup) {
          return { state: 'dead', message: 'The ERP cannot confirm whether an earlier attempt was posted; check it by hand, then mark as posted or retry.' };
        }
        // A look-up counts only when the ERP holds exactly this receipt: a partial booking is refused ('partial'), never "posted".
        const lookup = async () => verifyFoundReceipt(receipt, await connector.findReceipt(receipt.reference));
        return {
          mayHaveBeenSent: sentBefore,
          lookup,
          beforeSend: async () => {
            if (preflight && row.attempts === 0) {
              const check = await preflight(row, connector);
              if (!check.ok) {
                // A receipt another workstation (or an earlier run) already posted has nothing left to decide:
                // looked up only now, so a first send whose check passes costs no look-up of ours.
                const found = connector.capabilities.receiptLookup ? await lookup() : null;
                return found ? { found } : { state: 'conflict' as const, message: check.reason };
              }
            }
            // Never post the cash alone when the receipt also carries what this connection cannot post.
            const unpostable = unpostablePart(receipt, connector.capabilities);
            return unpostable ? { state: 'dead', message: unpostable } : null;
          },
          send: () => postReceiptChecked(connector, receipt),
        };
      },
      done: (row, documentId, how) => this.posted(row, documentId, how),
      stopped: (row, stop) => this.stopped(row, stop),
    };
  }

  /** Credit memos (refunds, voids) follow the receipts' rule: look up before any retry. */
  private creditMemoKind(): RunnerKind<OutboxRow, ErpConnector> {
    return {
      write: (row, connector) => {
        const memo = parseCreditMemoPayload(row.payload_json);
        if (connector.capabilities.creditMemos === 'none') {
          return {
            state: 'dead',
            message: `This ERP takes no credit memos from Tieout: enter credit memo ${memo.reference} (${memo.amountCents} cents for customer ${memo.customerId}) by hand, then mark it posted.`,
          };
        }
        return { mayHaveBeenSent: mayHaveBeenSent(row), lookup: () => connector.findCreditMemo(memo.reference), send: () => connector.postCreditMemo(memo) };
      },
      done: (row, documentId, how) => this.posted(row, documentId, how),
      stopped: (row, stop) => this.stopped(row, stop),
    };
  }

  private now(): string {
    return (this.o.clock ?? systemClock).iso();
  }

  private posted(row: OutboxRow, documentId: string, how: string): void {
    const now = this.now();
    const { db } = this.o;
    db.transaction(() => {
      outbox.markPosted(db, row.id, documentId, how, now);
      if (row.kind === 'receipt') {
        outbox.markMatchPosted(db, row.transaction_id);
        // The ERP confirmed the receipt: its write-offs (and discounts taken) closed
        // what the payment left open, so the local invoice shows both now, not at the next sync.
        const receipt = parseReceiptPayload(row.payload_json);
        applyPaymentLocally(db, [...receipt.allocations, ...(receipt.writeOffs ?? [])], now);
      }
      appendAudit(db, {
        actor: this.o.actor ?? 'system',
        action: row.kind === 'receipt' ? 'receipt.posted' : 'credit_memo.posted',
        objectType: 'transaction',
        objectId: String(row.transaction_id),
        after: { erpDocumentId: documentId, how, attempts: row.attempts },
        at: now,
      });
    })();
    this.logger.info(`outbox ${row.id} posted as ${documentId} (${how})`);
    this.o.onChange?.([row.transaction_id]);
  }

  /** Dead letter, or a conflict for the clerk (re-validation found the world changed). */
  private stopped(row: OutboxRow, stop: Stop): void {
    const now = this.now();
    const { db } = this.o;
    db.transaction(() => {
      outbox.park(db, row.id, stop.state, stop.message, now);
      appendAudit(db, {
        actor: this.o.actor ?? 'system',
        action: stop.state === 'dead' ? 'posting.failed' : 'posting.conflict',
        objectType: 'transaction',
        objectId: String(row.transaction_id),
        after: stop.state === 'dead' ? { error: stop.message } : { reason: stop.message },
        at: now,
      });
    })();
    if (stop.state === 'dead') this.logger.error(`outbox ${row.id} dead: ${stop.message}`);
    else this.logger.warn(`outbox ${row.id} conflict: ${stop.message}`);
    this.o.onChange?.([row.transaction_id]);
  }

  private get logger(): Logger {
    return this.o.logger ?? silentLogger;
  }
}

/** Posts; a `duplicate` (the connector's own look-up found the reference) is checked like any look-up, so a partial booking never reads as done. */
async function postReceiptChecked(connector: ErpConnector, receipt: ReceiptRequest): Promise<ReceiptRecord> {
  try {
    return await connector.postReceipt(receipt);
  } catch (e) {
    if (isErpError(e) && e.kind === 'duplicate') verifyFoundReceipt(receipt, await connector.findReceipt(receipt.reference));
    throw e;
  }
}

/** What a receipt asks of the ERP that this connection does not post (discounts, write-offs, credits), in the clerk's words; null when nothing. */
export function unpostablePart(receipt: ReceiptRequest, capabilities: ErpCapabilities): string | null {
  const writeOffs = receipt.writeOffs ?? [];
  if (writeOffs.some((w) => w.reasonCode === EARLY_PAYMENT_DISCOUNT) && !postsDiscounts(capabilities)) {
    return 'This ERP connection does not post early-payment discounts from Tieout: nothing was sent. Edit the allocation to post the cash alone and take the discount in the ERP, or discard.';
  }
  if (writeOffs.some((w) => w.reasonCode !== EARLY_PAYMENT_DISCOUNT) && !capabilities.writeOffs) {
    return 'This ERP connection does not post write-offs from Tieout: nothing was sent. Edit the allocation to post the cash alone and write the rest off in the ERP, or discard.';
  }
  const credit = receipt.allocations.find((a) => a.amountCents <= 0);
  if (credit && !capabilities.applyCredits) {
    return `This ERP connection does not apply open credits from Tieout (credit ${credit.invoiceNo}): nothing was sent. Apply the credit in the ERP, then edit the allocation to the invoices alone, or discard.`;
  }
  return null;
}
