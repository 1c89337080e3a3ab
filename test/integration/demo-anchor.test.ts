import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../electron/core/clock';
import { connectDemo, type StartDemo } from '../../electron/core/demo-mode';
import { silentLogger } from '../../electron/core/log/logger';
import { openStore, type Db } from '../../electron/core/store/db';
import { readSyncCursor, writeSyncCursor } from '../../electron/core/store/queries/sync-cursors';
import { createCredentialVault } from '../../electron/core/vault/credential-vault';
import { tempDir, testSecretStore } from './support/engine';

// The demo world is built "as of" an anchor the engine keeps in the store:
// the injected clock's now at the first launch (was: the wall clock, whatever
// clock the engine was given), kept across restarts, and never later than now.

// The real keychain, under this run's own service name (connectDemo stores the sandbox credentials there).
const vault = createCredentialVault(testSecretStore(), 'demo-anchor-test');
const descriptor = {
  paytrace: { url: 'http://127.0.0.1:1', username: 'u', password: 'p' },
  erp: { kind: 'p21' as const, baseUrl: 'http://127.0.0.1:2', options: {}, username: 'u', password: 'p' },
};
let db: Db | null = null;

afterEach(() => {
  db?.close();
  db = null;
});

async function start(clockMs: number): Promise<Date> {
  let seen: Date | null = null;
  const startDemo: StartDemo = (o) => {
    seen = o.now;
    return Promise.resolve({ descriptor, close: () => Promise.resolve() });
  };
  await connectDemo({ db: db!, vault, erpKind: 'p21', descriptor: undefined, startDemo, logger: silentLogger, clock: manualClock(clockMs) });
  return seen!;
}

describe('demo anchor', () => {
  it('is the injected clock at the first launch and stays on restarts', async () => {
    db = openStore(tempDir('demo-anchor'));
    const first = Date.parse('2025-03-20T15:00:00Z');
    expect((await start(first)).toISOString()).toBe('2025-03-20T15:00:00.000Z');
    expect(readSyncCursor(db, 'demo.anchor')).toBe('2025-03-20T15:00:00.000Z');
    // A restart a day later sees the same world.
    expect((await start(first + 86_400_000)).toISOString()).toBe('2025-03-20T15:00:00.000Z');
  });

  it('moves back to now when it is later than now (its payments would be dated in the future)', async () => {
    db = openStore(tempDir('demo-anchor'));
    writeSyncCursor(db, 'demo.anchor', '2030-01-01T00:00:00.000Z');
    expect((await start(Date.parse('2026-12-08T00:16:00Z'))).toISOString()).toBe('2026-12-08T00:16:00.000Z');
    expect(readSyncCursor(db, 'demo.anchor')).toBe('2026-12-08T00:16:00.000Z');
  });
});
