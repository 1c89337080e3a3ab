import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { openWorkspaceDb } from '../../electron/core/store/pg/open-workspace';
import { migrations } from '../../electron/core/store/migrations';
import type { PgCluster } from './support/team-workspace';

// Migrations 0016, 0017 and 0018 on a workspace created before them (schema 15): they
// run through the SQLite → PostgreSQL translation like every later migration.

let cluster: PgCluster;
let url: string;

beforeAll(async () => {
  cluster = (await startPgCluster()) as PgCluster;
  const name = `ws_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(cluster.adminUrl);
  u.pathname = `/${name}`;
  url = u.toString();
}, 60_000);

afterAll(() => cluster?.stop());

describe('0016, 0017 and 0018 on a workspace', () => {
  it('add row_presence, sync_leader, the refund look-up indexes and saved_views to a workspace at schema 15', () => {
    const db = openWorkspaceDb({ connectionString: url, ssl: false });
    db.exec('DROP TABLE row_presence; DROP TABLE sync_leader; DROP INDEX paytrace_transactions_refund_key; DROP INDEX paytrace_transactions_takebacks; DROP TABLE saved_views');
    // …and what later migrations added (0019: the grid's order indexes and change counter).
    db.exec('DROP INDEX paytrace_transactions_grid_amount; DROP INDEX paytrace_transactions_grid_payer; DROP TABLE grid_data_version');
    db.prepare('UPDATE tieout_schema SET version = 15').run();
    db.close();

    const migrated = openWorkspaceDb({ connectionString: url, ssl: false });
    try {
      expect(migrated.prepare('SELECT version FROM tieout_schema').get()).toEqual({ version: migrations[migrations.length - 1]!.version });
      const indexes = migrated.prepare("SELECT indexname FROM pg_indexes WHERE tablename = 'paytrace_transactions' ORDER BY indexname").pluck().all();
      expect(indexes).toEqual(expect.arrayContaining(['paytrace_transactions_refund_key', 'paytrace_transactions_takebacks', 'paytrace_transactions_grid_amount', 'paytrace_transactions_grid_payer']));
      expect(migrated.prepare('SELECT n FROM grid_data_version').pluck().get()).toBe(0);
      migrated.prepare("INSERT INTO row_presence (transaction_id, user_name, workstation, since, expires_at) VALUES (1, 'ann', 'desk-1', 'a', 'b')").run();
      expect(() => migrated.prepare("INSERT INTO row_presence (transaction_id, user_name, workstation, since, expires_at) VALUES (1, 'ann', 'desk-1', 'a', 'b')").run()).toThrow(/duplicate key|unique/i);
      expect(() => migrated.prepare("INSERT INTO sync_leader (id, workstation, since) VALUES (2, 'x', 'y')").run()).toThrow(/check/i);
      // 0018: saved views, one name per owner, flags 0 or 1.
      const addView = migrated.prepare("INSERT INTO saved_views (owner, name, view_json, created_at, updated_at) VALUES (?, 'Big', '{}', 'a', 'b')");
      addView.run('ann');
      addView.run('bob');
      expect(() => addView.run('ann')).toThrow(/duplicate key|unique/i);
      expect(() => migrated.prepare("UPDATE saved_views SET shared = 2 WHERE owner = 'ann'").run()).toThrow(/check/i);
    } finally {
      migrated.close();
    }
  });
});
