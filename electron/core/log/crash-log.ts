import type { AppLog } from './logger';

// A crash leaves its reason in the log file (redacted like every line), not
// only on a stderr nobody sees in an installed app. The process's behaviour
// is unchanged: Node still exits on an uncaught exception or (by default) an
// unhandled rejection, which `uncaughtExceptionMonitor` observes without
// handling. Electron's main process only warns on an unhandled rejection, so
// there the monitor never fires and a listener records it instead (which
// changes nothing but where the warning goes).

export function installCrashLog(log: Pick<AppLog, 'fatal'>, proc: NodeJS.Process = process): () => void {
  const onCrash = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin) => log.fatal(origin === 'unhandledRejection' ? 'unhandled promise rejection: the process ends' : 'uncaught exception: the process ends', error);
  const onRejection = (reason: unknown) => log.fatal('unhandled promise rejection', reason);
  const underElectron = Boolean(proc.versions['electron']);
  proc.on('uncaughtExceptionMonitor', onCrash);
  if (underElectron) proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtExceptionMonitor', onCrash);
    if (underElectron) proc.off('unhandledRejection', onRejection);
  };
}
