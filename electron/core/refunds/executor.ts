import { randomBytes } from 'node:crypto';
import type { PayTraceTransaction } from '@shared/domain';
import { cents } from '@shared/money';
import { merchantDate } from '@shared/paytrace-time';
import { appendAudit } from '../audit/audit-log';
import { silentLogger, type Logger } from '../log/logger';
import type { PayTraceClient } from '../paytrace/client';
import { isPayTraceError } from '../paytrace/errors';
import { systemClock, type Clock } from '../clock';
import { sendExactlyOnce, type Stop } from '../remote-writes/exactly-once';
import { leaseOwnerId, ownerHasEnded } from '../remote-writes/lease';
import type { Db } from '../store/db';
import {
  approvedRefundIdsOnSettledSales,
  claimRefund,
  completeRefund,
  executingRefundIds,
  failRefund,
  noteRefund,
  refundIdsClaimedByOthers,
  releaseRefundLease,
  returnRefundToApproved,
  setRefundMethod,
} from '../store/queries/refund-sends';
import { getTransaction } from '../store/queries/transactions';
import { queueCreditMemo } from './credit-memo';
import { payTraceRefundable, refundConflictFor } from './revalidate';
import { readRefundConflict as openRefundConflict, saveRefundConflict } from '../store/queries/refund-conflicts';
import { approversOf, getRefund, type RefundRow } from '../store/queries/refund-requests';

// Runs approved refunds through PayTrace, at most once each, even across crashes,
// with the runner's exactly-once step (electron/core/remote-writes/exactly-once.ts):
// 1. the row becomes 'executing' with a fresh attempt marker and a lease
//    (owner + expiry, committed) before anything is sent, so no other executor
//    (a second app instance, a resume racing another) runs it meanwhile; the
//    chosen path ('void' | 'refund') is committed before each PayTrace call,
//    only while the marker is still this run's, renewing the lease;
// 2. a row found 'executing' (after a crash, or after a reply that never came)
//    is first looked up in PayTrace — the sale's own state for a void, the
//    REFUND rows for the sale since the attempt began for a refund — and is
//    only sent again when the look-up shows nothing happened; so is one whose
//    lease expired unreleased (its executor may have been sending);
// 3. success writes 'done', the PayTrace id and the ERP credit memo's outbox
//    row in one transaction (idempotency key = the PayTrace refund id).

export type RefundExecutorOptions = Readonly<{
  db: Db;
  paytrace: () => Promise<PayTraceClient>;
  zone: () => string;
  clock?: Clock;
  logger?: Logger;
  /** Names this executor's leases (default: this process, see remote-writes/lease.ts). */
  owner?: string;
  /** How long a claim holds a refund; longer than a PayTrace call with its timeout (default 5 minutes). */
  leaseMs?: number;
  /** Slack for clock differences when matching PayTrace's refund rows to an attempt. */
  lookupSlackMs?: number;
  onChange?: (refundId: number, transactionId: number) => void;
  /** A credit memo was queued: drain the outbox soon. */
  onQueued?: () => void;
}>;

type Found = Readonly<{ method: 'void' | 'refund'; paytraceTransactionId: number; how: string }>;

/** A claimed refund: the row as claimed, and this claim's marker (the fencing token). */
type Claimed = RefundRow & { readonly marker: string };

/** Another executor took the refund over before the intent was committed: nothing was sent by this one. */
class LeaseLost extends Error {}

const DEFAULT_LEASE_MS = 5 * 60_000;

/** heldBack recorded the conflict and put the refund back to 'approved'. */
const HELD_BACK: Stop = { state: 'conflict', message: 'held back by re-validation' };

const UNKNOWN_NOTE = 'Outcome unknown: Tieout looks the sale up in PayTrace before anything is sent again.';

export class RefundExecutor {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly running = new Map<number, Promise<void>>();
  /** The after-sync run of refunds whose sale settled, while one is under way (idle() waits for it). */
  private settledRun: Promise<number> | null = null;
  private readonly owner: string;

  constructor(private readonly o: RefundExecutorOptions) {
    this.clock = o.clock ?? systemClock;
    this.logger = o.logger ?? silentLogger;
    this.owner = o.owner ?? leaseOwnerId('refunds');
  }

