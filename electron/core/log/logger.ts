import pino, { type DestinationStream } from 'pino';
import { DEFAULT_ROTATION, logFiles, openLogStream, type LogRotation } from './log-files';
import { PINO_REDACT_PATHS, REDACTED, redactText, redactValue, serializeError } from './redact';

// A scoped, structured logger (pino, one JSON object per line). Every message
// and every field passes the redaction (redact.ts) before pino sees it, and
// pino's own `redact` paths and error serializer stand behind that. The
// installed app's log is a size-rotated file in the data folder (openAppLog);
// createLogger writes the same lines to stderr or a test's sink.

export type LogFields = Readonly<Record<string, unknown>>;

export type Logger = Readonly<{
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(scope: string): Logger;
}>;

type Level = 'info' | 'warn' | 'error' | 'fatal';

function rootLogger(destination: DestinationStream): pino.Logger {
  return pino(
    {
      // No hostname: the log may leave the machine in a diagnostics bundle.
      base: { pid: process.pid },
      // ISO time, not epoch milliseconds: a 13-digit number can pass the card-number check.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...PINO_REDACT_PATHS], censor: REDACTED },
      serializers: { err: (e: unknown) => (e instanceof Error ? serializeError(e) : e) },
    },
    destination,
  );
}

function write(log: pino.Logger, level: Level, message: string, fields: LogFields | undefined): void {
  const msg = redactText(message);
  if (fields) log[level](redactValue(fields) as object, msg);
  else log[level](msg);
}

function scoped(root: pino.Logger, scope: string): Logger {
  // Children are made from the root with the full scope ("engine:sync"), not
  // nested, so each line has one `scope` key.
  const log = root.child({ scope });
  return {
    info: (m, f) => write(log, 'info', m, f),
    warn: (m, f) => write(log, 'warn', m, f),
    error: (m, f) => write(log, 'error', m, f),
    child: (s) => scoped(root, `${scope}:${s}`),
  };
}

/** A logger writing JSON lines to `sink` (default: stderr). */
export function createLogger(scope: string, sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  return scoped(rootLogger({ write: (chunk: string) => sink(chunk.replace(/\n$/, '')) }), scope);
}

/** Every line goes to each logger. */
export function teeLogger(...loggers: readonly Logger[]): Logger {
  return {
    info: (m, f) => loggers.forEach((l) => l.info(m, f)),
    warn: (m, f) => loggers.forEach((l) => l.warn(m, f)),
    error: (m, f) => loggers.forEach((l) => l.error(m, f)),
    child: (s) => teeLogger(...loggers.map((l) => l.child(s))),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger };

/** The installation's log: `<dataDir>/logs/tieout.N.log`, rotated (log-files.ts). */
export type AppLog = Readonly<{
  dataDir: string;
  logger(scope: string): Logger;
  /** A crash, at level fatal, flushed to disk before returning (the process may end next). */
  fatal(message: string, error: unknown): void;
  /** The log files, oldest first. */
  files(): string[];
  close(): Promise<void>;
}>;

export async function openAppLog(dataDir: string, rotation: LogRotation = DEFAULT_ROTATION): Promise<AppLog> {
  const stream = await openLogStream(dataDir, rotation);
  const root = rootLogger(stream);
  let closed: Promise<void> | null = null;
  return {
    dataDir,
    logger: (scope) => scoped(root, scope),
    fatal: (message, error) => {
      write(root.child({ scope: 'crash' }), 'fatal', message, { err: error instanceof Error ? error : new Error(String(error)) });
      try {
        stream.flushSync();
      } catch {
        // Nothing more can be done for the log while the process fails.
      }
    },
    files: () => logFiles(dataDir),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      })),
  };
}
