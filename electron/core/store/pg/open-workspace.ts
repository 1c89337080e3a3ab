import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { migrations, type Migration } from '../migrations';
import { PgDatabase, WRITER_LOCK_KEY } from './pg-database';
import { workspaceSchema } from './schema';
import { PgStoreError, PgSyncClient, type PgConnectionConfig } from './sync-client';

/**
 * The first schema version a workspace is created at: the SQLite store's
 * schema as of the release that introduced team mode, translated
 * (schema.ts). Migrations after it run on both dialects.
 */
export const WORKSPACE_BASELINE_VERSION = 15;

/**
 * Opens a workspace database and brings its schema up to this version of
 * Tieout, under the writer lock so two workstations starting together do not
 * both create it. A workspace written by a newer Tieout is refused.
 */
export function openWorkspaceDb(
  config: PgConnectionConfig,
  options: { readonly?: boolean; label?: string; anySchema?: boolean; /** The store's migrations (a test adds a later one). */ migrations?: readonly Migration[] } = {},
): PgDatabase {
  const db = new PgDatabase(config, { label: options.label });
  const known = options.migrations ?? migrations;
  try {
    const latest = known[known.length - 1]!.version;
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS tieout_schema (version INTEGER NOT NULL)');
      let row = db.prepare('SELECT version FROM tieout_schema').get() as { version: number } | undefined;
      if (!row) {
        if (options.readonly) return;
        const schema = workspaceSchema();
        for (const s of schema.statements) db.prepare(s).run();
        db.prepare('INSERT INTO tieout_schema (version) VALUES (?)').run(schema.version);
        // Migrations the SQLite schema does not have yet (only a test's) run through the translation below.
        row = { version: schema.version };
      }
      if (row.version > latest) throw new Error(`The workspace was written by a newer Tieout (schema ${row.version}, this one knows ${latest})`);
      if (options.readonly) {
        if (row.version < latest && !options.anySchema) throw new Error(`The workspace needs upgrading (schema ${row.version} of ${latest}): open it once with the app first`);
        return;
      }
      for (const m of known) {
        if (m.version <= row.version) continue;
        m.up(db as never);
        db.prepare('UPDATE tieout_schema SET version = ?').run(m.version);
      }
    })();
    if (!options.readonly) db.transaction(() => installChangeNotifications(db))();
    if (options.readonly) {
      db.close();
      return new PgDatabase(config, { label: options.label, readonly: true });
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

// ---- Live changes ----
//
// Every committed change to a payment's review state reaches the other
// workstations as a NOTIFY on CHANGES_CHANNEL (delivered at commit, never for
// a rolled-back transaction). Row-level tables name the payment:
// {"t":"matches","id":123}; tables without one name only themselves
// ({"t":"users"}), once per transaction (PostgreSQL folds equal payloads).

export const CHANGES_CHANNEL = 'tieout_changes';

/** Tables whose rows belong to one payment (transaction_id). */
export const PAYMENT_TABLES = ['matches', 'allocations', 'clerk_allocations', 'outbox', 'refund_requests', 'control_requests', 'receipt_reversals', 'posting_conflicts'] as const;
/** Tables announced as a whole. */
export const WHOLE_TABLES = ['paytrace_transactions', 'invoices', 'users', 'settings', 'policies', 'pending_changes', 'learned_mappings'] as const;

export type ChangeNotice = Readonly<{ t: string; id?: number }>;

function installChangeNotifications(db: PgDatabase): void {
  const statements = changeNotificationStatements();
  const digest = createHash('sha256').update(statements.join(';')).digest('hex').slice(0, 32);
  // Installed as this version would: nothing to do. (Replacing them takes a lock on every
  // announced table, which would wait for other workstations' writes, on every open.)
  const installed = db
    .prepare(
      `SELECT (SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p WHERE p.proname = 'tieout_notify_table' AND p.pronamespace = current_schema()::regnamespace) AS digest,
              (SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = current_schema()::regnamespace AND left(t.tgname, 15) = 'tieout_changes_') AS triggers`,
    )
    .get() as { digest: string | null; triggers: number };
  // A migration rebuilding a table drops its trigger: then all are installed again.
  if (installed.digest === digest && installed.triggers === PAYMENT_TABLES.length + WHOLE_TABLES.length) return;
  for (const statement of statements) db.exec(statement);
  db.exec(`COMMENT ON FUNCTION tieout_notify_table() IS '${digest}'`);
}

function changeNotificationStatements(): string[] {
  const statements: string[] = [];
  statements.push(`CREATE OR REPLACE FUNCTION tieout_notify_payment() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE r record;
    BEGIN
      IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
      PERFORM pg_notify('${CHANGES_CHANNEL}', json_build_object('t', TG_TABLE_NAME, 'id', r.transaction_id)::text);
      RETURN NULL;
    END $$`);
  statements.push(`CREATE OR REPLACE FUNCTION tieout_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${CHANGES_CHANNEL}', json_build_object('t', TG_TABLE_NAME)::text);
      RETURN NULL;
    END $$`);
  for (const t of PAYMENT_TABLES) {
    statements.push(`CREATE OR REPLACE TRIGGER tieout_changes_${t} AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION tieout_notify_payment()`);
  }
  for (const t of WHOLE_TABLES) {
    statements.push(`CREATE OR REPLACE TRIGGER tieout_changes_${t} AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION tieout_notify_table()`);
  }
  return statements;
}

// ---- Per-folder workspaces (the test suite's PostgreSQL run) ----
//
// `npm test` runs the engine suite a second time with every data folder's
// store in its own database of a throw-away cluster: TIEOUT_TEST_WORKSPACE_URL
// names that cluster's admin URL. The same folder always maps to the same
// database, so a restart on a folder finds its data, as with tieout.sqlite.

export const TEST_WORKSPACE_ENV = 'TIEOUT_TEST_WORKSPACE_URL';

export function testWorkspaceUrl(): string | null {
  return process.env[TEST_WORKSPACE_ENV] || null;
}

export function folderDatabaseName(dataDir: string): string {
  let path = dataDir;
  try {
    path = realpathSync(dataDir);
  } catch {
    // Not created yet: its name as given.
  }
  return `tieout_${createHash('sha256').update(path).digest('hex').slice(0, 20)}`;
}

function withAdmin<T>(adminUrl: string, fn: (c: PgSyncClient) => T): T {
  const admin = new PgSyncClient({ connectionString: adminUrl, ssl: false });
  try {
    return fn(admin);
  } finally {
    admin.close();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export function folderDatabaseExists(adminUrl: string, dataDir: string): boolean {
  const name = folderDatabaseName(dataDir);
  return withAdmin(adminUrl, (c) => c.run([{ sql: 'SELECT 1 FROM pg_database WHERE datname = $1', params: [name] }]).rows.length > 0);
}

let templateName: string | undefined;

/** The template a folder's database is copied from: the current schema, named by a digest of it (a cluster may outlive a code change). */
function folderTemplateName(): string {
  templateName ??= `tieout_template_${createHash('sha256').update(workspaceSchema().statements.join(';')).digest('hex').slice(0, 16)}`;
  return templateName;
}

const databaseExists = (c: PgSyncClient, name: string): boolean => c.run([{ sql: 'SELECT 1 FROM pg_database WHERE datname = $1', params: [name] }]).rows.length > 0;

/**
 * The connection to a data folder's own database, created when missing as a
 * copy of a template holding the schema: building the schema statement by
 * statement for each of the suite's hundreds of stores cost about a second each.
 */
export function folderWorkspaceConfig(adminUrl: string, dataDir: string): PgConnectionConfig {
  const name = folderDatabaseName(dataDir);
  const config = (db: string): PgConnectionConfig => ({ connectionString: databaseUrl(adminUrl, db), ssl: false, applicationName: 'tieout-test' });
  withAdmin(adminUrl, (c) => {
    try {
      // Two processes opening the same new folder at once: one creates it, the other sees it exists.
      c.run([{ sql: `SELECT pg_advisory_lock(${WRITER_LOCK_KEY})` }]);
      if (databaseExists(c, name)) return;
      const template = folderTemplateName();
      if (!databaseExists(c, template)) {
        c.run([{ sql: `CREATE DATABASE ${template}` }]);
        openWorkspaceDb(config(template)).close();
      }
      c.run([{ sql: `CREATE DATABASE ${name} TEMPLATE ${template}` }]);
    } catch (e) {
      if (!(e instanceof PgStoreError && (e.code === '42P04' || e.code === '23505'))) throw e;
    }
  });
  return config(name);
}

/** Moves a folder's database aside (the demo store set aside when its audit key is lost). */
export function setAsideFolderDatabase(adminUrl: string, dataDir: string, label: string): string {
  const name = folderDatabaseName(dataDir);
  const target = `${name}_${createHash('sha256').update(label).digest('hex').slice(0, 8)}`;
  withAdmin(adminUrl, (c) => {
    c.run([{ sql: 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', params: [name] }]);
    c.run([{ sql: `ALTER DATABASE ${name} RENAME TO ${target}` }]);
  });
  return target;
}
