import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TotpEnrolmentStart } from '@shared/api/auth';
import { totpCode } from '../../electron/core/auth/totp';
import { DEMO_PASSWORD } from '../../electron/core/auth/auth-service';
import type { Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { openTestEngine, signedInCalls, tempDir } from './support/engine';

// Two-step sign-in through the whole engine (dispatcher, handlers, the real
// keychain the engine opens), as the web channel calls it. Run with
// `node scripts/with-keyring.mjs npx vitest run test/integration/totp-engine.test.ts`.

let demo: RunningDemo;
let engine: Engine;
const dataDir = tempDir('totp-engine');
const { call, ok, signIn } = signedInCalls(() => engine);

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 12 });
  engine = await openTestEngine(demo.descriptor, { shell: 'web', dataDir });
  await signIn(['supervisor', 'admin'], DEMO_PASSWORD);
});

afterAll(async () => {
  await ok('admin', 'auth:totpReset', { userName: 'supervisor' }).catch(() => undefined);
  await engine?.close();
  await demo?.close();
});

describe('two-step sign-in through the engine', () => {
  it('enrols a demo supervisor, then sign-in answers code_required without a code and signs in with one; the secret is not in the data folder', async () => {
    const started = await ok<TotpEnrolmentStart>('supervisor', 'auth:totpBegin', { password: DEMO_PASSWORD });
    await ok('supervisor', 'auth:totpConfirm', { code: totpCode(started.secret, Date.now()) });
    const noCode = await call(null, 'auth:signIn', { userName: 'supervisor', password: DEMO_PASSWORD });
    expect(noCode).toMatchObject({ ok: false, error: { code: 'code_required' } });
    // The enrolment used this step's code; the next step's code (accepted as ± one step) signs in.
    const signedIn = await call(null, 'auth:signIn', { userName: 'supervisor', password: DEMO_PASSWORD, code: totpCode(started.secret, Date.now() + 30_000) });
    expect(signedIn).toMatchObject({ ok: true, value: { user: { userName: 'supervisor' } } });
    expect(await ok('admin', 'auth:users', {})).toEqual(expect.arrayContaining([expect.objectContaining({ userName: 'supervisor', totpEnrolled: true })]));
    // Nothing in the data folder (SQLite file, WAL, logs) holds the secret.
    engine.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) expect(readFileSync(join(f.parentPath, f.name)).includes(started.secret), f.name).toBe(false);
    }
  });
});
