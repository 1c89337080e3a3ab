import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { isPayTraceError } from '../../electron/core/paytrace/errors';
import { openTestEngine } from './support/engine';

// The engine caches its PayTrace client (and with it the bearer token) per
// credentials. The cache key must change with the password itself, not with
// anything derived from its length: a clerk correcting a mistyped password of
// the same length gets a client that signs in again with the new one.
// Real HTTP to the PayTrace sandbox, real keychain (scripts/with-keyring.mjs).

let demo: RunningDemo;
beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21, payments: 20 });
});
afterAll(async () => demo?.close());

const sameLengthWrong = (password: string) => [...password].map((c) => (c === 'x' ? 'y' : 'x')).join('');

describe('PayTrace client cache', () => {
  it('a same-length password change gets a fresh sign-in and token', async () => {
    const engine = await openTestEngine(demo.descriptor);
    try {
      const { username, password } = demo.descriptor.paytrace;
      const id = demo.world.payments[0]!.transactionId;
      const wrong = sameLengthWrong(password);
      expect(wrong).toHaveLength(password.length);

      await engine.vault.set('paytrace', { username, password: wrong });
      const refused = await (await engine.payTraceClient()).exportById(id).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isPayTraceError(refused)).toBe(true);

      await engine.vault.set('paytrace', { username, password });
      const client = await engine.payTraceClient();
      await expect(client.exportById(id)).resolves.toMatchObject({ transactionId: id });
      // Unchanged credentials keep the cached client (and its token).
      expect(await engine.payTraceClient()).toBe(client);
    } finally {
      await engine.close();
    }
  });
});
