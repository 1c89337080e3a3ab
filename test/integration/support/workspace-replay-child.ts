// A workstation's engine opening on its workspace with decisions made offline
// waiting, SIGKILLed right after the first one commits in the workspace and
// before its own copy records that (workspace-offline.test.ts): the worst
// moment for a replay to be interrupted.
import type { SandboxDescriptor } from '../../../electron/core/demo-mode';
import { createEngine } from '../../../electron/core/engine';
import { silentLogger } from '../../../electron/core/log/logger';
import { keytarSecretStore } from '../../../electron/core/vault/keytar-store';

async function main(): Promise<void> {
  const [dataDir, keychainService, actor] = process.argv.slice(2) as [string, string, string];
  const sandbox = JSON.parse(process.env.TIEOUT_TEST_SANDBOX ?? 'null') as SandboxDescriptor;
  await createEngine({
    dataDir,
    shell: 'cli',
    background: false,
    undoWindowSeconds: 0,
    secretStore: keytarSecretStore(keychainService),
    logger: silentLogger,
    fileLog: false,
    sandbox,
    actor,
    afterOfflineReplay: (q) => {
      process.stdout.write(`committed ${q.transactionId}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write('opened without replaying\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  },
);
