import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** --data-dir, then TIEOUT_DATA_DIR, then the given default (Electron's userData) or ~/.tieout. */
export function resolveDataDir(flag: string | undefined, fallback?: string): string {
  if (flag) return resolve(flag);
  const env = process.env.TIEOUT_DATA_DIR;
  if (env) return resolve(env);
  return fallback ?? join(homedir(), '.tieout');
}
