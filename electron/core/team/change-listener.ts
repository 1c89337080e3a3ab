import pg from 'pg';
import type { Logger } from '../log/logger';
import { CHANGES_CHANNEL, type ChangeNotice } from '../store/pg/open-workspace';
import type { PgConnectionConfig } from '../store/pg/sync-client';
import { pgClientOptions } from './team-connection';

// Decisions made on other workstations reach this one as NOTIFYs on the
// workspace's changes channel (triggers send them at commit). They are
// gathered for a moment (a batch approval is one refresh, not hundreds) and
// handed on as the affected payments, or null when a whole table changed.

/**
 * Tables whose change a reviewer sees only as "every row may have changed":
 * a sync's new payments. Invoices are left out: a posting updates them on
 * every receipt, and the payments it touches arrive by id anyway.
 */
const REFRESH_ALL_TABLES = new Set(['paytrace_transactions']);

export type RemoteChanges = Readonly<{
  /** Payments whose review state changed; null: refresh every row. */
  transactionIds: readonly number[] | null;
  /** Payments whose presence (who is working on them) changed. */
  presence: readonly number[];
  /** Whole tables that changed (users, settings, policies…). */
  tables: readonly string[];
}>;

export type ChangeListenerOptions = Readonly<{
  config: PgConnectionConfig;
  workstation: string;
  logger: Logger;
  onChanges: (changes: RemoteChanges) => void;
  /** The store's own session: its changes are refreshed already in this process. */
  ownBackendPid?: () => number | null;
  debounceMs?: number;
  retryMs?: number;
}>;

export class ChangeListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private ids = new Set<number>();
  private presence = new Set<number>();
  private tables = new Set<string>();
  private all = false;
  private readyWaiters: Array<() => void> = [];
  private listening = false;

  constructor(private readonly o: ChangeListenerOptions) {}

  start(): void {
    void this.connect();
  }

  /** Resolves once LISTEN is in place (tests; a change committed before it is not heard). */
  ready(): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.retry = this.flushTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(pgClientOptions(this.o.config, `tieout listener ${this.o.workstation}`));
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (n) => {
      if (n.channel !== CHANGES_CHANNEL || !n.payload) return;
      if (n.processId === this.o.ownBackendPid?.()) return;
      this.take(n.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (this.stopped) return void (await client.end().catch(() => {}));
      this.listening = true;
      for (const w of this.readyWaiters.splice(0)) w();
      // Whatever changed while this workstation was not listening: refresh every row once.
      if (this.reconnected) this.queue(() => (this.all = true));
      this.reconnected = true;
    } catch (e) {
      this.lost(client, e as Error);
    }
  }

  private reconnected = false;

  private lost(client: pg.Client, e: Error | null): void {
    if (client !== this.client) return;
    this.client = null;
    this.listening = false;
    client.end().catch(() => {});
    if (this.stopped) return;
    this.o.logger.warn(`live changes: ${e ? e.message : 'connection ended'}; listening again shortly`);
    this.retry = setTimeout(() => void this.connect(), this.o.retryMs ?? 2_000);
  }

  private take(payload: string): void {
    let notice: ChangeNotice;
    try {
      notice = JSON.parse(payload) as ChangeNotice;
    } catch {
      return;
    }
    this.queue(() => {
      if (notice.t === 'row_presence') {
        if (typeof notice.id === 'number') this.presence.add(notice.id);
      } else if (typeof notice.id === 'number') this.ids.add(notice.id);
      else if (REFRESH_ALL_TABLES.has(notice.t)) this.all = true;
      else this.tables.add(notice.t);
    });
  }

  private queue(add: () => void): void {
    if (this.stopped) return;
    add();
    this.flushTimer ??= setTimeout(() => this.flush(), this.o.debounceMs ?? 75);
  }

  private flush(): void {
    this.flushTimer = null;
    if (this.stopped) return;
    const changes: RemoteChanges = {
      transactionIds: this.all ? null : [...this.ids],
      presence: [...this.presence],
      tables: [...this.tables],
    };
    this.ids.clear();
    this.presence.clear();
    this.tables.clear();
    this.all = false;
    if (changes.transactionIds?.length === 0 && changes.presence.length === 0 && changes.tables.length === 0) return;
    try {
      this.o.onChanges(changes);
    } catch (e) {
      this.o.logger.error(`live changes: ${(e as Error).message}`);
    }
  }
}
