import odbc from 'odbc';
import { ErpError, isErpError } from '../errors';
import { assertProvideXDialect } from './providex-sql';

// One lazily opened ODBC connection, with every driver error turned into a
// typed ErpError carrying the driver's own message. The password is appended
// to the connection string here and nowhere else, and is scrubbed from any
// message that might echo the connection string back.

export type OdbcRow = Record<string, unknown>;
export type OdbcParam = string | number;

export type OdbcSessionConfig = Readonly<{
  connectionString: string;
  username: string;
  password: string;
  timeoutMs: number;
}>;

type DriverError = Readonly<{ state: string; code: number; message: string }>;

function driverErrors(e: unknown): DriverError[] {
  if (typeof e === 'object' && e !== null && 'odbcErrors' in e && Array.isArray((e as { odbcErrors: unknown }).odbcErrors)) {
    return (e as { odbcErrors: DriverError[] }).odbcErrors;
  }
  return [];
}

export function scrubSecrets(text: string, password: string): string {
  let out = text.replace(/(PWD|Password)\s*=\s*(\{[^}]*\}|[^;]*)/gi, '$1=***');
  if (password.length > 0) out = out.split(password).join('***');
  return out;
}

function withCredentials(config: OdbcSessionConfig): string {
  let cs = config.connectionString.trim().replace(/;+$/, '');
  // Braces let a password hold ";" (ODBC connection-string quoting).
  if (config.username) cs += `;UID={${config.username}}`;
  if (config.password) cs += `;PWD={${config.password}}`;
  return cs;
}

export type OdbcPhase = 'connect' | 'query';

/** Maps a driver error to the typed error the posting pipeline branches on. */
export function toErpError(e: unknown, phase: OdbcPhase, password: string): ErpError {
  if (isErpError(e)) return e;
  const errors = driverErrors(e);
  const raw = errors.length > 0 ? errors.map((x) => `${x.state}: ${x.message}`).join(' | ') : e instanceof Error ? e.message : String(e);
  const erpMessage = scrubSecrets(raw, password);
  const states = errors.map((x) => x.state);
  const text = erpMessage.toLowerCase();
  const make = (kind: ErpError['kind'], message: string): ErpError => new ErpError(kind, `${message}: ${erpMessage}`, { erpMessage });

  if (states.some((s) => s === '28000') || /password|authori[sz]ation|logon|login failed/.test(text)) {
    return make('auth', 'Sage 100 ODBC refused the logon');
  }
  if (/can't open lib|data source name not found|driver.*not found|im002|im003/.test(text) || states.some((s) => s === 'IM002' || s === 'IM003')) {
    return make('config', 'The ODBC driver named in the connection string is not installed');
  }
  if (/locked|busy|timeout|timed out/.test(text) || states.some((s) => s === 'HYT00' || s === 'HYT01' || s.startsWith('08'))) {
    return make('transient', 'Sage 100 data is busy or unreachable; try again');
  }
  if (phase === 'connect') {
    return make('config', 'Could not open the Sage 100 company data (check the connection string: driver, directory/database, company)');
  }
  // ProvideX names a missing column "Column not found" and an unreadable table "[FILEIO]Table is not accessible" (docs/erp/sage100.md).
  if (/no such table|no such column|invalid column|invalid table|not found|table is not accessible/.test(text) || states.some((s) => s === '42S02' || s === '42S22')) {
    return make('config', 'Sage 100 table or column missing (check the table settings)');
  }
  if (/permission|access denied|readonly|read-only/.test(text)) {
    return make('permission', 'The Sage 100 ODBC user may not read this data');
  }
  return make('transient', 'Sage 100 ODBC call failed');
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ErpError('transient', `Sage 100 ODBC ${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class OdbcSession {
  private connection: odbc.Connection | null = null;
  private opening: Promise<odbc.Connection> | null = null;

  constructor(private readonly config: OdbcSessionConfig) {}

  private async open(): Promise<odbc.Connection> {
    if (this.connection) return this.connection;
    if (!this.opening) {
      const seconds = Math.max(1, Math.ceil(this.config.timeoutMs / 1000));
      this.opening = odbc
        .connect({ connectionString: withCredentials(this.config), loginTimeout: seconds, connectionTimeout: seconds })
        .then((c) => {
          this.connection = c;
          return c;
        })
        .catch((e: unknown) => {
          throw toErpError(e, 'connect', this.config.password);
        })
        .finally(() => {
          this.opening = null;
        });
    }
    return withTimeout(this.opening, this.config.timeoutMs, 'connect');
  }

  /** Runs a statement and returns at most `limit` rows through a cursor (ProvideX has no LIMIT/TOP). */
  async query(sql: string, params: readonly OdbcParam[] = [], limit?: number): Promise<OdbcRow[]> {
    assertProvideXDialect(sql);
    const connection = await this.open();
    const run = async (): Promise<OdbcRow[]> => {
      if (limit === undefined) {
        const result = await connection.query<OdbcRow>(sql, [...params]);
        return Array.from(result);
      }
      const cursor = await connection.query<OdbcRow, { cursor: true; fetchSize: number }>(sql, [...params], { cursor: true, fetchSize: limit });
      try {
        const rows = await cursor.fetch<OdbcRow>();
        return Array.from(rows).slice(0, limit);
      } finally {
        await cursor.close();
      }
    };
    const running = run();
    try {
      return await withTimeout(running, this.config.timeoutMs, 'query');
    } catch (e) {
      const error = toErpError(e, 'query', this.config.password);
      if (error.kind === 'transient') {
        // Reopen next time; a statement still running keeps its handle until it ends.
        if (this.connection === connection) this.connection = null;
        void running.then(
          () => connection.close(),
          () => connection.close(),
        ).catch(() => undefined);
      }
      throw error;
    }
  }

  /** Column names of `table` from the ODBC catalog (SQLColumns), as the driver reports them; empty when the table is unknown. */
  async columns(table: string): Promise<string[]> {
    const connection = await this.open();
    try {
      const rows = await withTimeout(connection.columns<OdbcRow>(null, null, table, null), this.config.timeoutMs, 'catalog read');
      return Array.from(rows).map((r) => String(r['COLUMN_NAME'] ?? '').trim()).filter((n) => n.length > 0);
    } catch (e) {
      throw toErpError(e, 'query', this.config.password);
    }
  }

  async reset(): Promise<void> {
    const c = this.connection;
    this.connection = null;
    if (c) await c.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.reset();
  }
}
