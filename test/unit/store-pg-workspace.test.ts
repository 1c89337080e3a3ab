import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteDb } from '../../electron/core/store/db';
import { migrate, migrations, type Migration } from '../../electron/core/store/migrations';
import { folderWorkspaceConfig, openWorkspaceDb, WORKSPACE_BASELINE_VERSION } from '../../electron/core/store/pg/open-workspace';
import type { PgDatabase } from '../../electron/core/store/pg/pg-database';
import { PgStoreError, type PgConnectionConfig } from '../../electron/core/store/pg/sync-client';
import { enqueueReceipt } from '../../electron/core/store/queries/outbox';
import { upsertTransactions } from '../../electron/core/store/queries/transactions';
import { onWorkspace, workspaceAdminUrl } from '../support/store-dialect';
import { storedSale } from '../support/stored-sale';

// The PostgreSQL dialect itself, on a real server (the run's throw-away
// cluster): schema parity with SQLite, NOCASE, statement failures inside a
// transaction, nested transactions, the untyped-parameter retry, migrations
// after the baseline, and two workstations (two processes) writing at once.

const opened: PgDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function freshConfig(): PgConnectionConfig {
  return folderWorkspaceConfig(workspaceAdminUrl()!, mkdtempSync(join(tmpdir(), 'tieout-pg-dialect-')));
}

function workspace(config = freshConfig(), options: Parameters<typeof openWorkspaceDb>[1] = {}): PgDatabase {
  const db = openWorkspaceDb(config, options);
  opened.push(db);
  return db;
}

const asStore = (db: PgDatabase) => db as unknown as WriteDb;

// ---- Schema parity ----

type ColumnShape = { notNull: boolean; hasDefault: boolean };
type TableShape = { columns: Record<string, ColumnShape>; uniques: string[]; checks: number; foreignKeys: number };

function sqliteShape(db: Database.Database): Record<string, TableShape> {
  const shape: Record<string, TableShape> = {};
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string; sql: string }>;
  for (const { name, sql } of tables) {
    const columns: Record<string, ColumnShape> = {};
    for (const c of db.pragma(`table_info(${name})`) as Array<{ name: string; notnull: number; dflt_value: unknown; pk: number }>) {
      // A primary key column is NOT NULL on PostgreSQL whatever SQLite's table_info says.
      columns[c.name] = { notNull: c.notnull === 1 || c.pk > 0, hasDefault: c.dflt_value !== null };
    }
    const uniques = (db.pragma(`index_list(${name})`) as Array<{ name: string; unique: number }>)
      .filter((i) => i.unique === 1)
      .map((i) => (db.pragma(`index_info(${i.name})`) as Array<{ name: string }>).map((c) => c.name).join(','))
      .sort();
    const pk = (db.pragma(`table_info(${name})`) as Array<{ name: string; pk: number }>).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    // An INTEGER PRIMARY KEY is the rowid in SQLite (no index); PostgreSQL has a unique index for every key.
    if (pk.length > 0 && !uniques.includes(pk.map((c) => c.name).join(','))) uniques.push(pk.map((c) => c.name).join(','));
    uniques.sort();
    const checks = (sql.match(/\bCHECK\s*\(/gi) ?? []).length;
    const foreignKeys = new Set((db.pragma(`foreign_key_list(${name})`) as Array<{ id: number }>).map((f) => f.id)).size;
    shape[name] = { columns, uniques, checks, foreignKeys };
  }
  return shape;
}

