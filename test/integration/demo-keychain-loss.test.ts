import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditKeyMissingError } from '../../electron/core/audit/audit-anchor';
import { openStore } from '../../electron/core/store/db';
import { setAsideStores, storeExists } from '../support/store-dialect';
import { loadSettings, saveSettings } from '../../electron/core/store/queries/settings';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { openTestEngine, tempDir, testSecretStore } from './support/engine';

// A keychain that does not persist (CI, a throw-away session keyring) loses
// the audit key between two runs of `npm start` on the same data folder.
// Demo data is made up: it is set aside (kept) and a fresh demo starts. Real
// data stays refused: its trail could be neither sealed nor checked.

let demo: RunningDemo;
beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 7, payments: 10 });
});
afterAll(async () => {
  await demo?.close();
});

async function sealedFolder(): Promise<string> {
  const dataDir = tempDir('keychain-loss');
  const first = await openTestEngine(demo.descriptor, { dataDir });
  await first.close();
  return dataDir;
}

describe('a data folder whose audit key this keychain does not hold', () => {
  it('demo data: set aside (kept, with its companions) and a fresh demo starts', async () => {
    const dataDir = await sealedFolder();
    const again = await openTestEngine(demo.descriptor, { dataDir, secretStore: testSecretStore() });
    try {
      expect((await again.dispatch('auth:status', {})).ok).toBe(true);
    } finally {
      await again.close();
    }
    expect(setAsideStores(dataDir, 'demo-without-audit-key-')).toHaveLength(1);
    expect(storeExists(dataDir)).toBe(true);
  });

  it('real data: refused with the missing-key message, nothing set aside', async () => {
    const dataDir = await sealedFolder();
    const db = openStore(dataDir);
    const settings = loadSettings(db);
    saveSettings(db, { ...settings, paytrace: { ...settings.paytrace, environment: 'sandbox' } });
    db.close();
    await expect(openTestEngine(demo.descriptor, { dataDir, secretStore: testSecretStore() })).rejects.toBeInstanceOf(AuditKeyMissingError);
    expect(setAsideStores(dataDir, 'demo-without-audit-key-')).toEqual([]);
  });
});
