// A throw-away PostgreSQL cluster for the tests, the chaos run and the bench:
// initdb into a temporary folder, started on a free loopback port, removed on
// stop. initdb and postgres refuse to run as root, so as root (CI) the cluster
// belongs to the unprivileged `postgres` account the OS package creates.
// Nothing here assumes a server already running.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The folder with initdb/pg_ctl: $TIEOUT_PG_BIN, Debian's /usr/lib/postgresql/N/bin, Homebrew's, or PATH. */
export function findPgBin() {
  const candidates = [];
  if (process.env.TIEOUT_PG_BIN) candidates.push(process.env.TIEOUT_PG_BIN);
  for (const base of ['/usr/lib/postgresql']) {
    if (existsSync(base)) for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) candidates.push(join(base, v, 'bin'));
  }
  for (const v of ['17', '16', '15']) candidates.push(`/opt/homebrew/opt/postgresql@${v}/bin`, `/usr/local/opt/postgresql@${v}/bin`);
  for (const c of candidates) if (existsSync(join(c, 'initdb'))) return c;
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function asOwner(bin, args) {
  const cmd = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

/**
 * Starts a cluster; returns { url, adminUrl, port, user, password, stop() }.
 * options.ssl = { certFile, keyFile } (PEM) turns TLS on with that server certificate.
 * The superuser signs in with a generated password over TCP (scram-sha-256),
 * as a real workspace would; the URL carries it only inside the test process.
 */
export async function startPgCluster(options = {}) {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql (Debian) or brew install postgresql@15 (macOS)');
  const dir = mkdtempSync(join(tmpdir(), 'tieout-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const user = 'tieout_test';
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password, { mode: 0o644 });
  if (isRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  asOwner(join(bin, 'initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  rmSync(pwfile);
  const tls = [];
  if (options.ssl) {
    // PostgreSQL reads the key only if its owner alone can.
    copyFileSync(options.ssl.certFile, join(dir, 'server.crt'));
    copyFileSync(options.ssl.keyFile, join(dir, 'server.key'));
    chmodSync(join(dir, 'server.key'), 0o600);
    if (isRoot) execFileSync('chown', ['postgres', join(dir, 'server.crt'), join(dir, 'server.key')]);
    tls.push('-c ssl=on', `-c ssl_cert_file=${join(dir, 'server.crt')}`, `-c ssl_key_file=${join(dir, 'server.key')}`);
  }
  const port = options.port ?? (await freePort());
  const settings = [
    `-p ${port}`, '-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
    `-c max_connections=${options.maxConnections ?? 300}`, '-c shared_buffers=64MB', ...tls,
  ].join(' ');
  asOwner(join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const adminUrl = `postgresql://${user}:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { adminUrl, port, user, password, dir, stop };
}
