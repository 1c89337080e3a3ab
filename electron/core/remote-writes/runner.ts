import { systemClock, type Clock } from '../clock';
import { silentLogger, type Logger } from '../log/logger';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Breaker } from './breaker';
import { sendExactlyOnce, type RemoteWrite, type Stop } from './exactly-once';
import { classifyErpFailure } from './failure';
import { ErpError, isErpError } from '../erp/errors';
import type { WaitingState, WriteState } from './states';

// Drains a queue of remote writes, exactly once per row:
// - a row is claimed with a lease (owner + expiry), so a second lane, worker
//   or app instance cannot send it too;
// - each row goes through sendExactlyOnce (look-up before any resend, intent
//   committed before the request);
// - transient failures wait with jittered backoff (at least the server's
//   Retry-After) and count towards the connection's breaker; a row that used up
//   its attempts, or that the remote refused, becomes a dead letter.
// The queue's store and the kinds of write are supplied; nothing here knows SQL
// or what a receipt is.

export type QueuedRow = { id: number; attempts: number; state: WriteState };

export type RunnerQueue<Row extends QueuedRow> = Readonly<{
  /** Releases leases held by ended processes of this machine. */
  releaseAbandonedLeases(): void;
  dueCount(now: string): number;
  nextDueAt(): string | null;
  claim(owner: string, now: string, leaseUntil: string): Row | null;
  markSending(row: Row, now: string): void;
  reschedule(row: Row, state: WaitingState, nextAttemptAt: string, message: string, now: string): void;
}>;

/** What the remote system answers for a write it holds. */
export type RemoteDocument = Readonly<{ erpDocumentId: string }>;

/** A queued row's write: the runner commits the intent (markSending) itself. */
export type KindWrite<Doc> = Omit<RemoteWrite<Doc>, 'commitSending'>;

/** How one kind of row is written and how its end is recorded. */
export type RunnerKind<Row extends QueuedRow, Conn> = Readonly<{
  /** The write, or a reason to stop before anything is attempted (e.g. the connection cannot take this kind). */
  write(row: Row, connection: Conn): KindWrite<RemoteDocument> | Stop;
  done(row: Row, documentId: string, how: string): void;
  stopped(row: Row, stop: Stop): void;
}>;

/** How a runner paces and protects its sends; every queue's worker takes these as they are. */
export type RunnerPolicy = Readonly<{
  leaseMs?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Consecutive transient failures that open the breaker. */
  breakerThreshold?: number;
  breakerPauseMs?: number;
  /** Rows in flight at once for this connection. */
  concurrency?: number;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
}>;

export type RunnerOptions<Row extends QueuedRow, Conn> = RunnerPolicy &
  Readonly<{
    queue: RunnerQueue<Row>;
    kindOf(row: Row): RunnerKind<Row, Conn>;
    connection: () => Promise<Conn>;
    owner: string;
    /** A row was rescheduled (done and stopped rows are the kind's to report). */
    onRescheduled?: (row: Row) => void;
  }>;

export type Outcome = 'posted' | 'retrying' | 'dead' | 'unknown';
export type DrainResult = Readonly<Record<Outcome, number>>;

