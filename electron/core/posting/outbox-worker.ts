import { hostname } from 'node:os';
import { appendAudit } from '../audit/audit-log';
import { EARLY_PAYMENT_DISCOUNT, postsDiscounts, type CreditMemoRequest, type ErpCapabilities, type ErpConnector, type ReceiptRecord, type ReceiptRequest } from '../erp/connector';
import { ErpError, isErpError } from '../erp/errors';
import { silentLogger, type Logger } from '../log/logger';
import type { Db } from '../store/db';
import { applyPaymentLocally } from '../store/queries/ledger';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';

// Drains the outbox to the ERP, exactly once per idempotency key:
// - a row is claimed with a lease, so a second worker or app instance cannot send it too;
// - its state becomes "sending" (committed) before the request leaves;
// - any row that may ever have been sent (attempts > 0, "sending" left by a crash,
//   "unknown_outcome") is looked up in the ERP by its PayTrace reference first.

export type OutboxRow = {
  id: number;
  idempotency_key: string;
  transaction_id: number;
  kind: 'receipt' | 'credit_memo';
  payload_json: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  erp_document_id: string | null;
};

/**
 * Re-validates a row against fresh remote state just before its first send
 * (offline catch-up). A conflict parks the row in state "conflict" for the
 * clerk instead of posting a decision the world has overtaken.
 */
export type Preflight = (row: OutboxRow, connector: ErpConnector) => Promise<{ ok: true } | { ok: false; reason: string }>;

export type OutboxWorkerOptions = Readonly<{
  preflight?: Preflight;
  db: Db;
  connector: () => Promise<ErpConnector>;
  owner: string;
  leaseMs?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Consecutive transient failures that open the circuit breaker. */
  breakerThreshold?: number;
  breakerPauseMs?: number;
  /** Postings in flight at once for this connection. */
  concurrency?: number;
  now?: () => Date;
  random?: () => number;
  logger?: Logger;
  actor?: string;
  onChange?: (transactionIds: number[]) => void;
}>;

export type DrainResult = Readonly<{ posted: number; retrying: number; dead: number; unknown: number }>;

export class OutboxWorker {
  private consecutiveTransient = 0;
  private pausedUntil = 0;
  private pauseReason: string | null = null;
  private draining: Promise<DrainResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly o: Required<Omit<OutboxWorkerOptions, 'onChange' | 'preflight'>> & Pick<OutboxWorkerOptions, 'onChange' | 'preflight'>;

  constructor(options: OutboxWorkerOptions) {
    this.o = {
      leaseMs: 120_000,
      maxAttempts: 8,
      backoff: DEFAULT_BACKOFF,
      breakerThreshold: 5,
      breakerPauseMs: 60_000,
      concurrency: 1,
      now: () => new Date(),
      random: Math.random,
      logger: silentLogger,
      actor: 'system',
      ...options,
    };
  }

  get paused(): string | null {
    return this.o.now().getTime() < this.pausedUntil ? this.pauseReason : null;
  }

  /** Posts every due row once; concurrent calls share one drain. */
  drain(): Promise<DrainResult> {
    if (!this.draining) {
      this.draining = this.drainOnce().finally(() => {
        this.draining = null;
      });
    }
    return this.draining;
  }

  /** Waits for the drain in flight, if any, without starting one. */
  async idle(): Promise<void> {
    await this.draining?.catch(() => {});
  }