function workspaceShape(db: PgDatabase): Record<string, TableShape> {
  const shape: Record<string, TableShape> = {};
  const columns = db
    .prepare("SELECT table_name, column_name, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'tieout_schema'")
    .all() as Array<{ table_name: string; column_name: string; is_nullable: string; column_default: string | null; is_identity: string }>;
  for (const c of columns) {
    shape[c.table_name] ??= { columns: {}, uniques: [], checks: 0, foreignKeys: 0 };
    // An identity stands in for SQLite's rowid, which has no default either.
    shape[c.table_name]!.columns[c.column_name] = { notNull: c.is_nullable === 'NO', hasDefault: c.column_default !== null && c.is_identity !== 'YES' };
  }
  const uniques = db
    .prepare(
      `SELECT t.relname AS table_name, string_agg(a.attname, ',' ORDER BY k.ord) AS cols
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE i.indisunique AND n.nspname = current_schema()
        GROUP BY t.relname, i.indexrelid`,
    )
    .all() as Array<{ table_name: string; cols: string }>;
  for (const u of uniques) shape[u.table_name]?.uniques.push(u.cols);
  for (const s of Object.values(shape)) s.uniques.sort();
  const constraints = db
    .prepare("SELECT c.conrelid::regclass::text AS table_name, c.contype FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() AND c.contype IN ('c', 'f')")
    .all() as Array<{ table_name: string; contype: string }>;
  for (const c of constraints) {
    const s = shape[c.table_name.replace(/^"|"$/g, '')];
    if (!s) continue;
    if (c.contype === 'c') s.checks += 1;
    else s.foreignKeys += 1;
  }
  return shape;
}

function sqliteAt(extra: readonly Migration[] = []): Database.Database {
  const mem = new Database(':memory:');
  migrate(mem);
  for (const m of extra) m.up(mem);
  return mem;
}

/** A later migration as the store would write it for SQLite: a column, a check, an index. */
const version16: Migration = {
  version: migrations[migrations.length - 1]!.version + 1,
  name: 'test-later-migration',
  up(db) {
    db.exec(`ALTER TABLE users ADD COLUMN nickname TEXT COLLATE NOCASE;
             ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority >= 0);
             CREATE INDEX idx_users_nickname ON users (nickname);`);
  },
};

describe.skipIf(!onWorkspace)('the workspace schema (PostgreSQL)', () => {
  it('has every SQLite table, column, NOT NULL, default, unique key, check and foreign key', () => {
    const mem = sqliteAt();
    try {
      expect(workspaceShape(workspace())).toEqual(sqliteShape(mem));
    } finally {
      mem.close();
    }
  });

  it(`is created at the SQLite store's version (baseline ${WORKSPACE_BASELINE_VERSION}) and reopens idempotently`, () => {
    const config = freshConfig();
    const first = workspace(config);
    const latest = migrations[migrations.length - 1]!.version;
    expect(latest).toBeGreaterThanOrEqual(WORKSPACE_BASELINE_VERSION);
    expect(first.pragma('user_version', { simple: true })).toBe(latest);
    first.prepare("INSERT INTO sync_state (key, value) VALUES ('k', 'v')").run();
    first.close();
    const again = workspace(config);
    expect(again.pragma('user_version', { simple: true })).toBe(latest);
    expect(again.prepare("SELECT value FROM sync_state WHERE key = 'k'").get()).toEqual({ value: 'v' });
    expect(workspaceShape(again)).toEqual(workspaceShape(workspace()));
  });

  it('runs a later migration through the translation, once, to the shape SQLite gets from it; an older Tieout refuses it', () => {
    const config = freshConfig();
    workspace(config).close();
    const upgraded = workspace(config, { migrations: [...migrations, version16] });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(version16.version);
    const mem = sqliteAt([version16]);
    try {
      expect(workspaceShape(upgraded)).toEqual(sqliteShape(mem));
    } finally {
      mem.close();
    }
    // Translated as the baseline's columns are: NOCASE stays case-insensitive, INTEGER is 64-bit, the check holds.
    expect(upgraded.prepare("SELECT collation_name, data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'").get()).toEqual({
      collation_name: 'nocase',
      data_type: 'text',
    });
    expect(upgraded.prepare("SELECT data_type FROM information_schema.columns WHERE table_name = 'outbox' AND column_name = 'priority'").pluck().get()).toBe('bigint');
    upgraded.close();
    // Reopened: not run again (ADD COLUMN twice would fail).
    workspace(config, { migrations: [...migrations, version16] }).close();
    expect(() => workspace(config)).toThrow(`The workspace was written by a newer Tieout (schema ${version16.version}, this one knows ${version16.version - 1})`);
  });

  it('installs the change notifications once, and again when one is missing (a rebuilt table)', () => {
    const config = freshConfig();
    const trigger = (db: PgDatabase) => db.prepare("SELECT xmin::text FROM pg_trigger WHERE tgname = 'tieout_changes_users'").pluck().get();
    const first = workspace(config);
    const installed = trigger(first);
    expect(installed).toBeDefined();
    first.close();
    const second = workspace(config);
    // Not replaced on reopen (replacing locks every announced table against other workstations' writes).
    expect(trigger(second)).toBe(installed);
    second.exec('DROP TRIGGER tieout_changes_users');
    second.close();
    expect(trigger(workspace(config))).toBeDefined();
  });

  it('compares user names case-insensitively (NOCASE), as SQLite does', () => {
    for (const db of [workspace() as unknown as Database.Database, sqliteAt()]) {
      db.prepare("INSERT INTO users (user_name, password_hash, role, created_at, created_by, updated_at) VALUES ('Ann.Smith', 'h', 'clerk', 'x', 'admin', 'x')").run();
      expect(db.prepare("SELECT user_name FROM users WHERE user_name = 'ann.smith'").pluck().get()).toBe('Ann.Smith');
      expect(() => db.prepare("INSERT INTO users (user_name, password_hash, role, created_at, created_by, updated_at) VALUES ('ANN.SMITH', 'h', 'clerk', 'x', 'admin', 'x')").run()).toThrow(/UNIQUE|unique/);
      // Other text compares bytewise on both (SQLite's BINARY, PostgreSQL's "C").
      db.prepare("INSERT INTO sync_state (key, value) VALUES ('Key', 'v')").run();
      expect(db.prepare("SELECT COUNT(*) FROM sync_state WHERE key = 'key'").pluck().get()).toBe(0);
      db.close();
    }
  });
});