export class RemoteWriteRunner<Row extends QueuedRow, Conn> {
  private draining: Promise<DrainResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly breaker: Breaker;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly o: RunnerOptions<Row, Conn>) {
    this.clock = o.clock ?? systemClock;
    this.logger = o.logger ?? silentLogger;
    this.breaker = new Breaker({ clock: this.clock, threshold: o.breakerThreshold ?? 5, pauseMs: o.breakerPauseMs ?? 60_000 });
  }

  /** Why sending is paused (the breaker is open), or null. */
  get paused(): string | null {
    return this.breaker.paused;
  }

  /** Sends every due row once; concurrent calls share one drain. */
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
        .catch((e: unknown) => this.logger.error(`drain failed: ${(e as Error).message}`))
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

  nextDueAt(): string | null {
    return this.o.queue.nextDueAt();
  }

  private async drainOnce(): Promise<DrainResult> {
    const result: Record<Outcome, number> = { posted: 0, retrying: 0, dead: 0, unknown: 0 };
    this.o.queue.releaseAbandonedLeases();
    if (!this.o.queue.dueCount(this.clock.iso())) return result;
    const connection = await this.o.connection();
    // Each lane claims its own rows; claims are atomic, so lanes never share one.
    const lane = async () => {
      for (;;) {
        if (this.paused) return;
        const now = this.clock.now();
        const row = this.o.queue.claim(this.o.owner, new Date(now).toISOString(), new Date(now + (this.o.leaseMs ?? 120_000)).toISOString());
        if (!row) return;
        result[await this.process(connection, row)] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency ?? 1) }, lane));
    return result;
  }

  private async process(connection: Conn, row: Row): Promise<Outcome> {
    const kind = this.o.kindOf(row);
    const write = kind.write(row, connection);
    if (!('send' in write)) return this.stopped(kind, row, write);
    const step = await sendExactlyOnce({
      ...write,
      commitSending: () => {
        this.o.queue.markSending(row, this.clock.iso());
        row.attempts += 1;
      },
    });
    switch (step.outcome) {
      case 'found':
        kind.done(row, step.doc.erpDocumentId, 'found by look-up before retry');
        return 'posted';
      case 'sent':
        this.breaker.success();
        kind.done(row, step.doc.erpDocumentId, 'posted');
        return 'posted';
      case 'stopped':
        return this.stopped(kind, row, step.stop);
      case 'failed':
        return this.failed(kind, row, step.error, write);
    }
  }

  private stopped(kind: RunnerKind<Row, Conn>, row: Row, stop: Stop): 'dead' {
    kind.stopped(row, stop);
    return 'dead';
  }

  private async failed(kind: RunnerKind<Row, Conn>, row: Row, error: unknown, write: KindWrite<RemoteDocument>): Promise<Outcome> {
    const f = classifyErpFailure(error);
    switch (f.kind) {
      case 'duplicate':
        kind.done(row, f.documentId, 'already in the ERP');
        return 'posted';
      case 'unknown_outcome':
        // Never re-send blind: the next attempt starts with the look-up. The wait grows with the attempts:
        // an outcome a person must resolve in the ERP (a lock-box upload, a batch for review) is looked up
        // every few minutes, not every two seconds for hours.
        this.reschedule(row, 'unknown_outcome', f.message, backoffDelay(Math.max(1, row.attempts), this.o.backoff ?? DEFAULT_BACKOFF, this.o.random ?? Math.random));
        return 'unknown';
      case 'transient':
        this.breaker.failure((n) => `Posting paused: the ERP failed ${n} times in a row (${f.short}). Retrying automatically.`);
        if (row.attempts >= (this.o.maxAttempts ?? 8)) {
          // The last send may have arrived all the same (a dropped connection reads as transient):
          // look once before the dead letter, so a write the remote holds is recorded as posted.
          const found = await write.lookup().catch((e: unknown) => (isErpError(e) && e.kind === 'partial' ? e : null));
          // A partial booking found now is what the clerk must hear about, not the last transient error.
          if (found instanceof ErpError) return this.stopped(kind, row, { state: 'dead', message: found.message });
          if (found) {
            kind.done(row, found.erpDocumentId, 'found by look-up before giving up');
            return 'posted';
          }
          return this.stopped(kind, row, { state: 'dead', message: `Gave up after ${row.attempts} attempts: ${f.message}` });
        }
        this.reschedule(row, 'retry_wait', f.message, backoffDelay(row.attempts + 1, this.o.backoff ?? DEFAULT_BACKOFF, this.o.random ?? Math.random, f.retryAfterSeconds));
        return 'retrying';
      case 'permanent':
        return this.stopped(kind, row, { state: 'dead', message: f.message });
    }
  }

  private reschedule(row: Row, state: WaitingState, message: string, delayMs: number): void {
    const now = this.clock.now();
    this.o.queue.reschedule(row, state, new Date(now + delayMs).toISOString(), message, new Date(now).toISOString());
    this.logger.warn(`row ${row.id}: ${state}: ${message}`);
    this.o.onRescheduled?.(row);
  }
}