  /** Executes one approved (or unresolved 'executing') refund; concurrent calls for the same refund share one run. */
  execute(refundId: number, actor: string): Promise<void> {
    const existing = this.running.get(refundId);
    if (existing) return existing;
    const run = this.run(refundId, actor).finally(() => this.running.delete(refundId));
    this.running.set(refundId, run);
    return run;
  }

  /** Resolves once no refund of this executor is running (the engine's close waits for it). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.settledRun) await Promise.allSettled([...this.running.values(), ...(this.settledRun ? [this.settledRun] : [])]);
  }

  /** After a restart: resolves every refund left 'executing' (look-up first). */
  async resumeAll(actor = 'system'): Promise<number> {
    const ids = executingRefundIds(this.o.db);
    for (const id of ids) await this.execute(id, actor);
    return ids.length;
  }

  /**
   * After a completed sync: refunds left 'executing' are resolved (look-up
   * first), then approved refunds whose sale has settled since (partial
   * refunds of unsettled sales wait for it) run through the same exactly-once
   * path, one at a time; a refund already done, executing or held back is not
   * claimed again. One tracked run, so idle() waits for the whole of it.
   * Returns how many settled-sale refunds were started.
   */
  afterSync(actor = 'system'): Promise<number> {
    if (this.settledRun) return this.settledRun;
    const run = (async () => {
      await this.resumeAll(actor);
      const ids = approvedRefundIdsOnSettledSales(this.o.db);
      for (const id of ids) await this.execute(id, actor);
      return ids.length;
    })().finally(() => {
      this.settledRun = null;
    });
    this.settledRun = run;
    return run;
  }

  private async run(refundId: number, actor: string): Promise<void> {
    // Held back by re-validation: only a supervisor's reduce or discard moves it on.
    if (openRefundConflict(this.o.db, refundId)) return;
    const claim = this.claim(refundId, actor);
    if (!claim) return;
    try {
      await this.runClaimed(claim.row, claim.tookOverLease, actor);
    } finally {
      releaseRefundLease(this.o.db, refundId, claim.row.marker);
    }
  }

  private async runClaimed(row: Claimed, tookOverLease: boolean, actor: string): Promise<void> {
    let client: PayTraceClient;
    try {
      client = await this.o.paytrace();
    } catch (e) {
      return this.note(row, `${(e as Error).message} ${UNKNOWN_NOTE}`);
    }
    const step = await sendExactlyOnce<Found | 'settled'>({
      // A method was committed, or an executor's lease ran out unreleased: it may have been sent before, so look before sending.
      mayHaveBeenSent: row.method !== null || tookOverLease,
      lookup: () => this.lookUp(client, row),
      // Nothing was sent (or the look-up found nothing): check that PayTrace still has this much to refund.
      beforeSend: async (): Promise<Stop | null> => ((await this.heldBack(client, row, actor)) ? HELD_BACK : null),
      // The intent is the method, committed before each PayTrace call (attempt), since 817/818 answers switch it.
      commitSending: () => {},
      send: async () => {
        await this.attempt(client, row, actor);
        return 'settled';
      },
    });
    if (step.outcome === 'found' && step.doc !== 'settled') return this.complete(row, step.doc, actor);
    if (step.outcome === 'failed' && step.error instanceof LeaseLost) {
      this.logger.warn(`refund ${row.id}: ${step.error.message}`);
      return;
    }
    // Nothing beyond the look-up is known: the row stays 'executing' and is resolved later.
    if (step.outcome === 'failed') this.note(row, `${(step.error as Error).message} ${UNKNOWN_NOTE}`);
  }

