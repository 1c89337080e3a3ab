import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pinoRoll from 'pino-roll';

// The log's place on disk: `<dataDir>/logs/tieout.N.log`, size-rotated by
// pino-roll (N grows; the oldest files beyond the limit are deleted). The
// folder is 0700 and every file 0600 whatever the umask: a log can name
// payers and amounts, so only the user running Tieout reads it.

export const LOG_FOLDER = 'logs';
const BASE_NAME = 'tieout';
const EXTENSION = 'log';

export type LogRotation = Readonly<{
  /** Rotate when the current file reaches this size (pino-roll syntax: '10m', '512k', or bytes as a number of MB). */
  size: string;
  /** Rotated files kept besides the current one. */
  keep: number;
}>;

export const DEFAULT_ROTATION: LogRotation = { size: '10m', keep: 5 };

export type LogStream = Awaited<ReturnType<typeof pinoRoll>>;

export function logFolder(dataDir: string): string {
  return join(dataDir, LOG_FOLDER);
}

/** The rotating file stream (a SonicBoom; asynchronous, which pino-roll's rotation needs: a crash handler flushes it synchronously). */
export async function openLogStream(dataDir: string, rotation: LogRotation = DEFAULT_ROTATION): Promise<LogStream> {
  const dir = logFolder(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const stream = await pinoRoll({
    file: join(dir, `${BASE_NAME}.${EXTENSION}`),
    size: rotation.size,
    // removeOtherLogFiles: count the files on disk, not only those this process
    // created, or every restart would leave its files behind for ever. It keeps
    // `count` files in all: one more than the older files kept.
    limit: { count: rotation.keep + 1, removeOtherLogFiles: true },
    mode: 0o600,
  });
  // A file that existed before (or was created under a wider umask) is narrowed too; so is each rotated file.
  const narrow = () => {
    for (const file of logFiles(dataDir)) chmodSync(file, 0o600);
  };
  narrow();
  stream.on('ready', narrow);
  return stream;
}

/** The log files, oldest first (pino-roll numbers them upwards). */
export function logFiles(dataDir: string): string[] {
  const dir = logFolder(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const numbered = names
    .map((name) => ({ name, n: Number(new RegExp(`^${BASE_NAME}\\.(\\d+)\\.${EXTENSION}$`).exec(name)?.[1] ?? NaN) }))
    .filter((f) => Number.isInteger(f.n) && statSync(join(dir, f.name)).isFile());
  return numbered.sort((a, b) => a.n - b.n).map((f) => join(dir, f.name));
}
