import { describe, expect, it } from 'vitest';
import type { SandboxDescriptor, StartDemo } from '../../electron/core/demo-mode';
import { createEngine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { tempDir, testSecretStore } from './support/engine';

// The engine does not import the sandboxes: demo mode starts whatever its
// caller injects as `startDemo`, anchored to the first launch.

const descriptor: SandboxDescriptor = {
  paytrace: { url: 'http://127.0.0.1:9/paytrace', username: 'demo', password: 'pt-secret' },
  erp: { kind: 'p21', baseUrl: 'http://127.0.0.1:9/p21', options: {}, username: 'erp-user', password: 'erp-secret' },
};

function fakeStartDemo() {
  const calls: Array<{ erpKind: string; now: Date }> = [];
  let closed = 0;
  const start: StartDemo = async (options) => {
    calls.push(options);
    return { descriptor, close: async () => void (closed += 1) };
  };
  return { start, calls, closed: () => closed };
}

describe('demo mode with injected sandboxes', () => {
  it('refuses to start demo mode when no sandboxes are injected or described', async () => {
    await expect(createEngine({ dataDir: tempDir('demo-none'), shell: 'cli', background: false, logger: silentLogger, secretStore: testSecretStore() })).rejects.toThrow(/startDemo/);
  });

  it('starts the injected sandboxes, connects to them, anchors the world to the first launch and closes them', async () => {
    const dataDir = tempDir('demo-injected');
    const secretStore = testSecretStore();
    const fake = fakeStartDemo();
    const open = () => createEngine({ dataDir, shell: 'cli', background: false, logger: silentLogger, secretStore, startDemo: fake.start });

    const first = await open();
    expect(first.isDemo()).toBe(true);
    expect(first.settings().paytrace.baseUrl).toBe(descriptor.paytrace.url);
    expect(first.settings().erp.baseUrl).toBe(descriptor.erp.baseUrl);
    expect(await first.vault.get('erp')).toMatchObject({ username: 'erp-user', password: 'erp-secret' });
    await first.close();
    expect(fake.closed()).toBe(1);

    const second = await open();
    await second.close();
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[0]!.erpKind).toBe('p21');
    expect(fake.calls[1]!.now.toISOString()).toBe(fake.calls[0]!.now.toISOString());
  });

  it('uses sandboxes already running (a descriptor) without starting any', async () => {
    const fake = fakeStartDemo();
    const engine = await createEngine({ dataDir: tempDir('demo-described'), shell: 'cli', background: false, logger: silentLogger, secretStore: testSecretStore(), sandbox: descriptor, startDemo: fake.start });
    expect(engine.settings().paytrace.baseUrl).toBe(descriptor.paytrace.url);
    await engine.close();
    expect(fake.calls).toHaveLength(0);
  });
});