  private leaseUntil(): string {
    return new Date(this.clock.now() + (this.o.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
  }

  private claim(refundId: number, actor: string): { row: Claimed; tookOverLease: boolean } | null {
    const marker = randomBytes(8).toString('hex');
    const claimed = claimRefund(this.o.db, refundId, { marker, actor, owner: this.owner, now: this.clock.iso(), leaseUntil: this.leaseUntil(), ownerHasEnded });
    if (!claimed) return null;
    this.o.onChange?.(claimed.row.id, claimed.row.transaction_id);
    return { row: Object.assign(claimed.row, { marker }), tookOverLease: claimed.tookOverLease };
  }

  private async lookUp(client: PayTraceClient, row: RefundRow): Promise<Found | null> {
    const sale = await client.exportById(row.transaction_id);
    if (!sale) return null;
    if (row.method === 'void') {
      return sale.type.toUpperCase() === 'VOID' ? { method: 'void', paytraceTransactionId: sale.transactionId, how: 'found voided by look-up' } : null;
    }
    const refund = await this.findRefundRow(client, row, sale);
    return refund ? { method: 'refund', paytraceTransactionId: refund.transactionId, how: 'found by look-up before retry' } : null;
  }

  /** PayTrace's REFUND rows do not name the sale they refund: match on what they copy from it, created since the attempt began. */
  private async findRefundRow(client: PayTraceClient, row: RefundRow, sale: PayTraceTransaction): Promise<PayTraceTransaction | null> {
    const zone = this.o.zone();
    const since = Date.parse(row.executing_since ?? row.updated_at) - (this.o.lookupSlackMs ?? 10 * 60_000);
    const startDate = merchantDate(new Date(since).toISOString(), zone);
    const endDate = merchantDate(this.clock.iso(), zone);
    const { transactions } = await client.exportByDateRange({ startDate, endDate: endDate < startDate ? startDate : endDate }, { transactionType: 'REFUND' });
    const claimed = refundIdsClaimedByOthers(this.o.db, row.id);
    const candidates = transactions
      .filter(
        (t) =>
          t.transactionId > sale.transactionId &&
          !claimed.has(t.transactionId) &&
          t.amountCents === row.amount_cents &&
          t.invoiceId === sale.invoiceId &&
          t.customerId === sale.customerId &&
          t.maskedCard === sale.maskedCard &&
          Date.parse(t.createdAt) >= since,
      )
      .sort((a, b) => a.transactionId - b.transactionId);
    return candidates[0] ?? null;
  }

  private async attempt(client: PayTraceClient, row: Claimed, actor: string): Promise<void> {
    // The path follows the last synced state; PayTrace's 817/818 answers correct it when that is stale.
    const sale = getTransaction(this.o.db, row.transaction_id);
    if (!sale) return this.fail(row, `Transaction ${row.transaction_id} is not in the local store.`, actor);
    const full = row.amount_cents === sale.amountCents;
    // PayTrace voids whole sales only, so a partial amount always goes the refund way.
    let path: 'void' | 'refund' = sale.settledAt === null && full ? 'void' : 'refund';
    const tried = new Set<string>();
    for (;;) {
      tried.add(path);
      this.setMethod(row, path);
      try {
        const result = path === 'void' ? await client.voidTransaction(row.transaction_id) : await client.refundTransaction(row.transaction_id, cents(row.amount_cents));
        return this.complete(row, { method: path, paytraceTransactionId: result.transactionId, how: path === 'void' ? 'voided' : 'refunded' }, actor);
      } catch (e) {
        if (!isPayTraceError(e)) throw e;
        if (e.kind === 'business' && path === 'void' && e.hasCode(818) && !tried.has('refund')) {
          path = 'refund'; // settled meanwhile: refund instead
          continue;
        }
        if (e.kind === 'business' && path === 'refund' && e.hasCode(817)) {
          if (full && !tried.has('void')) {
            path = 'void'; // not settled yet: void instead
            continue;
          }
          return this.waitForSettlement(row);
        }
        if (e.kind === 'transient' || e.kind === 'malformed') {
          // The request may have reached PayTrace: keep 'executing', resolve by look-up.
          this.note(row, `${e.message} ${UNKNOWN_NOTE}`);
          return;
        }
        // PayTrace refused (or we never got past sign-in): nothing happened there.
        return this.fail(row, e.message, actor);
      }
    }
  }

  /**
   * Catch-up re-validation (docs/offline.md): the refund was approved against
   * the local store, possibly offline and long ago. If what remains refundable
   * in PayTrace no longer covers it, it goes back to 'approved' with a
   * `refundable_amount_changed` conflict instead of being sent.
   */
  private async heldBack(client: PayTraceClient, row: Claimed, actor: string): Promise<boolean> {
    const at = new Date(this.clock.now());
    const fresh = await payTraceRefundable(this.o.db, client, row, this.o.zone(), at);
    const conflict = refundConflictFor(this.o.db, row, fresh, at.toISOString());
    if (!conflict) return false;
    const db = this.o.db;
    db.transaction(() => {
      saveRefundConflict(db, row.id, conflict);
      returnRefundToApproved(db, row.id, row.marker, conflict.detail, conflict.detectedAt);
      appendAudit(db, {
        actor: 'system',
        action: 'refund.conflict',
        objectType: 'refund',
        objectId: String(row.id),
        after: { kind: conflict.kind, detail: conflict.detail, then: conflict.then, now: conflict.now, runBy: actor },
        at: conflict.detectedAt,
      });
    })();
    this.logger.warn(`refund ${row.id}: held back: ${conflict.detail}`);
    this.o.onChange?.(row.id, row.transaction_id);
    return true;
  }

  private setMethod(row: Claimed, method: 'void' | 'refund'): void {
    if (!setRefundMethod(this.o.db, row.id, method, row.marker, this.clock.iso(), this.leaseUntil())) {
      throw new LeaseLost('another executor took this refund over (its lease ran out); nothing was sent by this one');
    }
    row.method = method;
  }

  private note(row: RefundRow, message: string): void {
    noteRefund(this.o.db, row.id, message, this.clock.iso());
    this.logger.warn(`refund ${row.id}: ${message}`);
    this.o.onChange?.(row.id, row.transaction_id);
  }

  private waitForSettlement(row: Claimed): void {
    const message = 'PayTrace cannot void part of a sale, and refunds need a settled sale: Tieout runs it by itself once the sale has settled (after the first sync that finds it settled).';
    returnRefundToApproved(this.o.db, row.id, row.marker, message, this.clock.iso());
    this.o.onChange?.(row.id, row.transaction_id);
  }

  private fail(row: RefundRow, message: string, actor: string): void {
    const now = this.clock.iso();
    const db = this.o.db;
    db.transaction(() => {
      failRefund(db, row.id, message, now);
      appendAudit(db, { actor, action: 'refund.failed', objectType: 'refund', objectId: String(row.id), after: { transactionId: row.transaction_id, error: message }, at: now });
    })();
    this.logger.error(`refund ${row.id} failed: ${message}`);
    this.o.onChange?.(row.id, row.transaction_id);
  }

  private complete(row: RefundRow, found: Found, actor: string): void {
    const db = this.o.db;
    const now = this.clock.iso();
    let queued = false;
    db.transaction(() => {
      const current = getRefund(db, row.id);
      if (!current || current.state !== 'executing') return;
      const memoKey = this.queueCreditMemo(current, found, now);
      queued = memoKey !== null;
      completeRefund(db, row.id, { method: found.method, paytraceTransactionId: found.paytraceTransactionId, creditMemoKey: memoKey }, now);
      appendAudit(db, {
        actor,
        action: 'refund.executed',
        objectType: 'refund',
        objectId: String(row.id),
        after: {
          transactionId: row.transaction_id,
          amountCents: row.amount_cents,
          method: found.method,
          paytraceTransactionId: found.paytraceTransactionId,
          how: found.how,
          requestedBy: row.requested_by,
          approvedBy: approversOf(db, row.id).map((a) => a.approver),
          executedBy: actor,
          creditMemo: memoKey,
        },
        at: now,
      });
    })();
    this.logger.info(`refund ${row.id}: ${found.how} as PayTrace ${found.paytraceTransactionId}`);
    this.o.onChange?.(row.id, row.transaction_id);
    if (queued) this.o.onQueued?.();
  }

  /**
   * The ERP gets a credit memo only when it holds (or will hold) the payment's
   * receipt; its idempotency key is the PayTrace refund id ("V<sale id>" for a void,
   * which keeps the sale's id).
   */
  private queueCreditMemo(row: RefundRow, found: Found, now: string): string | null {
    const reference = found.method === 'void' ? `V${found.paytraceTransactionId}` : String(found.paytraceTransactionId);
    const queued = queueCreditMemo(this.o.db, {
      saleTransactionId: row.transaction_id,
      reference,
      amountCents: row.amount_cents,
      currency: row.currency,
      date: merchantDate(now, this.o.zone()),
      reason: `${found.method === 'void' ? 'Void' : 'Refund'} of PayTrace ${row.transaction_id}: ${row.reason_code}${row.note ? ` (${row.note})` : ''}`,
      now,
    });
    return queued?.key ?? null;
  }
}