  start(intervalMs = 5_000): void {
    if (this.timer) return;
    const tick = () => {
      void this.drain()
        .catch((e: unknown) => this.o.logger.error(`drain failed: ${(e as Error).message}`))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async drainOnce(): Promise<DrainResult> {
    const result = { posted: 0, retrying: 0, dead: 0, unknown: 0 };
    this.releaseAbandonedLeases();
    if (!this.dueCount()) return result;
    const connector = await this.o.connector();
    // Each lane claims its own rows; claims are atomic, so lanes never share one.
    const lane = async () => {
      for (;;) {
        if (this.paused) return;
        const row = this.claim();
        if (!row) return;
        const outcome = await this.process(connector, row);
        result[outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, lane));
    return result;
  }

  /**
   * A lease held by a process of this machine that no longer exists (crashed,
   * killed) is released at once instead of waiting for it to expire; the row
   * then goes through the ERP look-up like any row that may have been sent.
   */
  private releaseAbandonedLeases(): void {
    const rows = this.o.db
      .prepare("SELECT id, lease_owner FROM outbox WHERE lease_owner IS NOT NULL AND state IN ('queued', 'retry_wait', 'unknown_outcome', 'sending')")
      .all() as Array<{ id: number; lease_owner: string }>;
    for (const r of rows) {
      const owner = parseOwner(r.lease_owner);
      if (!owner || owner.host !== hostname() || owner.pid === process.pid || isAlive(owner.pid)) continue;
      this.o.db.prepare('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?').run(r.id, r.lease_owner);
      this.o.logger.warn(`outbox ${r.id}: released the lease of ended process ${owner.pid}`);
    }
  }

  private dueCount(): number {
    const now = this.o.now().toISOString();
    return (
      this.o.db
        .prepare(
          `SELECT COUNT(*) AS n FROM outbox WHERE state IN ('queued', 'retry_wait', 'unknown_outcome', 'sending')
           AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)`,
        )
        .get(now, now) as { n: number }
    ).n;
  }

  /** When the next row becomes due (ISO), or null when nothing is left to post. */
  nextDueAt(): string | null {
    const r = this.o.db
      .prepare("SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, ''))) AS at FROM outbox WHERE state IN ('queued', 'retry_wait', 'unknown_outcome', 'sending')")
      .get() as { at: string | null };
    return r.at;
  }

  private claim(): OutboxRow | null {
    const now = this.o.now();
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + this.o.leaseMs).toISOString();
    return (
      (this.o.db
        .prepare(
          `UPDATE outbox SET lease_owner = ?, lease_until = ?, updated_at = ?
           WHERE id = (
             SELECT id FROM outbox
             WHERE state IN ('queued', 'retry_wait', 'unknown_outcome', 'sending') AND next_attempt_at <= ?
               AND (lease_until IS NULL OR lease_until < ?)
             ORDER BY id LIMIT 1)
           RETURNING *`,
        )
        .get(this.o.owner, until, nowIso, nowIso, nowIso) as OutboxRow | undefined) ?? null
    );
  }

  private async process(connector: ErpConnector, row: OutboxRow): Promise<'posted' | 'retrying' | 'dead' | 'unknown'> {
    if (row.kind === 'credit_memo') return this.processCreditMemo(connector, row);
    const receipt = JSON.parse(row.payload_json) as ReceiptRequest;
    const mayHaveBeenSent = row.attempts > 0 || row.state === 'sending' || row.state === 'unknown_outcome';
    try {
      // Before re-validating a decision, ask whether the ERP already holds the receipt
      // (another workstation, or an earlier run): then there is nothing to decide.
      if (mayHaveBeenSent || (this.o.preflight && connector.capabilities.receiptLookup)) {
        if (!connector.capabilities.receiptLookup) {
          return this.dead(row, 'The ERP cannot confirm whether an earlier attempt was posted; check it by hand, then mark as posted or retry.');
        }
        const existing = await connector.findReceipt(receipt.reference);
        if (existing) return this.posted(row, existing.erpDocumentId, 'found by look-up before retry');
      }
      if (this.o.preflight && row.attempts === 0) {
        const check = await this.o.preflight(row, connector);
        if (!check.ok) return this.conflict(row, check.reason);
      }
      // Never post the cash alone when the receipt also carries what this connection cannot post.
      const unpostable = unpostablePart(receipt, connector.capabilities);
      if (unpostable) return this.dead(row, unpostable);
      this.markSending(row);
      const record: ReceiptRecord = await connector.postReceipt(receipt);
      this.consecutiveTransient = 0;
      return this.posted(row, record.erpDocumentId, 'posted');
    } catch (e) {
      return this.failed(row, e);
    }
  }

  /** Credit memos (refunds, voids) follow the receipts' rule: look up before any retry. */
  private async processCreditMemo(connector: ErpConnector, row: OutboxRow): Promise<'posted' | 'retrying' | 'dead' | 'unknown'> {
    const memo = JSON.parse(row.payload_json) as CreditMemoRequest;
    const mayHaveBeenSent = row.attempts > 0 || row.state === 'sending' || row.state === 'unknown_outcome';
    try {
      if (connector.capabilities.creditMemos === 'none') {
        return this.dead(row, `This ERP takes no credit memos from Tieout: enter credit memo ${memo.reference} (${memo.amountCents} cents for customer ${memo.customerId}) by hand, then mark it posted.`);
      }
      if (mayHaveBeenSent) {
        const existing = await connector.findCreditMemo(memo.reference);
        if (existing) return this.posted(row, existing.erpDocumentId, 'found by look-up before retry');
      }
      this.markSending(row);
      const record = await connector.postCreditMemo(memo);
      this.consecutiveTransient = 0;
      return this.posted(row, record.erpDocumentId, 'posted');
    } catch (e) {
      return this.failed(row, e);
    }
  }

  private markSending(row: OutboxRow): void {
    const now = this.o.now().toISOString();
    this.o.db.prepare("UPDATE outbox SET state = 'sending', attempts = attempts + 1, sent_at = ?, updated_at = ? WHERE id = ?").run(now, now, row.id);
    row.attempts += 1;
  }

  private posted(row: OutboxRow, documentId: string, how: string): 'posted' {
    const now = this.o.now().toISOString();
    const db = this.o.db;
    db.transaction(() => {
      db.prepare("UPDATE outbox SET state = 'posted', erp_document_id = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?").run(
        documentId,
        now,
        row.id,
      );
      db.prepare("INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, 'posted', ?)").run(row.id, now, how);
      if (row.kind === 'receipt') {
        db.prepare("UPDATE matches SET review_state = 'posted' WHERE transaction_id = ?").run(row.transaction_id);
        const allocs = (JSON.parse(row.payload_json) as ReceiptRequest).allocations;
        applyPaymentLocally(db, allocs, now);
      }
      appendAudit(db, {
        actor: this.o.actor,
        action: row.kind === 'receipt' ? 'receipt.posted' : 'credit_memo.posted',
        objectType: 'transaction',
        objectId: String(row.transaction_id),
        after: { erpDocumentId: documentId, how, attempts: row.attempts },
        at: now,
      });
    })();
    this.o.logger.info(`outbox ${row.id} posted as ${documentId} (${how})`);
    this.o.onChange?.([row.transaction_id]);
    return 'posted';
  }

  private failed(row: OutboxRow, e: unknown): 'retrying' | 'dead' | 'unknown' | 'posted' {
    const err: ErpError = isErpError(e) ? e : new ErpError('transient', (e as Error)?.message ?? String(e), { cause: e });
    if (err.kind === 'duplicate') return this.posted(row, err.existingDocumentId ?? 'existing', 'already in the ERP');
    const now = this.o.now();
    const message = err.erpMessage ? `${err.message} (ERP: ${err.erpMessage})` : err.message;
    if (err.kind === 'unknown_outcome') {
      // Never re-send blind: the next attempt starts with the look-up.
      this.reschedule(row, 'unknown_outcome', message, backoffDelay(1, this.o.backoff, this.o.random));
      return 'unknown';
    }
    if (err.kind === 'transient') {
      this.consecutiveTransient += 1;
      if (this.consecutiveTransient >= this.o.breakerThreshold) {
        this.pausedUntil = now.getTime() + this.o.breakerPauseMs;
        this.pauseReason = `Posting paused: the ERP failed ${this.consecutiveTransient} times in a row (${err.message}). Retrying automatically.`;
      }
      if (row.attempts >= this.o.maxAttempts) return this.dead(row, `Gave up after ${row.attempts} attempts: ${message}`);
      this.reschedule(row, 'retry_wait', message, backoffDelay(row.attempts + 1, this.o.backoff, this.o.random, err.retryAfterSeconds));
      return 'retrying';
    }
    return this.dead(row, message);
  }

  private reschedule(row: OutboxRow, state: 'retry_wait' | 'unknown_outcome', message: string, delayMs: number): void {
    const now = this.o.now();
    const next = new Date(now.getTime() + delayMs).toISOString();
    // A row that was "sending" keeps counting as possibly sent; its next attempt looks up first.
    this.o.db
      .prepare('UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?')
      .run(state, next, message, now.toISOString(), row.id);
    this.o.db.prepare('INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, ?, ?)').run(row.id, now.toISOString(), state, message);
    this.o.logger.warn(`outbox ${row.id}: ${state}: ${message}`);
    this.o.onChange?.([row.transaction_id]);
  }

  private conflict(row: OutboxRow, reason: string): 'dead' {
    const now = this.o.now().toISOString();
    const db = this.o.db;
    db.transaction(() => {
      db.prepare("UPDATE outbox SET state = 'conflict', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?").run(reason, now, row.id);
      db.prepare("INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, 'conflict', ?)").run(row.id, now, reason);
      appendAudit(db, { actor: this.o.actor, action: 'posting.conflict', objectType: 'transaction', objectId: String(row.transaction_id), after: { reason }, at: now });
    })();
    this.o.logger.warn(`outbox ${row.id} conflict: ${reason}`);
    this.o.onChange?.([row.transaction_id]);
    return 'dead';
  }

  private dead(row: OutboxRow, message: string): 'dead' {
    const now = this.o.now().toISOString();
    const db = this.o.db;
    db.transaction(() => {
      db.prepare("UPDATE outbox SET state = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?").run(message, now, row.id);
      db.prepare("INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, 'dead', ?)").run(row.id, now, message);
      appendAudit(db, { actor: this.o.actor, action: 'posting.failed', objectType: 'transaction', objectId: String(row.transaction_id), after: { error: message }, at: now });
    })();
    this.o.logger.error(`outbox ${row.id} dead: ${message}`);
    this.o.onChange?.([row.transaction_id]);
    return 'dead';
  }
}

/** Lease owners are "host:pid:random" so a crashed owner on this machine can be recognised. */
export function leaseOwnerId(label: string): string {
  return `${hostname()}:${process.pid}:${label}`;
}

function parseOwner(owner: string): { host: string; pid: number } | null {
  const m = /^(.*):(\d+):[^:]*$/.exec(owner);
  return m ? { host: m[1]!, pid: Number(m[2]) } : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type OutboxCounts = Readonly<{ queued: number; sending: number; retrying: number; unknownOutcome: number; posted: number; dead: number }>;

export function outboxCounts(db: Db): OutboxCounts {
  const counts = { queued: 0, sending: 0, retrying: 0, unknownOutcome: 0, posted: 0, dead: 0 };
  for (const r of db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as Array<{ state: string; n: number }>) {
    if (r.state === 'queued') counts.queued = r.n;
    else if (r.state === 'sending') counts.sending = r.n;
    else if (r.state === 'retry_wait') counts.retrying = r.n;
    else if (r.state === 'unknown_outcome') counts.unknownOutcome = r.n;
    else if (r.state === 'posted') counts.posted = r.n;
    else if (r.state === 'dead') counts.dead = r.n;
  }
  return counts;
}

export function outboxFor(db: Db, transactionId: number): (OutboxRow & { updated_at: string }) | null {
  return (db.prepare("SELECT * FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(transactionId) as (OutboxRow & { updated_at: string }) | undefined) ?? null;
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
