import { PgStoreError, PgSyncClient, type PgConnectionConfig, type PgStep } from './sync-client';
import { leadingKeyword, splitStatements, translateSql, type TranslatedSql } from './translate';
import { translateDdl } from './schema';

// The workspace connection with the surface of the better-sqlite3 Database the
// store uses (prepare/run/get/all/iterate/raw/pluck, transaction, exec,
// pragma), so the query modules and services run unchanged on PostgreSQL.
//
// Every write transaction, and every write outside one, first takes one
// transaction-scoped advisory lock: writers across workstations go one at a
// time, as they do on SQLite, so no service written against SQLite's
// serialised writes meets a read-committed anomaly (a lost update, a claim
// taken twice). Reads take no lock. Remote-write claims additionally lock
// their row (FOR UPDATE SKIP LOCKED) and hold a lease, which is what makes
// a send exactly-once across workstations (docs/team.md).

/** pg_advisory_xact_lock key of the workspace's writer lock ('tieout' in ASCII). */
export const WRITER_LOCK_KEY = 0x7469656f7574;

const STATEMENT_SAVEPOINT = 'tieout_statement';
const WRITER_LOCK = `SELECT pg_advisory_xact_lock(${WRITER_LOCK_KEY})`;
const MAX_PROVEN_READS = 5000;

const DROP_TRIGGER = /^\s*DROP\s+TRIGGER\s+(IF\s+EXISTS\s+)?"?(\w+)"?\s*;?\s*$/i;

type RunResult = { changes: number; lastInsertRowid: number };

function bindParams(t: TranslatedSql, args: readonly unknown[]): unknown[] {
  const single = args.length === 1 ? args[0] : undefined;
  if (t.params.kind === 'named') {
    if (!single || typeof single !== 'object' || Array.isArray(single)) throw new TypeError('Named parameters need one object of values');
    const values = single as Record<string, unknown>;
    return t.params.names.map((n) => {
      if (!(n in values)) throw new RangeError(`Missing named parameter "${n}"`);
      return toPg(values[n]);
    });
  }
  const flat = args.flatMap((a) => (Array.isArray(a) ? a : [a]));
  if (flat.length !== t.params.count) throw new RangeError(`Too ${flat.length < t.params.count ? 'few' : 'many'} parameter values were provided`);
  return flat.map(toPg);
}

function toPg(v: unknown): unknown {
  // As better-sqlite3: undefined binds as NULL.
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError('A number bound to the store must be finite');
    return v;
  }
  if (typeof v === 'bigint') return v.toString();
  // As better-sqlite3: booleans and objects are not values a column holds.
  throw new TypeError(`The store binds numbers, strings, bigints, buffers and null, not ${typeof v}`);
}

/** `$n::type` for parameters PostgreSQL cannot type from context ($1 IS NULL), chosen from the value as SQLite would store it. */
function castFor(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'bigint' : 'double precision';
  if (Buffer.isBuffer(v)) return 'bytea';
  return 'text';
}

function withCasts(text: string, casts: ReadonlySet<number>, values: readonly unknown[]): string {
  if (casts.size === 0) return text;
  return text.replace(/\$(\d+)(?!\d)/g, (m, d: string) => (casts.has(Number(d)) ? `${m}::${castFor(values[Number(d) - 1])}` : m));
}

export class PgStatement {
  private rawMode = false;
  private pluckMode = false;
  readonly reader: boolean;

  constructor(
    private readonly db: PgDatabase,
    readonly source: string,
    private readonly translated: TranslatedSql,
  ) {
    this.reader = translated.returnsRows;
  }

  raw(on = true): this {
    this.rawMode = on;
    if (on) this.pluckMode = false;
    return this;
  }

  pluck(on = true): this {
    this.pluckMode = on;
    if (on) this.rawMode = false;
    return this;
  }

  run(...args: unknown[]): RunResult {
    const r = this.db.execute(this.db.withNewId(this.translated), args, false);
    const first = r.rows[0] as Record<string, unknown> | undefined;
    const id = first && typeof first['id'] === 'number' ? first['id'] : 0;
    return { changes: r.rowCount, lastInsertRowid: id };
  }