describe.skipIf(!onWorkspace)('PgDatabase statements and transactions', () => {
  it('types a parameter PostgreSQL cannot infer ($1 IS NULL) by retrying with a cast', () => {
    const db = workspace();
    const q = db.prepare('SELECT ? IS NULL AS a, ? IS NULL AS b');
    expect(q.get(null, 5)).toEqual({ a: 1, b: 0 });
    expect(q.get('x', null)).toEqual({ a: 0, b: 1 });
    expect(db.prepare('SELECT COUNT(*) FROM users WHERE (? IS NULL OR role = ?)').pluck().get(null, null)).toBe(0);
  });

  it('a failed statement inside a transaction leaves it usable (as on SQLite); a throw rolls it all back', () => {
    const db = workspace();
    const put = db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?)');
    db.transaction(() => {
      put.run('a', '1');
      expect(() => put.run('a', 'again')).toThrow(PgStoreError);
      expect(() => db.prepare('SELECT no_such_column FROM sync_state').all()).toThrow(/no_such_column/);
      put.run('b', '2');
    })();
    expect(db.prepare('SELECT key FROM sync_state ORDER BY key').pluck().all()).toEqual(['a', 'b']);
    expect(() =>
      db.transaction(() => {
        put.run('c', '3');
        throw new Error('changed my mind');
      })(),
    ).toThrow('changed my mind');
    expect(db.prepare('SELECT key FROM sync_state ORDER BY key').pluck().all()).toEqual(['a', 'b']);
    expect(db.inTransaction).toBe(false);
  });

  it('a read that fails on data after its first run aborts the transaction: nothing more runs, and it rolls back instead of committing', () => {
    const db = workspace();
    const put = db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?)');
    put.run('number', '1');
    put.run('word', 'x');
    const asNumber = db.prepare('SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?').pluck();
    expect(() =>
      db.transaction(() => {
        put.run('before', '1');
        expect(asNumber.get('number')).toBe(1);
        // Proven, so without a savepoint: PostgreSQL aborts the transaction (SQLite's CAST would not even fail).
        expect(() => asNumber.get('word')).toThrow(PgStoreError);
        expect(() => put.run('after', '1')).toThrow(/aborted by a failed statement/);
      })(),
    ).toThrow(/rolled back: a statement in it failed/);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT key FROM sync_state ORDER BY key').pluck().all()).toEqual(['number', 'word']);
    // The connection is usable again, and a read that failed on its first run left its transaction usable.
    db.transaction(() => {
      put.run('again', '1');
      expect(() => db.prepare("SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = 'word'").get()).toThrow(PgStoreError);
    })();
    expect(db.prepare("SELECT value FROM sync_state WHERE key = 'again'").pluck().get()).toBe('1');
  });

  it('nests transactions as savepoints: an inner throw undoes only the inner part', () => {
    const db = workspace();
    const put = db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?)');
    db.transaction(() => {
      put.run('outer', '1');
      expect(() =>
        db.transaction(() => {
          put.run('inner', '2');
          throw new Error('inner fails');
        })(),
      ).toThrow('inner fails');
      expect(db.inTransaction).toBe(true);
      db.transaction(() => put.run('inner2', '3'))();
    })();
    expect(db.prepare('SELECT key FROM sync_state ORDER BY key').pluck().all()).toEqual(['inner2', 'outer']);
  });

  it('drops a trigger named as SQLite names it (no table), and refuses an unknown one unless IF EXISTS', () => {
    const db = workspace();
    db.exec('DROP TRIGGER audit_no_update');
    expect(db.prepare("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'audit_no_update'").pluck().get()).toBe(0);
    db.exec('DROP TRIGGER IF EXISTS audit_no_update');
    expect(() => db.exec('DROP TRIGGER audit_no_update')).toThrow(/no such trigger/);
  });
});

// ---- Two workstations at once: two processes, two sessions ----

const child = resolve(import.meta.dirname, '../support/pg-concurrency-child.ts');

/** Starts one child per task, lets them go together once all are connected, and returns their JSON replies. */
async function together(url: string, tasks: ReadonlyArray<readonly [string, string]>): Promise<unknown[]> {
  const children = tasks.map(([task, arg]) => spawn(process.execPath, ['--import', 'tsx', child, url, task, arg], { cwd: resolve(import.meta.dirname, '../..'), stdio: ['pipe', 'pipe', 'pipe'] }));
  const outputs = children.map((c) => {
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return {
      ready: new Promise<void>((res) => c.stdout.on('data', () => out.includes('ready\n') && res())),
      done: new Promise<unknown>((res, rej) =>
        c.on('exit', (code) => (code === 0 ? res(JSON.parse(out.split('\n').filter(Boolean).pop()!)) : rej(new Error(`child exited ${code}: ${err}`)))),
      ),
    };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const c of children) c.stdin.write('go\n');
  return Promise.all(outputs.map((o) => o.done));
}

describe.skipIf(!onWorkspace)('two workstations on one workspace (two processes)', () => {
  it('the writer lock serialises read-then-write transactions: 2 × 500 increments, none lost', async () => {
    const config = freshConfig();
    const db = workspace(config);
    db.exec('CREATE TABLE lost_update_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    db.prepare('INSERT INTO lost_update_counter (id, n) VALUES (1, 0)').run();
    await together(config.connectionString, [
      ['counter', '500'],
      ['counter', '500'],
    ]);
    expect(db.prepare('SELECT n FROM lost_update_counter WHERE id = 1').pluck().get()).toBe(1000);
  }, 120_000);

  it('claimDue from two processes at once never hands out the same outbox row; every row is claimed once', async () => {
    const config = freshConfig();
    const db = workspace(config);
    const rows = 300;
    upsertTransactions(
      asStore(db),
      Array.from({ length: rows }, (_, i) => storedSale(500_000 + i)),
      '2026-01-01T00:00:00.000Z',
    );
    db.transaction(() => {
      for (let i = 0; i < rows; i++) enqueueReceipt(asStore(db), { key: String(500_000 + i), transactionId: 500_000 + i, payloadJson: '{}', now: '2025-12-31T00:00:00.000Z' });
    })();
    const replies = (await together(config.connectionString, [
      ['claim', 'workstation-a'],
      ['claim', 'workstation-b'],
    ])) as Array<{ claimed: number[] }>;
    const all = replies.flatMap((r) => r.claimed);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(rows);
    // Both took part (else this shows nothing about concurrency).
    expect(replies.every((r) => r.claimed.length > 0)).toBe(true);
    expect(db.prepare('SELECT lease_owner, COUNT(*) AS n FROM outbox GROUP BY lease_owner ORDER BY lease_owner').all()).toEqual(
      replies.map((r, i) => ({ lease_owner: `workstation-${'ab'[i]}`, n: r.claimed.length })),
    );
  }, 120_000);
});
