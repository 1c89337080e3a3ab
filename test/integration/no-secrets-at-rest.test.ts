import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { createLogger } from '../../electron/core/log/logger';
import { gridRows } from '../../electron/core/store/queries/matches';
import { readProfileId } from '../../electron/core/store/queries/app-identity';
import { createAuditSecrets } from '../../electron/core/vault/audit-secrets';
import { openTestEngine, tempDir, testSecretStore } from './support/engine';

// Credentials live only in the keychain: after a full sync-approve-post cycle,
// neither password appears anywhere in the data folder (SQLite file, WAL,
// window state) nor in anything the engine logged — and no full card number does.

let demo: RunningDemo;
beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 13, payments: 80 });
});
afterAll(async () => demo?.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('no secret at rest or in logs', () => {
  it('keeps passwords out of the data folder and the log, and card numbers masked', async () => {
    const dataDir = tempDir('secrets');
    const log: string[] = [];
    const secretStore = testSecretStore();
    const engine = await openTestEngine(demo.descriptor, { dataDir, secretStore, logger: createLogger('test', (line) => log.push(line)) });
    let auditKey: Buffer | undefined;
    try {
      auditKey = (await createAuditSecrets(secretStore, readProfileId(engine.db)!).getKey())?.key;
      await engine.sync.runOnce();
      const auto = gridRows(engine.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);
      await engine.dispatch('matches:approve', { transactionIds: auto });
      await engine.worker.idle();
      const detail = await engine.dispatch('grid:detail', { transactionId: auto[0]! });
      expect(JSON.stringify(detail)).not.toMatch(/\b\d{13,19}\b/);
      // Force a failure path that logs: wrong PayTrace password in the vault.
      await engine.vault.set('paytrace', { username: demo.descriptor.paytrace.username, password: 'Wrong-Secret-4711' });
      await engine.dispatch('settings:save', { sync: { intervalMinutes: 5 } });
      await engine.sync.runOnce();
    } finally {
      await engine.close();
    }
    // The audit chain's HMAC key lives in the keychain only, in none of its encodings on disk.
    expect(auditKey).toHaveLength(32);
    const secrets = [demo.descriptor.paytrace.password, demo.descriptor.erp.password, 'Wrong-Secret-4711', auditKey!.toString('hex'), auditKey!.toString('base64'), auditKey!.toString('latin1')];
    // The data folder's own log file is among the files checked.
    expect(filesUnder(dataDir).some((f) => /[/\\]logs[/\\]tieout\.\d+\.log$/.test(f))).toBe(true);
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file).toString('latin1');
      for (const s of secrets) expect(bytes.includes(s), `${s.slice(0, 3)}… found in ${file}`).toBe(false);
    }
    const logText = log.join('\n');
    expect(logText.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logText.includes(s)).toBe(false);
  });
});