  get(...args: unknown[]): unknown {
    return this.shape(this.db.execute(this.translated, args, this.rawMode || this.pluckMode).rows)[0];
  }

  all(...args: unknown[]): unknown[] {
    return this.shape(this.db.execute(this.translated, args, this.rawMode || this.pluckMode).rows);
  }

  iterate(...args: unknown[]): IterableIterator<unknown> {
    return this.all(...args)[Symbol.iterator]();
  }

  private shape(rows: unknown[]): unknown[] {
    if (this.pluckMode) return rows.map((r) => (r as unknown[])[0]);
    return rows;
  }
}

type Transaction<F extends (...args: never[]) => unknown> = F & { deferred: F; immediate: F; exclusive: F };

export class PgDatabase {
  readonly dialect = 'postgres' as const;
  /** Never a file: the match runner keeps re-matching in-process on a workspace. */
  readonly memory = true;
  readonly readonly: boolean;
  readonly name: string;
  private client: PgSyncClient | null;
  private depth = 0;
  // The statement savepoint is left open after a statement and released by the next one's
  // SAVEPOINT in the same round trip (or by COMMIT): two round trips a statement, not three.
  private statementSavepointOpen = false;
  // Depth at which a statement failed with no savepoint to return to: PostgreSQL has aborted
  // the transaction, so nothing more may run in it and it cannot commit.
  private abortedAt: number | null = null;
  private abortedBy: unknown = null;
  // Reads that have run once in this connection: a read fails on its first run (a typo, an
  // untyped parameter) rather than on data, so from the second run on it goes without a savepoint.
  private readonly provenReads = new Set<string>();
  private identityTables: Set<string> | undefined;
  private readonly translations = new Map<string, TranslatedSql>();
  // Parameters PostgreSQL could not type from context, learnt per statement (42P18).
  private readonly castsFor = new Map<string, Set<number>>();

  constructor(config: PgConnectionConfig, options: { readonly?: boolean; label?: string } = {}) {
    this.client = new PgSyncClient(config);
    this.readonly = options.readonly ?? false;
    this.name = options.label ?? 'workspace';
    if (this.readonly) this.client.run([{ sql: 'SET default_transaction_read_only = on' }]);
  }

