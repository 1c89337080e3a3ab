import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as join_ } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/core/clock';
import type { Db } from '../../electron/core/store/db';
import { openDataFolderStore } from '../../electron/core/store/open-data-folder';
import { TEST_WORKSPACE_ENV } from '../../electron/core/store/pg/open-workspace';
import { readWorkspaceLink } from '../../electron/core/store/workspace-link';
import { PgSyncClient } from '../../electron/core/store/pg/sync-client';
import { createWorkspace, issueJoinCode, joinWorkspace, type WorkspaceTarget } from '../../electron/core/team/workspace-admin';
import type { SecretStore } from '../../electron/core/vault/secret-store';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { testSecretStore } from './support/engine';

// Workspace connections over TLS against a real PostgreSQL server with a
// certificate from a private CA made here with openssl: verify-full with the
// CA file works and the session is encrypted; a different CA is refused with
// a message naming it; a certificate for another host name passes verify-ca
// but not verify-full; require encrypts without checking the CA.

type Cluster = { adminUrl: string; port: number; user: string; password: string; stop(): void };
const PASSPHRASE = 'a long enough join passphrase';
const savedWorkspaceEnv = process.env[TEST_WORKSPACE_ENV];
const certs = mkdtempSync(join_(tmpdir(), 'tieout-tls-'));
let cluster: Cluster;
let otherNameCluster: Cluster;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CA (self-signed) and a server certificate it signs for `san`. */
function makeCa(name: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}
function makeServerCert(name: string, ca: string, san: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join_(certs, `${name}.ext`), `subjectAltName=${san}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

const folder = () => mkdtempSync(join_(tmpdir(), 'tieout-tls-folder-'));

function newDatabase(c: Cluster, ssl: WorkspaceTarget['ssl'], caFile?: string): WorkspaceTarget {
  const name = `tls_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new PgSyncClient({ connectionString: c.adminUrl, ssl: false });
  try {
    admin.run([{ sql: `CREATE DATABASE ${name}` }]);
  } finally {
    admin.close();
  }
  return { host: '127.0.0.1', port: c.port, database: name, user: c.user, ssl, ...(caFile ? { caFile } : {}) };
}

function sessionIsEncrypted(db: Db): boolean {
  return (db.prepare('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()').get() as { ssl: number }).ssl === 1;
}

beforeAll(async () => {
  delete process.env[TEST_WORKSPACE_ENV];
  makeCa('ca');
  makeCa('other-ca');
  makeServerCert('server', 'ca', 'IP:127.0.0.1');
  makeServerCert('elsewhere', 'ca', 'DNS:db.elsewhere.example');
  cluster = (await startPgCluster({ ssl: { certFile: join_(certs, 'server.crt'), keyFile: join_(certs, 'server.key') } })) as Cluster;
  otherNameCluster = (await startPgCluster({ ssl: { certFile: join_(certs, 'elsewhere.crt'), keyFile: join_(certs, 'elsewhere.key') } })) as Cluster;
}, 120_000);

afterAll(() => {
  cluster?.stop();
  otherNameCluster?.stop();
  rmSync(certs, { recursive: true, force: true });
  if (savedWorkspaceEnv !== undefined) process.env[TEST_WORKSPACE_ENV] = savedWorkspaceEnv;
});

describe('workspace TLS modes', () => {
  const admin: SecretStore = testSecretStore();
  let target: WorkspaceTarget;
  let joinCode: string;

  const join = (t: WorkspaceTarget, dataDir: string = folder(), store: SecretStore = testSecretStore()) =>
    joinWorkspace({ dataDir, secretStore: store, clock: systemClock, actor: 'admin', workstation: 'tls-desk', target: t, password: cluster.password, joinCode, passphrase: PASSPHRASE });

  it('verify-full with the CA file: created, joined, and the session is encrypted', async () => {
    target = newDatabase(cluster, 'verify-full', join_(certs, 'ca.crt'));
    const dataDir = folder();
    const created = await createWorkspace({ dataDir, secretStore: admin, clock: systemClock, target, password: cluster.password, name: 'TLS team', moveData: false, actor: 'admin' });
    expect(created.link).toMatchObject({ ssl: 'verify-full', caFile: join_(certs, 'ca.crt') });
    joinCode = await issueJoinCode({ dataDir, secretStore: admin, passphrase: PASSPHRASE, clock: systemClock, actor: 'admin' });
    const store = testSecretStore();
    const joinedDir = folder();
    expect(await join(target, joinedDir, store)).toMatchObject({ ssl: 'verify-full', name: 'TLS team' });
    const db = (await openDataFolderStore(joinedDir, store)) as Db;
    try {
      expect(sessionIsEncrypted(db)).toBe(true);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a CA that did not sign the server certificate is refused, naming the CA file; nothing is joined', async () => {
    const wrongCa = join_(certs, 'other-ca.crt');
    const refusedDir = folder();
    await expect(join({ ...target, caFile: wrongCa }, refusedDir)).rejects.toThrow(new RegExp(`TLS certificate is not signed by the CA in ${wrongCa.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: refused \\(verify-full\\)`));
    expect(readWorkspaceLink(refusedDir)).toBeNull();
    // Without a CA file the system's CAs do not know the private CA either.
    await expect(join({ ...target, caFile: undefined } as WorkspaceTarget)).rejects.toThrow(/not signed by a CA this computer trusts/);
  }, 60_000);

  it('require encrypts without checking the certificate', async () => {
    const store = testSecretStore();
    const dataDir = folder();
    await join({ ...target, ssl: 'require', caFile: undefined } as WorkspaceTarget, dataDir, store);
    const db = (await openDataFolderStore(dataDir, store)) as Db;
    try {
      expect(sessionIsEncrypted(db)).toBe(true);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a certificate for another host name passes verify-ca and is refused by verify-full', async () => {
    const ca = join_(certs, 'ca.crt');
    const full = newDatabase(otherNameCluster, 'verify-full', ca);
    const base = { dataDir: folder(), secretStore: testSecretStore(), clock: systemClock, password: otherNameCluster.password, name: 'Elsewhere', moveData: false, actor: 'admin' };
    await expect(createWorkspace({ ...base, target: full })).rejects.toThrow(/TLS certificate is not for "127\.0\.0\.1": refused/);
    const created = await createWorkspace({ ...base, target: { ...full, ssl: 'verify-ca' } });
    expect(created.link.ssl).toBe('verify-ca');
  }, 60_000);
});
