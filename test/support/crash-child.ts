// Run as a child process by test/unit/log-crash.test.ts: opens the data
// folder's log, installs the crash log and then fails the way argv[3] says.
import { installCrashLog } from '../../electron/core/log/crash-log';
import { openAppLog } from '../../electron/core/log/logger';
import { registerSecret } from '../../electron/core/log/secret-registry';

const [dataDir, how, secret] = process.argv.slice(2) as [string, 'throw' | 'reject', string];

void openAppLog(dataDir).then((log) => {
  installCrashLog(log);
  registerSecret(secret);
  log.logger('engine').info('started');
  setTimeout(() => {
    const error = new Error(`PayTrace login failed with ${secret} for card 4111-1111-1111-1111`);
    if (how === 'throw') throw error;
    void Promise.reject(error);
  }, 10);
});
