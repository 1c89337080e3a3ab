// Run as a child process by test/integration/team-leader.test.ts: an engine
// with its background loops on a data folder joined to a workspace. It prints
// "leading" once it runs the team's sync, then waits to be killed.
import { createEngine } from '../../../electron/core/engine';
import { silentLogger } from '../../../electron/core/log/logger';
import { keytarSecretStore } from '../../../electron/core/vault/keytar-store';

const [dataDir, keychainService, descriptor] = process.argv.slice(2) as [string, string, string];

void createEngine({ dataDir, shell: 'cli', background: true, undoWindowSeconds: 0, logger: silentLogger, fileLog: false, secretStore: keytarSecretStore(keychainService), sandbox: JSON.parse(descriptor), actor: 'child' }).then(
  (engine) => {
    const tell = setInterval(() => {
      if (engine.team?.status().leading && engine.sync.status.lastSuccessAt) {
        clearInterval(tell);
        process.stdout.write('leading\n');
      }
    }, 50);
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(2);
  },
);
