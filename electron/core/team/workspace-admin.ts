import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openKeyedAudit } from '../audit/audit-anchor';
import { appendAudit, verifyAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { registerSecret } from '../log/secret-registry';
import { silentLogger, type Logger } from '../log/logger';
import { DATABASE_FILE } from '../store/db';
import { migrations } from '../store/migrations';
import { openWorkspaceDb } from '../store/pg/open-workspace';
import { WRITER_LOCK_KEY } from '../store/pg/pg-database';
import { PgStoreError, PgSyncClient, type PgConnectionConfig } from '../store/pg/sync-client';
import { readProfileId, saveProfileId } from '../store/queries/app-identity';
import { readWorkspaceLink, removeWorkspaceLink, workspaceConnection, workspacePasswordAccount, writeWorkspaceLink, type WorkspaceLink, type WorkspaceSslMode } from '../store/workspace-link';
import { createAuditSecrets, auditHeadAccount, type AuditHead } from '../vault/audit-secrets';
import { lastAuditHead } from '../store/queries/audit';
import { accountName, createCredentialVault } from '../vault/credential-vault';
import { forgetFolderProfile, recordedFolderProfile, recordFolderProfile } from '../vault/folder-identity';
import type { SecretStore } from '../vault/secret-store';
import { checkJoinPassphrase, openJoinCode, sealJoinCode, type JoinPayload } from './workspace-join-code';
import { copyStoreIntoWorkspace, openSourceStore, type MigrationCount } from '../store/workspace-migrate';
import type { Db, ReadDb } from '../store/db';

// Setting a data folder up for team mode: create a workspace (optionally
// moving this folder's single-user store into it), join one from another
// folder or workstation with a join code, leave one, and say where the folder
// stands. The workspace holds the data; this workstation's keychain holds
// everything secret (the database password, the audit key, the PayTrace/ERP
// credentials); workspace.json says where the workspace is. The engine opens
// whatever the folder names when it (re)starts (store/open-data-folder.ts).

/** Where a workspace database is: what workspace.json keeps (never the password). */
export type WorkspaceTarget = Readonly<{ host: string; port: number; database: string; user: string; ssl: WorkspaceSslMode; caFile?: string }>;

export class WorkspaceSetupError extends Error {
  override readonly name = 'WorkspaceSetupError';
}

/** The table naming the workspace a database holds (PostgreSQL only, beside tieout_schema). */
const IDENTITY_TABLE = 'tieout_workspace';
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Reads postgresql://user@host:port/database?sslmode=…&sslrootcert=… A
 * password in the URL is refused: it would sit in shell history and process
 * lists; it is typed when asked (or PGPASSWORD).
 */
export function parseWorkspaceUrl(url: string): WorkspaceTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WorkspaceSetupError(`"${url}" is not a PostgreSQL URL (postgresql://user@host:5432/database)`);
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') throw new WorkspaceSetupError('The workspace URL starts with postgresql://');
  if (u.password) throw new WorkspaceSetupError('Leave the password out of the URL: Tieout asks for it (or reads PGPASSWORD) and keeps it in the OS keychain');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(u.username);
  if (!u.hostname || !database || !user) throw new WorkspaceSetupError('The workspace URL needs a user, a host and a database: postgresql://user@host:5432/database');
  const sslmode = u.searchParams.get('sslmode') ?? 'verify-full';
  if (!['disable', 'require', 'verify-ca', 'verify-full'].includes(sslmode)) throw new WorkspaceSetupError(`sslmode ${sslmode} is not one Tieout uses: disable, require, verify-ca or verify-full`);
  const caFile = u.searchParams.get('sslrootcert') ?? undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 5432, database, user, ssl: sslmode as WorkspaceSslMode, ...(caFile ? { caFile } : {}) };
}

export function sameTarget(a: Pick<WorkspaceTarget, 'host' | 'port' | 'database' | 'user'>, b: Pick<WorkspaceTarget, 'host' | 'port' | 'database' | 'user'>): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.database === b.database && a.user === b.user;
}

/** What went wrong reaching the workspace, in words a team can act on (never the password). */
export function describeConnectError(e: unknown, t: WorkspaceTarget): string {
  const code = e instanceof PgStoreError ? e.code : (e as NodeJS.ErrnoException)?.code;
  const message = (e as Error)?.message ?? String(e);
  const where = `${t.host}:${t.port}`;
  if (code === '28P01') return `The workspace database refused the password for user "${t.user}"`;
  if (code === '3D000') return `The server at ${where} has no database "${t.database}": create it first (CREATE DATABASE) or check the name`;
  if (code === '28000') return `The server at ${where} does not let "${t.user}" connect from here${t.ssl === 'disable' ? ' without TLS' : ''} (pg_hba.conf): ${message}`;
  if (code === 'ECONNREFUSED') return `Nothing answers at ${where}: is PostgreSQL running and listening there?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host ${t.host} is not known here`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `The server's TLS certificate is not for "${t.host}": refused (verify-full checks the host name; connect by the name the certificate has)`;
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/.test(code ?? '') || /certificate/i.test(message)) {
    return `The server's TLS certificate is not signed by ${t.caFile ? `the CA in ${t.caFile}` : "a CA this computer trusts (give the workspace's CA file)"}: refused (${t.ssl}). ${message}`;
  }
  if (/does not support SSL/i.test(message)) return `The server at ${where} does not offer TLS: turn ssl on in PostgreSQL, or choose TLS mode "disable" on a trusted network only`;
  return `The workspace database at ${where} could not be reached: ${message}`;
}

/** Any failure while working on the workspace, as a set-up error the admin can act on. */
function asSetupError(e: unknown, t: WorkspaceTarget): WorkspaceSetupError {
  if (e instanceof WorkspaceSetupError) return e;
  const sqlState = e instanceof PgStoreError && e.code && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
  // Reaching the server, TLS and signing in: said in words.
  if (!(e instanceof PgStoreError) || !sqlState || ['28P01', '28000', '3D000'].includes(sqlState)) {
    return new WorkspaceSetupError(e instanceof PgStoreError || (e as NodeJS.ErrnoException)?.code ? describeConnectError(e, t) : (e as Error).message);
  }
  if (sqlState === '42501') return new WorkspaceSetupError(`The database user "${t.user}" may not create or change tables in "${t.database}": make it the database's owner (or GRANT CREATE) and try again (${e.message})`);
  return new WorkspaceSetupError(`The workspace database refused: ${e.message}`);
}

function draftLink(target: WorkspaceTarget, workspaceId: string, name: string, clock: Clock): WorkspaceLink {
  return { version: 1, workspaceId, name, host: target.host, port: target.port, database: target.database, user: target.user, ssl: target.ssl, ...(target.caFile ? { caFile: target.caFile } : {}), joinedAt: clock.iso() };
}

function connectionFor(link: WorkspaceLink, password: string): PgConnectionConfig {
  try {
    return workspaceConnection(link, password);
  } catch (e) {
    throw new WorkspaceSetupError(`The CA file ${link.caFile ?? ''} cannot be read: ${(e as Error).message}`);
  }
}

function withClient<T>(link: WorkspaceLink, password: string, fn: (c: PgSyncClient) => T): T {
  const client = new PgSyncClient(connectionFor(link, password), CONNECT_TIMEOUT_MS);
  try {
    return fn(client);
  } catch (e) {
    throw asSetupError(e, link);
  } finally {
    client.close();
  }
}

type IdentityRow = { id: string; name: string };

function readIdentity(c: PgSyncClient): IdentityRow | null {
  const exists = c.run([{ sql: 'SELECT to_regclass($1) AS t', params: [IDENTITY_TABLE] }]).rows[0] as { t: string | null };
  if (!exists.t) return null;
  return (c.run([{ sql: `SELECT id, name FROM ${IDENTITY_TABLE}` }]).rows[0] as IdentityRow | undefined) ?? null;
}

function userTables(c: PgSyncClient): string[] {
  return c
    .run([{ sql: "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name" }])
    .rows.map((r) => (r as { table_name: string }).table_name);
}

/**
 * Takes an empty database for a new workspace: refused when it already holds
 * a Tieout workspace or any table of its own. Under the writer lock, so two
 * admins creating on the same database at once get one workspace.
 */
function claimEmptyDatabase(link: WorkspaceLink, password: string, clock: Clock): void {
  withClient(link, password, (c) => {
    c.run([{ sql: 'BEGIN' }, { sql: `SELECT pg_advisory_xact_lock(${WRITER_LOCK_KEY})` }]);
    try {
      const existing = readIdentity(c);
      if (existing) throw new WorkspaceSetupError(`The database "${link.database}" already holds the Tieout workspace "${existing.name}": join it instead (its admin can give you a join code)`);
      const tables = userTables(c);
      if (tables.includes('tieout_schema')) throw new WorkspaceSetupError(`The database "${link.database}" already holds Tieout data that is not a workspace: create the workspace in an empty database`);
      if (tables.length) {
        const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? `, … (${tables.length} tables)` : '');
        throw new WorkspaceSetupError(`The database "${link.database}" already has tables that are not Tieout's (${shown}): create the workspace in an empty database`);
      }
      c.run([
        { sql: `CREATE TABLE ${IDENTITY_TABLE} (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)` },
        { sql: `INSERT INTO ${IDENTITY_TABLE} (id, name, created_at) VALUES ($1, $2, $3)`, params: [link.workspaceId, link.name, clock.iso()] },
        { sql: 'COMMIT' },
      ]);
    } catch (e) {
      c.run([{ sql: 'ROLLBACK' }]);
      throw e;
    }
  });
}

/** Undoes a create that failed half way: the database was empty before, so every table in it is the failed workspace's. */
function dropFailedWorkspace(link: WorkspaceLink, password: string): void {
  try {
    withClient(link, password, (c) => {
      if (readIdentity(c)?.id !== link.workspaceId) return;
      const tables = userTables(c);
      if (tables.length) c.run([{ sql: `DROP TABLE ${tables.map((t) => `"${t}"`).join(', ')} CASCADE` }]);
    });
  } catch {
    // The database went away: nothing more can be undone from here.
  }
}

/** The workspace as the store the services use (the same surface as SQLite's connection). */
function openAsWorkspace(link: WorkspaceLink, password: string): Db {
  try {
    return openWorkspaceDb(connectionFor(link, password), { label: link.name }) as unknown as Db;
  } catch (e) {
    throw asSetupError(e, link);
  }
}

/** Appends one entry to the workspace's trail, sealed under this keychain's audit key (anchored here as the engine would). */
async function appendWorkspaceAudit(o: { link: WorkspaceLink; password: string; secretStore: SecretStore; profileId: string; clock: Clock }, entry: Parameters<typeof appendAudit>[1]): Promise<void> {
  const db = openAsWorkspace(o.link, o.password);
  try {
    const anchor = await openKeyedAudit({ db, secrets: createAuditSecrets(o.secretStore, o.profileId), clock: o.clock, logger: silentLogger });
    try {
      appendAudit(db, entry, o.clock);
    } finally {
      await anchor.close();
    }
  } finally {
    db.close();
  }
}

export type CreateWorkspaceOptions = Readonly<{
  dataDir: string;
  secretStore: SecretStore;
  clock: Clock;
  logger?: Logger;
  target: WorkspaceTarget;
  password: string;
  name: string;
  /** Move this folder's single-user store (users, history, audit trail) into the workspace. */
  moveData: boolean;
  /** Who asked (the audit entry's actor). */
  actor: string;
  /** When given, a join code for other workstations is issued under it. */
  joinPassphrase?: string;
}>;

export type CreatedWorkspace = Readonly<{ link: WorkspaceLink; profileId: string; copied: MigrationCount[] | null; joinCode: string | null }>;

export async function createWorkspace(o: CreateWorkspaceOptions): Promise<CreatedWorkspace> {
  registerSecret(o.password);
  const current = readWorkspaceLink(o.dataDir);
  if (current) throw new WorkspaceSetupError(`This data folder is already joined to the workspace "${current.name}": leave it first`);
  const name = o.name.trim();
  if (!name || name.length > 120) throw new WorkspaceSetupError('Give the workspace a name (at most 120 characters)');
  if (o.joinPassphrase !== undefined) checkJoinPassphrase(o.joinPassphrase);
  const link = draftLink(o.target, randomBytes(16).toString('hex'), name, o.clock);
  claimEmptyDatabase(link, o.password, o.clock);
  let profileId: string;
  let copied: MigrationCount[] | null = null;
  try {
    const db = openAsWorkspace(link, o.password);
    try {
      if (o.moveData) {
        const src = openSourceStore(o.dataDir);
        try {
          copied = withClient(link, o.password, (c) => copyStoreIntoWorkspace(src, c));
        } finally {
          src.close();
        }
      }
      // A moved store keeps its profile id: the audit key and credentials already in this keychain carry on.
      profileId = readProfileId(db) ?? randomBytes(8).toString('hex');
      saveProfileId(db, profileId, o.clock.iso());
      // Seals a new workspace's trail (a new key in this keychain) or checks a moved one against its anchor.
      const anchor = await openKeyedAudit({ db: db, secrets: createAuditSecrets(o.secretStore, profileId), clock: o.clock, logger: o.logger ?? silentLogger });
      try {
        const summary = copied ? Object.fromEntries(copied.filter((c) => c.rows > 0).map((c) => [c.table, c.rows])) : undefined;
        appendAudit(
          db,
          {
            actor: o.actor,
            action: o.moveData ? 'workspace.migrated' : 'workspace.created',
            objectType: 'workspace',
            objectId: link.workspaceId,
            after: { name, host: link.host, port: link.port, database: link.database, ssl: link.ssl, ...(summary ? { copiedRows: summary, sqliteKeptAt: join(o.dataDir, DATABASE_FILE) } : {}) },
          },
          o.clock,
        );
      } finally {
        await anchor.close();
      }
    } finally {
      db.close();
    }
  } catch (e) {
    dropFailedWorkspace(link, o.password);
    throw e;
  }
  await o.secretStore.set(workspacePasswordAccount(link), o.password);
  await recordFolderProfile(o.secretStore, o.dataDir, profileId);
  // Last: until the link exists the folder is still on its own store.
  writeWorkspaceLink(o.dataDir, link);
  const joinCode = o.joinPassphrase === undefined ? null : await issueJoinCode({ dataDir: o.dataDir, secretStore: o.secretStore, passphrase: o.joinPassphrase, clock: o.clock, actor: o.actor });
  return { link, profileId, copied, joinCode };
}

/** A (new) join code for the workspace this folder is joined to, from this keychain. Admins only (the caller checks). */
export async function issueJoinCode(o: { dataDir: string; secretStore: SecretStore; passphrase: string; clock: Clock; actor: string; withCredentials?: boolean }): Promise<string> {
  const link = readWorkspaceLink(o.dataDir);
  if (!link) throw new WorkspaceSetupError('This data folder is not joined to a workspace');
  const profileId = await recordedFolderProfile(o.secretStore, o.dataDir);
  if (!profileId) throw new WorkspaceSetupError('This keychain does not record the workspace profile of this folder: join the workspace again first');
  const key = await createAuditSecrets(o.secretStore, profileId).getKey();
  if (!key) throw new WorkspaceSetupError("This keychain does not hold the workspace's audit key: issue the join code from a workstation that does");
  const vault = createCredentialVault(o.secretStore, profileId);
  const credentials: JoinPayload['credentials'] = {};
  if (o.withCredentials !== false) {
    const paytrace = await vault.get('paytrace');
    const erp = await vault.get('erp');
    if (paytrace) credentials.paytrace = paytrace;
    if (erp) credentials.erp = erp;
  }
  const code = await sealJoinCode({ workspaceId: link.workspaceId, profileId, auditKey: { key: key.key.toString('base64'), keyedFrom: key.keyedFrom }, credentials }, o.passphrase);
  const password = await o.secretStore.get(workspacePasswordAccount(link));
  if (password === null) throw new WorkspaceSetupError('The database password is not in this keychain: join the workspace again');
  // Who handed the workspace's keys out, and which ones: in the trail, never the code itself.
  await appendWorkspaceAudit(
    { link, password, secretStore: o.secretStore, profileId, clock: o.clock },
    { actor: o.actor, action: 'workspace.join_code_issued', objectType: 'workspace', objectId: link.workspaceId, after: { credentials: Object.keys(credentials) } },
  );
  return code;
}

export type JoinWorkspaceOptions = Readonly<{
  dataDir: string;
  /** Who joined (the audit entry's actor). */
  actor: string;
  /** This workstation, as the trail names it. */
  workstation: string;
  secretStore: SecretStore;
  clock: Clock;
  target: WorkspaceTarget;
  password: string;
  joinCode: string;
  passphrase: string;
}>;

export async function joinWorkspace(o: JoinWorkspaceOptions): Promise<WorkspaceLink> {
  registerSecret(o.password);
  const current = readWorkspaceLink(o.dataDir);
  if (current) throw new WorkspaceSetupError(`This data folder is already joined to the workspace "${current.name}": leave it first`);
  const payload = await openJoinCode(o.joinCode, o.passphrase);
  const probe = draftLink(o.target, payload.workspaceId, 'workspace', o.clock);
  const identity = withClient(probe, o.password, readIdentity);
  if (!identity) throw new WorkspaceSetupError(`The database "${o.target.database}" at ${o.target.host} is not a Tieout workspace`);
  if (identity.id !== payload.workspaceId) throw new WorkspaceSetupError(`This join code is for another workspace than "${identity.name}" (the one at ${o.target.host}/${o.target.database})`);
  const link = { ...probe, name: identity.name };
  const key = { key: Buffer.from(payload.auditKey.key, 'base64'), keyedFrom: payload.auditKey.keyedFrom };
  const db = openAsWorkspace(link, o.password);
  try {
    const profileId = readProfileId(db);
    if (profileId !== payload.profileId) throw new WorkspaceSetupError(`The workspace's profile id (${profileId ?? 'none'}) is not the one in the join code: ask its admin for a new code`);
    // Positive evidence before anything is stored: the key from the code seals the trail that is there.
    const v = verifyAudit(db, { key, head: null });
    if (!v.ok) throw new WorkspaceSetupError(`The workspace's audit trail does not verify with the key in this join code (${v.problem}): not joined. Tell the workspace's admin.`);
  } finally {
    db.close();
  }
  const audit = createAuditSecrets(o.secretStore, payload.profileId);
  const held = await audit.getKey();
  if (held && (!held.key.equals(key.key) || held.keyedFrom !== key.keyedFrom)) {
    throw new WorkspaceSetupError(`This keychain already holds a different audit key for the workspace's profile ${payload.profileId}: not joined (nothing was changed)`);
  }
  if (!held) await audit.setKey(key);
  const vault = createCredentialVault(o.secretStore, payload.profileId);
  if (payload.credentials.paytrace) await vault.set('paytrace', payload.credentials.paytrace);
  if (payload.credentials.erp) await vault.set('erp', payload.credentials.erp);
  await o.secretStore.set(workspacePasswordAccount(link), o.password);
  await recordFolderProfile(o.secretStore, o.dataDir, payload.profileId);
  await appendWorkspaceAudit(
    { link, password: o.password, secretStore: o.secretStore, profileId: payload.profileId, clock: o.clock },
    { actor: o.actor, action: 'workspace.joined', objectType: 'workspace', objectId: link.workspaceId, after: { workstation: o.workstation, ssl: link.ssl } },
  );
  writeWorkspaceLink(o.dataDir, link);
  return link;
}

/** The profile id and newest audit entry of the folder's own SQLite store (null when it has none). */
function sqliteIdentity(dataDir: string): { profileId: string | null; head: AuditHead | null } {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) return { profileId: null, head: null };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const last = lastAuditHead(db as ReadDb);
    return { profileId: readProfileId(db as ReadDb), head: last ? { entry: last.id, mac: last.hash } : null };
  } catch {
    return { profileId: null, head: null };
  } finally {
    db.close();
  }
}

export type LeftWorkspace = Readonly<{ name: string; keptAuditKey: string | null }>;

/**
 * Leaves the workspace: workspace.json and this keychain's password,
 * credentials and anchor for it go; the workspace keeps its data; the folder
 * is back on its own tieout.sqlite. The workspace's audit key stays in the
 * keychain (account named in the result): it may be the only copy, and the
 * trail cannot be sealed or verified without it.
 */
export async function leaveWorkspace(o: { dataDir: string; secretStore: SecretStore }): Promise<LeftWorkspace> {
  const link = readWorkspaceLink(o.dataDir);
  if (!link) throw new WorkspaceSetupError('This data folder is not joined to a workspace');
  const workspaceProfile = await recordedFolderProfile(o.secretStore, o.dataDir);
  const own = sqliteIdentity(o.dataDir);
  const ownProfile = own.profileId;
  await o.secretStore.delete(workspacePasswordAccount(link));
  if (workspaceProfile && workspaceProfile === ownProfile && own.head) {
    // A moved store shares its profile (key and anchor) with the workspace, whose trail went on
    // past the move. The SQLite file is the store as of the move, by the admin's choice: anchor its head.
    await createAuditSecrets(o.secretStore, ownProfile).setHead(own.head);
  }
  if (workspaceProfile && workspaceProfile !== ownProfile) {
    // A moved store shares its profile with the SQLite file left behind: those entries are still the folder's.
    await o.secretStore.delete(accountName(workspaceProfile, 'paytrace'));
    await o.secretStore.delete(accountName(workspaceProfile, 'erp'));
    await o.secretStore.delete(auditHeadAccount(workspaceProfile));
  }
  if (ownProfile) await recordFolderProfile(o.secretStore, o.dataDir, ownProfile);
  else await forgetFolderProfile(o.secretStore, o.dataDir);
  removeWorkspaceLink(o.dataDir);
  return { name: link.name, keptAuditKey: workspaceProfile && workspaceProfile !== ownProfile ? `audit-key@${workspaceProfile}` : null };
}

export type WorkspaceStatus =
  | Readonly<{ mode: 'single-user' }>
  | Readonly<{
      mode: 'workspace';
      link: WorkspaceLink;
      reachable: boolean;
      problem: string | null;
      schemaVersion: number | null;
      latestVersion: number;
      /** Who leads the team's PayTrace/ERP sync (docs/team.md, "Who syncs"), when the workspace records one. */
      leader?: SyncLeader | null;
    }>;

export type SyncLeader = Readonly<{ workstation: string; since: string; /** Whether the leader still holds its lock now (its Tieout is running). */ holding: boolean }>;

/** The sync leader's advisory lock key (electron/core/team/leader.ts). */
const SYNC_LEADER_KEY = 7_349_201_114;

/** The workstation recorded as leading the sync, if this workspace's Tieout elects one (table sync_leader). */
function syncLeader(c: PgSyncClient): SyncLeader | null {
  const exists = c.run([{ sql: 'SELECT to_regclass($1) AS t', params: ['sync_leader'] }]).rows[0] as { t: string | null };
  if (!exists.t) return null;
  const row = c.run([{ sql: 'SELECT workstation, since FROM sync_leader WHERE id = 1' }]).rows[0] as { workstation: string; since: string } | undefined;
  if (!row) return null;
  // A bigint advisory key is held as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
  const held = c.run([
    {
      sql: "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (classid::bigint << 32) + objid::bigint = $1::bigint) AS held",
      params: [SYNC_LEADER_KEY],
    },
  ]).rows[0] as { held: number };
  return { workstation: row.workstation, since: String(row.since), holding: held.held === 1 };
}

export async function workspaceStatus(o: { dataDir: string; secretStore: SecretStore }): Promise<WorkspaceStatus> {
  const link = readWorkspaceLink(o.dataDir);
  if (!link) return { mode: 'single-user' };
  const latestVersion = migrations[migrations.length - 1]!.version;
  const password = await o.secretStore.get(workspacePasswordAccount(link));
  if (password === null) return { mode: 'workspace', link, reachable: false, problem: 'The database password is not in this keychain: join the workspace again', schemaVersion: null, latestVersion };
  try {
    return withClient(link, password, (c) => {
      const identity = readIdentity(c);
      if (identity?.id !== link.workspaceId) {
        return { mode: 'workspace' as const, link, reachable: true, problem: `The database no longer holds this workspace (${identity ? `it holds "${identity.name}"` : 'no Tieout workspace'})`, schemaVersion: null, latestVersion };
      }
      const row = c.run([{ sql: 'SELECT version FROM tieout_schema' }]).rows[0] as { version: number } | undefined;
      return { mode: 'workspace' as const, link, reachable: true, problem: null, schemaVersion: row?.version ?? null, latestVersion, leader: syncLeader(c) };
    });
  } catch (e) {
    return { mode: 'workspace', link, reachable: false, problem: (e as Error).message, schemaVersion: null, latestVersion };
  }
}
