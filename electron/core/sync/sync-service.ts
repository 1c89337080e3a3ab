import { DateTime } from 'luxon';
import type { RemoteState, SyncStatus } from '@shared/api-contract';
import type { Customer, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import type { Settings } from '@shared/settings';
import { appendAudit } from '../audit/audit-log';
import type { ErpConnector } from '../erp/connector';
import { silentLogger, type Logger } from '../log/logger';
import type { Matcher } from '../matching/types';
import type { Db } from '../store/db';
import { closeInvoicesNotSeenSince, listCustomers, listOpenInvoices, upsertCustomers, upsertOpenInvoices } from '../store/queries/ledger';
import { approvedUnpostedAllocations, pendingTransactionIds, saveOutcomes } from '../store/queries/matches';
import { readSyncCursor, writeSyncCursor } from '../store/queries/sync-cursors';
import { listTransactions, recordRejects, upsertTransactions } from '../store/queries/transactions';
import { listLearned } from '../store/queries/learned';
import { listRefundLinks } from '../store/queries/refund-links';
import { backoffDelay } from '../remote-writes/backoff';
import type { MatchRunner } from './match-runner';
import { classifyRemoteError } from './remote-errors';

// Pulls PayTrace incrementally (last window with an overlap; idempotent upserts
// by transaction id) and the ERP's customers and open invoices, then re-matches
// every undecided transaction. One run at a time; failures back off.

export type PayTraceSource = Readonly<{
  exportByDateRange(range: { startDate: string; endDate: string }): Promise<{
    transactions: PayTraceTransaction[];
    malformed: Array<{ raw: unknown; error: string }>;
  }>;
}>;

export type SyncServiceOptions = Readonly<{
  db: Db;
  settings: () => Settings;
  paytrace: () => Promise<PayTraceSource>;
  erp: () => Promise<ErpConnector>;
  matcher: () => Matcher;
  /**
   * Runs the sync's re-match (a worker thread, incremental: only what changed).
   * Without one the sync re-matches every undecided transaction in-process.
   */
  matchRunner?: MatchRunner;
  logger?: Logger;
  now?: () => Date;
  onStatus?: (status: SyncStatus) => void;
  onRowsChanged?: (ids: number[] | null) => void;
}>;

const LAST_WINDOW_END = 'paytrace.last_window_end';
const LAST_SUCCESS = 'sync.last_success_at';

type RemoteSystem = 'paytrace' | 'erp';
const SYSTEM_NAMES: Record<RemoteSystem, string> = { paytrace: 'PayTrace', erp: 'ERP' };

const unknownRemote: RemoteState = { reachability: 'unknown', message: null, asOf: null };

/** Store writes of a large sync go in chunks of this many rows, each its own transaction, yielding to the event loop in between. */
const WRITE_CHUNK = 500;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function inChunks<T>(items: readonly T[], write: (chunk: readonly T[]) => void): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_CHUNK) {
    write(i === 0 && items.length <= WRITE_CHUNK ? items : items.slice(i, i + WRITE_CHUNK));
    if (i + WRITE_CHUNK < items.length) await yieldToEventLoop();
  }
}

export class SyncService {
  private current: Promise<SyncStatus> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private state: SyncStatus;
  private readonly logger: Logger;
  private readonly now: () => Date;
  /** Transactions upserted since the last successful re-match (the incremental re-match starts from them). */
  private changedSinceMatch = new Set<number>();
  /** The last sync's re-match, for status and tests. */
  lastRematch: import('./incremental-rematch').RematchResult | null = null;

  constructor(private readonly o: SyncServiceOptions) {
    this.logger = o.logger ?? silentLogger;
    this.now = o.now ?? (() => new Date());
    const lastSuccess = readSyncCursor(o.db, LAST_SUCCESS);
    this.state = {
      state: 'idle',
      phase: null,
      progress: null,
      lastSuccessAt: lastSuccess,
      lastAttemptAt: null,
      lastError: null,
      nextRunAt: null,
      intervalMinutes: o.settings().sync.intervalMinutes,
      paytrace: { ...unknownRemote, asOf: readSyncCursor(o.db, 'paytrace.as_of') },
      erp: { ...unknownRemote, asOf: readSyncCursor(o.db, 'erp.as_of') },
    };
  }