  get open(): boolean {
    return this.client !== null;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(sql: string): PgStatement {
    return new PgStatement(this, sql, this.translate(sql));
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F> {
    const wrapped = ((...args: Parameters<F>) => {
      this.begin();
      let result: unknown;
      try {
        result = fn(...args);
      } catch (e) {
        this.rollback();
        throw e;
      }
      this.commit();
      return result;
    }) as unknown as Transaction<F>;
    wrapped.deferred = wrapped;
    wrapped.immediate = wrapped;
    wrapped.exclusive = wrapped;
    return wrapped;
  }

  exec(sql: string): this {
    for (const statement of splitStatements(sql)) {
      const keyword = leadingKeyword(statement);
      if (keyword === 'BEGIN') this.begin();
      else if (keyword === 'COMMIT' || keyword === 'END') this.commit();
      else if (keyword === 'ROLLBACK') this.rollback();
      else if (keyword === 'DROP' && DROP_TRIGGER.test(statement)) this.dropTrigger(statement);
      else if (keyword === 'CREATE' || keyword === 'ALTER' || keyword === 'DROP') this.run([{ sql: translateDdl(statement) }]);
      else this.execute(this.translate(statement), [], false);
    }
    return this;
  }

  /** SQLite pragmas the store uses: user_version is the workspace's schema version; the rest have no meaning here. */
  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const m = /^\s*(\w+)\s*(?:=\s*(\w+))?/.exec(source);
    const name = m?.[1]?.toLowerCase() ?? '';
    if (name === 'user_version') {
      if (m?.[2] !== undefined) {
        this.run([{ sql: 'UPDATE tieout_schema SET version = $1', params: [Number(m[2])] }]);
        return [];
      }
      const row = this.run([{ sql: 'SELECT version FROM tieout_schema' }]).rows[0] as { version: number } | undefined;
      const version = row?.version ?? 0;
      return options.simple ? version : [{ user_version: version }];
    }
    if (name === 'foreign_keys') return options.simple ? 1 : [{ foreign_keys: 1 }];
    // foreign_key_check, wal_checkpoint, journal_mode, busy_timeout …: PostgreSQL checks keys itself and has no such knobs.
    return options.simple ? undefined : [];
  }

  /** SQLite names a trigger alone; PostgreSQL wants its table too, found in the catalogue. */
  private dropTrigger(statement: string): void {
    const m = DROP_TRIGGER.exec(statement)!;
    const name = m[2]!;
    const tables = this.run([{ sql: 'SELECT tgrelid::regclass::text AS t FROM pg_trigger WHERE tgname = $1 AND NOT tgisinternal', params: [name] }]).rows as Array<{ t: string }>;
    if (tables.length === 0) {
      if (m[1]) return;
      throw new PgStoreError(`no such trigger: ${name}`, '42704', undefined, undefined);
    }
    for (const { t } of tables) this.run([{ sql: `DROP TRIGGER ${name} ON ${t}` }]);
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }

  /** Runs one translated statement: inside a transaction under a savepoint; outside one, a write under the writer lock. */
  execute(t: TranslatedSql, args: readonly unknown[], arrays: boolean): { rows: unknown[]; rowCount: number } {
    const values = bindParams(t, args);
    const rowMode = arrays ? ('array' as const) : undefined;
    for (let attempt = 0; ; attempt++) {
      const casts = this.castsFor.get(t.text) ?? new Set<number>();
      const step: PgStep = { sql: withCasts(t.text, casts, values), params: values, rowMode };
      try {
        if (this.depth > 0) return this.inTransactionStep(step, t.returnsRows && !t.writes);
        if (t.writes && !this.readonly) return this.run([{ sql: `BEGIN; ${WRITER_LOCK}` }, step, { sql: 'COMMIT' }], false, 1, true);
        return this.run([step]);
      } catch (e) {
        const index = e instanceof PgStoreError && e.code === '42P18' ? /\$(\d+)/.exec(e.message)?.[1] : undefined;
        if (index === undefined || attempt > values.length) throw e;
        casts.add(Number(index));
        this.castsFor.set(t.text, casts);
      }
    }
  }

  /**
   * One statement inside a transaction. A failed statement leaves SQLite's
   * transaction usable; PostgreSQL's only through a savepoint taken before it.
   * A proven read goes without one: should it fail all the same, the
   * transaction is marked aborted and can only roll back (commit throws).
   */
  private inTransactionStep(step: PgStep, read: boolean): { rows: unknown[]; rowCount: number } {
    this.refuseWhenAborted();
    if (read && this.provenReads.has(step.sql)) {
      try {
        return this.run([step]);
      } catch (e) {
        this.abortedAt = this.depth;
        this.abortedBy = e;
        throw e;
      }
    }
    const take = this.statementSavepointOpen ? `RELEASE SAVEPOINT ${STATEMENT_SAVEPOINT}; SAVEPOINT ${STATEMENT_SAVEPOINT}` : `SAVEPOINT ${STATEMENT_SAVEPOINT}`;
    this.statementSavepointOpen = false;
    const result = this.run([{ sql: take }, step], true, 1);
    this.statementSavepointOpen = true;
    if (read) {
      // Statements built per call (IN lists of any length) must not grow the set without bound.
      if (this.provenReads.size >= MAX_PROVEN_READS) this.provenReads.clear();
      this.provenReads.add(step.sql);
    }
    return result;
  }

  private refuseWhenAborted(): void {
    if (this.abortedAt === null) return;
    const cause = this.abortedBy instanceof Error ? this.abortedBy.message : String(this.abortedBy);
    throw new PgStoreError(`The transaction was aborted by a failed statement (${cause}); it can only roll back`, '25P02', undefined, undefined);
  }

  /** The statement with RETURNING id when it inserts into a table whose id PostgreSQL assigns (better-sqlite3's lastInsertRowid). */
  withNewId(t: TranslatedSql): TranslatedSql {
    if (!t.insertInto) return t;
    this.identityTables ??= new Set(
      // pg_attribute rather than information_schema: a catalogue read, not a view joining a dozen (once per connection).
      (
        this.run([
          {
            sql: "SELECT c.relname AS table_name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attname = 'id' AND a.attidentity <> '' AND n.nspname = current_schema()",
          },
        ]).rows as Array<{ table_name: string }>
      ).map((r) => r.table_name),
    );
    if (!this.identityTables.has(t.insertInto)) return t;
    const key = `${t.text}\u0000id`;
    let withId = this.translations.get(key);
    if (!withId) {
      withId = { ...t, text: `${t.text} RETURNING id`, returnsRows: true, insertInto: null };
      this.translations.set(key, withId);
    }
    return withId;
  }

  private translate(sql: string): TranslatedSql {
    let t = this.translations.get(sql);
    if (!t) {
      t = translateSql(sql);
      this.translations.set(sql, t);
    }
    return t;
  }

  private begin(): void {
    if (this.depth === 0) this.run([{ sql: this.readonly ? 'BEGIN' : `BEGIN; ${WRITER_LOCK}` }]);
    else {
      this.refuseWhenAborted();
      // Released first: RELEASE of an older savepoint would also release the nested one.
      const release = this.statementSavepointOpen ? `RELEASE SAVEPOINT ${STATEMENT_SAVEPOINT}; ` : '';
      this.statementSavepointOpen = false;
      this.run([{ sql: `${release}SAVEPOINT tieout_nested_${this.depth}` }]);
    }
    this.depth += 1;
  }

  private commit(): void {
    if (this.depth === 0) throw new PgStoreError('cannot commit - no transaction is active', undefined, undefined, undefined);
    if (this.abortedAt !== null) {
      // PostgreSQL would answer COMMIT with a silent ROLLBACK: say so instead.
      const cause = this.abortedBy;
      this.rollback();
      throw new PgStoreError(`The transaction was rolled back: a statement in it failed (${cause instanceof Error ? cause.message : String(cause)})`, '25P02', undefined, undefined);
    }
    this.depth -= 1;
    this.statementSavepointOpen = false;
    this.run([{ sql: this.depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT tieout_nested_${this.depth}` }]);
  }

  private rollback(): void {
    if (this.depth === 0) return;
    const level = this.depth;
    this.depth -= 1;
    this.statementSavepointOpen = false;
    // Rolling back the level a statement aborted (or an outer one) makes the connection usable again.
    if (this.abortedAt !== null && this.abortedAt >= level) {
      this.abortedAt = null;
      this.abortedBy = null;
    }
    if (this.depth === 0) this.run([{ sql: 'ROLLBACK' }]);
    else this.run([{ sql: `ROLLBACK TO SAVEPOINT tieout_nested_${this.depth}; RELEASE SAVEPOINT tieout_nested_${this.depth}` }]);
  }

  /**
   * Runs steps on the connection; `resultAt` picks whose rows to return.
   * `savepointed`: on failure, roll back to the statement's savepoint first.
   * `ownTransaction`: on failure, roll the autocommit wrapper back.
   */
  private run(steps: readonly PgStep[], savepointed = false, resultAt = steps.length - 1, ownTransaction = false): { rows: unknown[]; rowCount: number } {
    if (!this.client) throw new PgStoreError('The database connection is not open', undefined, undefined, undefined);
    try {
      return this.client.runPicking(steps, resultAt);
    } catch (e) {
      if (savepointed) this.client.run([{ sql: `ROLLBACK TO SAVEPOINT ${STATEMENT_SAVEPOINT}; RELEASE SAVEPOINT ${STATEMENT_SAVEPOINT}` }]);
      else if (ownTransaction) this.client.run([{ sql: 'ROLLBACK' }]);
      throw e;
    }
  }
}
