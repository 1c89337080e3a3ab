import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../../electron/core/engine';
import type { SandboxDescriptor } from '../../../electron/core/demo/demo-sandboxes';
import { silentLogger } from '../../../electron/core/log/logger';
import { keytarSecretStore } from '../../../electron/core/vault/keytar-store';
import type { SecretStore } from '../../../electron/core/vault/secret-store';

/** The real OS keychain under a service name of this test run's own. */
export function testSecretStore(): SecretStore {
  return keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `tieout-${label}-`));
}

/** An engine on a data folder, connected to sandboxes already running, with no background loops. */
export function openTestEngine(
  sandbox: SandboxDescriptor,
  options: Partial<EngineOptions> & { dataDir?: string; secretStore?: SecretStore } = {},
): Promise<Engine> {
  return createEngine({
    dataDir: options.dataDir ?? tempDir('engine'),
    shell: 'cli',
    background: false,
    logger: silentLogger,
    secretStore: options.secretStore ?? testSecretStore(),
    ...options,
    sandbox,
  });
}

/** Unwraps an API envelope, failing the test with the error's code and message. */
export function value<T>(reply: Awaited<ReturnType<Engine['dispatch']>>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value as T;
}
