import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../electron/cli/tieout';
import { openKeyedAudit } from '../../electron/core/audit/audit-anchor';
import { appendAudit } from '../../electron/core/audit/audit-log';
import { systemClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/log/logger';
import { openStore, type Db } from '../../electron/core/store/db';
import { backupStore } from '../support/store-dialect';
import { saveProfileId } from '../../electron/core/store/queries/app-identity';
import { createAuditSecrets } from '../../electron/core/vault/audit-secrets';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { checkFolderProfile } from '../../electron/core/vault/folder-identity';

// Runs under scripts/with-keyring.mjs: the audit key and the anchored head are in
// the real OS keychain (the CLI's own service), as the engine leaves them.

function run(args: string[]) {
  let out = '';
  let err = '';
  return main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) }).then((code) => ({ code, out, err }));
}

/** Opens the folder the way the engine does (key from the keychain bound, head anchored), runs `fn`, closes. */
async function asEngine(dataDir: string, fn: (db: Db) => void): Promise<void> {
  const db = openStore(dataDir);
  saveProfileId(db, `test-${randomBytes(6).toString('hex')}`);
  const profile = (db.prepare('SELECT profile_id FROM app_identity').get() as { profile_id: string }).profile_id;
  await checkFolderProfile(keytarSecretStore(), dataDir, profile);
  const anchor = await openKeyedAudit({ db, secrets: createAuditSecrets(keytarSecretStore(), profile), clock: systemClock, logger: silentLogger });
  try {
    fn(db);
  } finally {
    await anchor.close();
    db.close();
  }
}

const approve = (db: Db, i: number, at?: string) =>
  appendAudit(db, { actor: 'clerk', action: 'match.approve', objectType: 'transaction', objectId: String(400000000 + i), after: { amountCents: 1000 * i }, ...(at ? { at } : {}) });

/** A data folder with `n` approvals after the seal (entry 1 is the `audit.keyed` seal). */
async function keyedFolder(n: number): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-audit-'));
  await asEngine(dataDir, (db) => {
    for (let i = 1; i <= n; i++) approve(db, i);
  });
  return dataDir;
}

/** Direct access to the file, as someone with the database but not the keychain. */
function tamper(dataDir: string, fn: (db: Db) => void): void {
  const db = openStore(dataDir);
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  fn(db);
  db.close();
}

function sha256Rechain(db: Db, fromId: number): void {
  // Recompute every hash from `fromId` on with the published sha256 recipe (what passed before the key).
  type Row = { id: number; at: string; actor: string; action: string; object_type: string; object_id: string; before_json: string | null; after_json: string | null; hash: string };
  const rows = db.prepare('SELECT * FROM audit ORDER BY id').all() as Row[];
  let prev = '0'.repeat(64);
  for (const r of rows) {
    if (r.id >= fromId) {
      const hash = createHash('sha256').update(JSON.stringify([prev, r.at, r.actor, r.action, r.object_type, r.object_id, r.before_json, r.after_json])).digest('hex');
      db.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, hash, r.id);
      prev = hash;
    } else prev = r.hash;
  }
}

