import pg from 'pg';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { PgConnectionConfig } from '../store/pg/sync-client';
import { pgClientOptions } from './team-connection';

// One PayTrace/ERP sync at a time for the team: each engine on a workspace
// keeps one extra connection and tries a session-level advisory lock on it.
// The holder leads (runs the scheduled sync); when its connection ends (the
// process killed, the network gone) PostgreSQL releases the lock and the next
// engine's retry takes it. The store's own connection is not used: its
// session must stay free to commit, and a lock on it would outlive nothing.

/** The sync's advisory lock key (the writer lock uses another). */
export const SYNC_LEADER_KEY = 7_349_201_114;

export type LeaderInfo = Readonly<{ workstation: string; since: string }>;

export type SyncLeadershipOptions = Readonly<{
  config: PgConnectionConfig;
  workstation: string;
  clock: Clock;
  logger: Logger;
  /** Called when this engine starts or stops leading. */
  onChange: (leading: boolean) => void;
  retryMs?: number;
}>;

export class SyncLeadership {
  private client: pg.Client | null = null;
  private leading = false;
  private current: LeaderInfo | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> | null = null;
  private readonly retryMs: number;

  constructor(private readonly o: SyncLeadershipOptions) {
    this.retryMs = o.retryMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tryLead();
  }

  /** Tries to take the lock now (a manual "Sync now" on a follower); true when this engine leads afterwards. */
  async tryLead(): Promise<boolean> {
    if (this.stopped) return false;
    this.attempt ??= this.attemptOnce().finally(() => {
      this.attempt = null;
    });
    await this.attempt;
    return this.leading;
  }

  /** Who leads, as the leader recorded it when this engine last looked (followers look on every retry); null before anyone has. */
  get leader(): LeaderInfo | null {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.attempt?.catch(() => {});
    this.setLeading(false);
    const client = this.client;
    this.client = null;
    // Ending the session releases the lock at once; the next engine takes it on its next retry.
    await client?.end().catch(() => {});
  }

  private async connected(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(pgClientOptions(this.o.config, `tieout sync-leader ${this.o.workstation}`));
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, null));
    await client.connect();
    if (this.stopped) {
      await client.end().catch(() => {});
      throw new Error('stopped');
    }
    this.client = client;
    return client;
  }

  private async attemptOnce(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      const client = await this.connected();
      // A leader checks its session is alive: a lock on a dead connection leads nothing (the server has released it).
      if (this.leading) await client.query('SELECT 1');
      else {
        const r = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SYNC_LEADER_KEY]);
        if (r.rows[0]?.locked) {
          // Recorded for the followers' "Sync runs on …"; the lock, not this row, decides.
          const me = { workstation: this.o.workstation, since: this.o.clock.iso() };
          await client.query(
            'INSERT INTO sync_leader (id, workstation, since) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET workstation = EXCLUDED.workstation, since = EXCLUDED.since',
            [me.workstation, me.since],
          );
          this.current = me;
          this.o.logger.info(`this workstation (${this.o.workstation}) now runs the team's sync`);
          this.setLeading(true);
        } else {
          const who = await client.query<LeaderInfo>('SELECT workstation, since FROM sync_leader WHERE id = 1');
          this.current = who.rows[0] ?? null;
        }
      }
    } catch (e) {
      this.o.logger.warn(`sync leadership: ${(e as Error).message}`);
      if (this.client) this.lost(this.client, e as Error);
    } finally {
      // Followers keep trying (a leader that goes away is replaced within a retry); a leader keeps checking its session.
      if (!this.stopped) this.timer = setTimeout(() => void this.tryLead(), this.retryMs);
    }
  }

  private lost(client: pg.Client, e: Error | null): void {
    if (client !== this.client) return;
    this.client = null;
    client.end().catch(() => {});
    if (this.leading) this.o.logger.warn(`lost the sync leadership (${e ? e.message : 'connection ended'})`);
    this.setLeading(false);
    if (!this.stopped && !this.timer && !this.attempt) this.timer = setTimeout(() => void this.tryLead(), this.retryMs);
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.o.onChange(leading);
  }
}
