import { createHash } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../electron/cli/tieout';
import { createEngine, type Engine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { DATABASE_FILE, type Db } from '../../electron/core/store/db';
import { onWorkspace, storeTableNames } from '../support/store-dialect';
import { readProfileId } from '../../electron/core/store/queries/app-identity';
import { createAuditSecrets } from '../../electron/core/vault/audit-secrets';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { runDemoSandboxes } from '../../electron/sandboxes/demo/demo-sandboxes';

// The read-only CLI commands on the data folder of a running demo (another
// engine, here in the same test, with its sandboxes up): nothing in the store
// or the keychain changes, no server starts, and the demo still syncs after.
// Runs under scripts/with-keyring.mjs (the CLI reads the real keychain).

function run(args: string[]) {
  let out = '';
  let err = '';
  return main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) }).then((code) => ({ code, out, err }));
}

/** A digest of every row of every table, in rowid order. */
function storeChecksum(db: Db): string {
  const hash = createHash('sha256');
  for (const name of storeTableNames(db)) hash.update(`${name}\n${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}\n`);
  return hash.digest('hex');
}

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
  vi.restoreAllMocks();
});

describe('read-only CLI commands on a running demo', () => {
  it('change nothing, start no server, and leave the demo syncing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-live-'));
    engine = await createEngine({ dataDir, shell: 'cli', background: false, logger: silentLogger, startDemo: (o) => runDemoSandboxes({ ...o, payments: 40 }) });
    expect(engine.isDemo()).toBe(true);
    expect((await engine.sync.runOnce()).state).not.toBe('error');
    const running = engine;
    const profile = readProfileId(running.db)!;
    const secrets = createAuditSecrets(keytarSecretStore(), profile);
    await new Promise((r) => setTimeout(r, 50)); // the anchor write after the sync's audit entry
    const snapshot = async () => ({
      store: storeChecksum(running.db),
      settings: running.settings(),
      paytrace: await running.vault.get('paytrace'),
      erp: await running.vault.get('erp'),
      key: (await secrets.getKey())?.key.toString('hex'),
      head: await secrets.getHead(),
      // On a workspace there is no file; the checksum above covers every row.
      mtime: onWorkspace ? null : statSync(join(dataDir, DATABASE_FILE)).mtimeMs,
    });
    const before = await snapshot();
    const listen = vi.spyOn(Server.prototype, 'listen');

    const verify = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(verify.err).toBe('');
    expect(verify.out).toMatch(/audit OK: \d+ entries, chain intact; \d+ sealed with the audit key; head anchored in the keychain/);
    expect(verify.code).toBe(0);
    const exported = await run(['audit', 'export', '--from', '2000-01-01', '--to', '2100-01-01', '--data-dir', dataDir]);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('sync.completed');
    const status = await run(['status', '--json', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toHaveProperty('counts');
    const erpCheck = await run(['erp', 'check', '--data-dir', dataDir]);
    expect(erpCheck.out).toMatch(/PASS {2}read/);
    expect(erpCheck.code).toBe(0);

    expect(listen).not.toHaveBeenCalled();
    expect(await snapshot()).toEqual(before);
    // The running demo's sync still works with its own URLs and credentials.
    expect((await running.sync.runOnce()).state).not.toBe('error');
  });

  it('a read-only command refuses a data folder that does not exist, creating nothing', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tieout-cli-none-')), 'missing');
    const r = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/No Tieout data/);
    expect(() => statSync(dataDir)).toThrow();
  });
});
