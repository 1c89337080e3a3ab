import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';

// The data folder holds the store (payments, customers, the audit log),
// hand-off files and exports: readable by the user who runs Tieout only.
// A mode passed to mkdir/open is reduced by the process umask and ignored for
// a path that already exists (a folder an older version made 0755), so every
// helper here sets the mode explicitly afterwards. Windows has no POSIX modes
// (its ACLs follow the user's profile folder); chmod there only toggles
// read-only, so it is skipped.

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const posix = process.platform !== 'win32';

/** Creates the folder (and parents) if needed; the folder itself ends up 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (posix) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes an existing file 0600; a missing one is left missing. */
export function makePrivate(file: string): void {
  if (posix && existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
}

/** Creates the file empty if it is missing (so whoever opens it next inherits 0600), and makes it 0600. */
export function touchPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  makePrivate(file);
}

/** Writes (or replaces) a file that only this user may read. */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  // Created 0600 before any byte is written, so no other user can open it in between.
  touchPrivateFile(file);
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
}