  get status(): SyncStatus {
    return this.state;
  }

  /** Runs a sync now, or joins the one already running. */
  runOnce(): Promise<SyncStatus> {
    if (!this.current) {
      this.current = this.run().finally(() => {
        this.current = null;
      });
    }
    return this.current;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.update({ nextRunAt: null });
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.update({ nextRunAt: new Date(this.now().getTime() + delayMs).toISOString() });
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => {
        const interval = this.o.settings().sync.intervalMinutes * 60_000;
        // On failure retry sooner than the interval, backing off with jitter.
        const delay = this.failures === 0 ? interval : Math.min(interval, backoffDelay(this.failures, { baseMs: 15_000, maxMs: interval }, Math.random));
        if (this.timer) this.schedule(delay);
      });
    }, delayMs);
  }

  /** The system answered: its data is as of the start of this run. */
  private reached(system: RemoteSystem, startedAt: string): void {
    writeSyncCursor(this.o.db, `${system}.as_of`, startedAt);
    this.update({ [system]: { reachability: 'online', message: null, asOf: startedAt } });
  }

  /** The system failed: says why (returned for the run's errors); its data stays as of the last run that reached it. */
  private unreachable(system: RemoteSystem, e: unknown): string {
    const p = classifyRemoteError(SYSTEM_NAMES[system], e);
    this.logger.warn(p.message);
    this.update({ [system]: { reachability: p.reachability, message: p.message, asOf: readSyncCursor(this.o.db, `${system}.as_of`) } });
    return p.message;
  }

  /**
   * Another workstation ran the team's sync (team mode): what it reached and
   * when, as it recorded them in the shared store. This engine's own run, if
   * any, is left alone.
   */
  reloadFromStore(): void {
    if (this.current) return;
    const asOf = (system: RemoteSystem) => readSyncCursor(this.o.db, `${system}.as_of`);
    const reached = (system: RemoteSystem): RemoteState => {
      const at = asOf(system);
      return at && at !== this.state[system].asOf ? { reachability: 'online', message: null, asOf: at } : { ...this.state[system], asOf: at };
    };
    this.update({ lastSuccessAt: readSyncCursor(this.o.db, LAST_SUCCESS), paytrace: reached('paytrace'), erp: reached('erp') });
  }

  private update(patch: Partial<SyncStatus>): void {
    this.state = { ...this.state, ...patch, intervalMinutes: this.o.settings().sync.intervalMinutes };
    this.o.onStatus?.(this.state);
  }

  private async run(): Promise<SyncStatus> {
    const { db } = this.o;
    const settings = this.o.settings();
    const startedAt = this.now().toISOString();
    this.update({ state: 'running', phase: 'PayTrace', progress: { done: 0, total: 4 }, lastAttemptAt: startedAt, lastError: null });
    const errors: string[] = [];
    const changedIds: number[] = [];

    // 1. PayTrace
    try {
      const zone = settings.sync.merchantZone;
      const today = DateTime.fromJSDate(this.now(), { zone });
      const lastEnd = readSyncCursor(db, LAST_WINDOW_END);
      const earliest = today.minus({ days: settings.paytrace.lookbackDays - 1 }).startOf('day');
      // After a long offline spell the window reaches back to the last success, not just the look-back.
      const from = lastEnd ? DateTime.fromISO(lastEnd, { zone }).minus({ hours: settings.paytrace.overlapHours }).startOf('day') : earliest;
      const range = { startDate: from.toISODate()!, endDate: today.toISODate()! };
      const client = await this.o.paytrace();
      const { transactions, malformed } = await client.exportByDateRange(range);
      await inChunks(transactions, (chunk) => {
        for (const id of upsertTransactions(db, chunk)) changedIds.push(id);
      });
      for (const id of changedIds) this.changedSinceMatch.add(id);
      if (malformed.length > 0) {
        recordRejects(db, malformed);
        errors.push(`${malformed.length} PayTrace row(s) could not be read and were kept aside for review`);
      }
      writeSyncCursor(db, LAST_WINDOW_END, today.toISO()!);
      this.reached('paytrace', startedAt);
    } catch (e) {
      errors.push(this.unreachable('paytrace', e));
    }

    // 2. ERP customers and open invoices
    this.update({ phase: 'ERP', progress: { done: 1, total: 4 } });
    try {
      const erp = await this.o.erp();
      const customers: Customer[] = [];
      for await (const page of erp.listCustomers()) customers.push(...page);
      this.update({ progress: { done: 2, total: 4 } });
      const invoices: OpenInvoice[] = [];
      for await (const page of erp.listOpenInvoices()) invoices.push(...page);
      // In chunks: one transaction for 100k+ rows would hold the engine's thread for a second.
      // Every chunk carries the same stamp; what the read did not list is closed at the end.
      const stamp = this.now().toISOString();
      await inChunks(customers, (chunk) => upsertCustomers(db, chunk, stamp));
      await inChunks(invoices, (chunk) => upsertOpenInvoices(db, chunk, stamp));
      closeInvoicesNotSeenSince(db, stamp);
      this.reached('erp', startedAt);
    } catch (e) {
      errors.push(this.unreachable('erp', e));
    }

    // 3. Re-match every undecided transaction against what we know locally.
    this.update({ phase: 'Matching', progress: { done: 3, total: 4 } });
    const matched = await this.rematchChanged();

    const finishedAt = this.now().toISOString();
    if (errors.length === 0) {
      this.failures = 0;
      writeSyncCursor(db, LAST_SUCCESS, finishedAt);
      appendAudit(db, { actor: 'system', action: 'sync.completed', objectType: 'sync', objectId: finishedAt, after: { newOrChanged: changedIds.length, matched } });
      this.update({ state: 'idle', phase: null, progress: { done: 4, total: 4 }, lastSuccessAt: finishedAt, lastError: null });
    } else {
      this.failures += 1;
      this.update({ state: 'error', phase: null, progress: null, lastError: errors.join(' · ') });
    }
    this.o.onRowsChanged?.(null);
    return this.state;
  }

  /** The sync's re-match: through the runner (worker, only what changed) when there is one. */
  private async rematchChanged(): Promise<number> {
    const runner = this.o.matchRunner;
    if (!runner) return this.rematch();
    const changed = [...this.changedSinceMatch];
    const result = await runner.run({ changedTransactionIds: changed });
    for (const id of changed) this.changedSinceMatch.delete(id);
    this.lastRematch = result;
    this.logger.info(
      `re-matched ${result.rematched} of ${result.pending} undecided transaction(s) (${result.mode}${result.fullBecause ? `: ${result.fullBecause}` : ''}), ${result.saved} outcome(s) changed`,
    );
    return result.saved;
  }

  /**
   * Re-runs the matcher over every undecided transaction, synchronously and in-process
   * (conflict resolution needs the result at once); returns how many outcomes changed.
   */
  rematch(): number {
    // The runner's last picture of the outcomes is overtaken: its next run is full.
    this.o.matchRunner?.reset();
    const { db } = this.o;
    const pending = pendingTransactionIds(db);
    if (pending.length === 0) return 0;
    const pendingSet = new Set(pending);
    const all = listTransactions(db);
    const outcomes = this.o.matcher()({
      transactions: all.filter((t) => pendingSet.has(t.transactionId)),
      invoices: listOpenInvoices(db),
      customers: listCustomers(db),
      consumed: approvedUnpostedAllocations(db),
      learned: listLearned(db),
      // Decided transactions still tell duplicates and refunds apart.
      history: all.filter((t) => !pendingSet.has(t.transactionId)),
      refundLinks: listRefundLinks(db),
    });
    return saveOutcomes(db, outcomes);
  }
}