describe('tieout audit verify', () => {
  it('passes an intact keyed chain and names the first tampered entry', async () => {
    const dataDir = await keyedFolder(6);
    const ok = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/audit OK: 7 entries, chain intact; 7 sealed with the audit key; head anchored in the keychain/);

    tamper(dataDir, (db) => db.prepare(`UPDATE audit SET after_json = '{"amountCents":1}' WHERE id = 4`).run());
    const broken = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/BROKEN at entry 4: .*altered/);
  });

  it('detects truncation of the newest entries', async () => {
    const dataDir = await keyedFolder(6);
    tamper(dataDir, (db) => db.prepare('DELETE FROM audit WHERE id >= 6').run());
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/trail ends at entry 5 but the keychain anchor records entry 7: the newest entries were removed/);
  });

  it('detects an edited entry with every later hash recomputed', async () => {
    const dataDir = await keyedFolder(6);
    tamper(dataDir, (db) => {
      db.prepare(`UPDATE audit SET after_json = '{"amountCents":1}' WHERE id = 3`).run();
      sha256Rechain(db, 3);
    });
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN at entry 3: .*MAC does not match the audit key/);
  });

  it('detects a restored older copy of the database, also after the app reopened it', async () => {
    const dataDir = await keyedFolder(3);
    const restoreBackup = backupStore(dataDir);
    await asEngine(dataDir, (db) => {
      for (let i = 4; i <= 6; i++) approve(db, i);
    });
    restoreBackup();
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/keychain anchor records entry 7: .*older copy of the database was restored/);

    // The app opening the restored copy records the mismatch instead of anchoring over it.
    await asEngine(dataDir, (db) => approve(db, 7));
    const after = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(after.code).toBe(1);
    expect(after.out).toMatch(/records that the trail did not match its keychain anchor/);
  });

  it('detects a trail rewritten as an unkeyed sha256 chain under a fresh profile id', async () => {
    const dataDir = await keyedFolder(4);
    tamper(dataDir, (db) => {
      db.prepare("UPDATE app_identity SET profile_id = 'forged-profile'").run();
      db.prepare(`DELETE FROM audit WHERE action = 'audit.keyed'`).run();
      db.prepare(`UPDATE audit SET after_json = '{"amountCents":1}' WHERE id = 3`).run();
      sha256Rechain(db, 1);
    });
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/profile id changed .*audit trail may have been replaced/);
    await expect(asEngine(dataDir, () => {})).rejects.toThrow(/profile id changed/);
  });

  it('two processes opening an unsealed trail at once seal it once, under one key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-audit-'));
    const legacy = openStore(dataDir);
    approve(legacy, 1);
    legacy.close();
    const profile = `test-${randomBytes(6).toString('hex')}`;
    const child = (name: string) =>
      new Promise<{ code: number | null; err: string }>((done) => {
        const p = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'support', 'open-audit-child.ts'), dataDir, profile, name], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => done({ code, err }));
      });
    const results = await Promise.all([child('a'), child('b')]);
    expect(results).toEqual([
      { code: 0, err: '' },
      { code: 0, err: '' },
    ]);
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.out).toMatch(/audit OK: 4 entries, chain intact; 3 sealed with the audit key/);
  }, 30_000);

  it('seals an existing sha256 chain once, keeping it verified under the key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-audit-'));
    const legacy = openStore(dataDir);
    for (let i = 1; i <= 3; i++) approve(legacy, i);
    legacy.close();
    await asEngine(dataDir, (db) => approve(db, 4));
    const ok = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(ok.out).toMatch(/audit OK: 5 entries, chain intact; 2 sealed with the audit key/);

    // Rewriting the legacy prefix consistently still breaks the seal that covers its head.
    tamper(dataDir, (db) => {
      db.prepare(`UPDATE audit SET after_json = '{"amountCents":1}' WHERE id = 2`).run();
      sha256Rechain(db, 2);
    });
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN at entry 4: .*MAC/);
  });
});

describe('tieout audit export', () => {
  async function exported(): Promise<{ dataDir: string; file: string; csv: string }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-audit-'));
    await asEngine(dataDir, (db) => {
      approve(db, 1, '2026-11-02T10:00:00.000Z');
      approve(db, 2, '2026-11-03T10:00:00.000Z');
      approve(db, 3, '2026-11-04T10:00:00.000Z');
      appendAudit(db, { actor: 'supervisor', action: 'refund.approve', objectType: 'refund', objectId: '2', at: '2026-11-20T10:00:00.000Z' });
    });
    const file = join(dataDir, 'export.csv');
    const r = await run(['audit', 'export', '--from', '2026-11-01', '--to', '2026-11-10', '--out', file, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    return { dataDir, file, csv: readFileSync(file, 'utf8') };
  }

  it('writes the entries of a date range with the sealed head of the whole trail', async () => {
    const { dataDir, file, csv } = await exported();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('id,at,actor,action,object_type,object_id,before,after,prev_mac,mac');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain('match.approve');
    expect(lines[4]).toContain('audit.export.head');
    // The head is the trail's newest entry (the seal is entry 1; the refund, outside the range, entry 5).
    expect(lines[4]).toMatch(/""head"":\{""entry"":5,""mac"":""[0-9a-f]{64}""\}/);
    const v = await run(['audit', 'verify', '--export', file]);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/export OK: 3 entries, sealed head matches; trail head when exported: entry 5/);
    expect((await run(['audit', 'verify', '--export', file, '--data-dir', dataDir])).code).toBe(0);
  });

  it('fails an export whose rows or head were changed', async () => {
    const { file, csv } = await exported();
    const check = async (text: string) => {
      const f = `${file}.tampered.csv`;
      writeFileSync(f, text);
      return run(['audit', 'verify', '--export', f]);
    };
    const edited = await check(csv.replace('""amountCents"":2000', '""amountCents"":2'));
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/entry 3 was altered/);

    const lines = csv.trim().split('\n');
    const lastRowRemoved = await check(`${[...lines.slice(0, 3), lines[4]!.replace('""entries"":3', '""entries"":2')].join('\n')}\n`);
    expect(lastRowRemoved.code).toBe(1);
    expect(lastRowRemoved.out).toMatch(/does not match its sealed head/);

    const headMoved = await check(csv.replace('""head"":{""entry"":5', '""head"":{""entry"":4'));
    expect(headMoved.code).toBe(1);
    expect(headMoved.out).toMatch(/does not match its sealed head/);

    const headCut = await check(`${lines.slice(0, 4).join('\n')}\n`);
    expect(headCut.code).toBe(1);
    expect(headCut.out).toMatch(/no head row/);
  });
});
