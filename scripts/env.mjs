// Shared by `npm start` and `npm test`: install what is missing, find a
// Secret Service for the keychain, and run commands with their output shown.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

export function mustRun(cmd, args, options = {}) {
  const status = run(cmd, args, options);
  if (status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed with exit code ${status}`);
    process.exit(status);
  }
}

/** npm install when node_modules is missing or older than package.json / the lock file. */
export function ensureDependencies() {
  const marker = resolve(root, 'node_modules/.package-lock.json');
  const newest = Math.max(...['package.json', 'package-lock.json'].map((f) => (existsSync(resolve(root, f)) ? statSync(resolve(root, f)).mtimeMs : 0)));
  if (existsSync(marker) && statSync(marker).mtimeMs >= newest) return;
  console.log('Installing dependencies (first run)…');
  const useCi = existsSync(resolve(root, 'package-lock.json')) && !existsSync(resolve(root, 'node_modules'));
  mustRun('npm', [useCi ? 'ci' : 'install', '--no-audit', '--no-fund'], { env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
}

/** Native modules must match Node's ABI for tests and the web host (Electron launches rebuild them for Electron). */
export function ensureNodeNativeModules() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close(); require('keytar')"], { cwd: root, encoding: 'utf8' });
  if (probe.status === 0) return;
  console.log('Rebuilding native modules for Node…');
  mustRun('npm', ['rebuild', 'better-sqlite3', 'keytar', 'odbc']);
}

/**
 * On Linux without a session bus (CI, SSH, containers) the keychain has no
 * Secret Service. Re-run this script inside a private D-Bus session with an
 * unlocked, throw-away GNOME Keyring — the real keychain daemon, not a mock.
 */
export function reexecWithKeyringIfNeeded(script, args) {
  if (process.platform !== 'linux' || process.env.DBUS_SESSION_BUS_ADDRESS || process.env.TIEOUT_KEYRING_SESSION) return;
  const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  if (!has('dbus-run-session') || !has('gnome-keyring-daemon')) {
    console.error('No Secret Service: install the packages dbus, dbus-x11 and gnome-keyring (apt-get install -y dbus dbus-x11 gnome-keyring), or run inside a desktop session.');
    process.exit(1);
  }
  const inner = `echo -n tieout | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "${process.execPath}" "${script}" ${args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`;
  // A keyring of its own under a temp XDG_DATA_HOME: an existing login keyring with
  // another password would otherwise ask for a prompt no one can answer.
  const keyringHome = mkdtempSync(join(tmpdir(), 'tieout-keyring-'));
  const status = run('dbus-run-session', ['--', 'sh', '-c', inner], { env: { TIEOUT_KEYRING_SESSION: '1', XDG_DATA_HOME: keyringHome } });
  process.exit(status);
}

export function electronBinary() {
  try {
    const path = execFileSync(process.execPath, ['-e', "process.stdout.write(String(require('electron')))"], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * The engine suite also runs on PostgreSQL in throw-away clusters
 * (scripts/pg-cluster.mjs): its server binaries must be installed, not
 * running. Installed here when missing and the package manager allows it.
 */
export async function ensurePostgresBinaries() {
  const { findPgBin } = await import('./pg-cluster.mjs');
  if (findPgBin()) return;
  const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.platform === 'linux' && has('apt-get')) {
    console.log('Installing PostgreSQL (the engine suite starts throw-away clusters)…');
    mustRun(root ? 'apt-get' : 'sudo', [...(root ? [] : ['apt-get']), 'install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  } else if (process.platform === 'darwin' && has('brew')) {
    console.log('Installing PostgreSQL 15 with Homebrew (the engine suite starts throw-away clusters)…');
    mustRun('brew', ['install', 'postgresql@15']);
  }
  if (!findPgBin()) {
    console.error('PostgreSQL server binaries (initdb, pg_ctl) are needed for the engine suite on PostgreSQL: apt-get install postgresql, or brew install postgresql@15, or set TIEOUT_PG_BIN.');
    process.exit(1);
  }
}
