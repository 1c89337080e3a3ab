// A scoped logger. Lines carry a component prefix; callers pass values that are
// already safe. `redact` strips anything that looks like a credential in case a
// remote system echoes one back in an error message.

export type Logger = Readonly<{
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}>;

const SECRETISH = /(password|passwd|pwd|secret|token|authorization|access_token|sessiontoken)(["'\s:=]+)([^"'\s&,}]+)/gi;

export function redact(text: string): string {
  return text.replace(SECRETISH, '$1$2[redacted]');
}

export function createLogger(scope: string, sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const write = (level: string, message: string) => sink(`${new Date().toISOString()} ${level} [${scope}] ${redact(message)}`);
  return {
    info: (m) => write('INFO', m),
    warn: (m) => write('WARN', m),
    error: (m) => write('ERROR', m),
    child: (s) => createLogger(`${scope}:${s}`, sink),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger };
