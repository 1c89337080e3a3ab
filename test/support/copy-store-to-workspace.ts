import type { Client } from 'pg';
import { openStore } from '../../electron/core/store/db';

// A seeded SQLite store copied into a fresh workspace database in bulk (the
// team bench's 100k payments: the store API on PostgreSQL takes a round trip
// per row). Same tables and columns on both sides (pg/schema.ts translates
// the SQLite schema); the workspace's tables are emptied first.

/** Copies every non-empty table of the seeded SQLite store into the workspace (multi-row INSERTs; triggers and FK checks off while copying). */
export async function copyStoreToWorkspace(dataDir: string, pg: Client): Promise<number> {
  const sqlite = openStore(dataDir) as unknown as { prepare(sql: string): { all(...a: unknown[]): unknown[]; raw(on?: boolean): { all(): unknown[][] } }; close(): void };
  const pgTables = new Set((await pg.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.t));
  const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all() as Array<{ name: string }>).map((r) => r.name);
  let copied = 0;
  await pg.query('SET session_replication_role = replica');
  for (const table of tables) {
    if (!pgTables.has(table)) continue;
    const rows = sqlite.prepare(`SELECT * FROM "${table}"`).raw(true).all();
    if (rows.length === 0) continue;
    const columns = (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name);
    const perBatch = Math.floor(60_000 / columns.length);
    await pg.query(`DELETE FROM "${table}"`);
    for (let at = 0; at < rows.length; at += perBatch) {
      const batch = rows.slice(at, at + perBatch);
      const params: unknown[] = [];
      const tuples = batch.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
      await pg.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, params);
    }
    copied += rows.length;
    // Generated ids continue after the copied ones.
    const generated = await pg.query<{ c: string }>(
      "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND (is_identity = 'YES' OR column_default LIKE 'nextval%')",
      [table],
    );
    for (const { c } of generated.rows) await pg.query(`SELECT setval(pg_get_serial_sequence($1, $2), (SELECT MAX("${c}") FROM "${table}"))`, [table, c]);
  }
  await pg.query('SET session_replication_role = DEFAULT');
  sqlite.close();
  return copied;
}
