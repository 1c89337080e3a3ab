import { readFileSync } from 'node:fs';
import { writePrivateFile } from '../core/private-files';
import { verifyAudit, type AuditVerification } from '../core/audit/audit-log';
import { resolveDataDir } from '../core/data-dir';
import { registerSecret } from '../core/log/secret-registry';
import type { ReadDb } from '../core/store/db';
import { openWorkspaceDb } from '../core/store/pg/open-workspace';
import { readProfileId } from '../core/store/queries/app-identity';
import { readWorkspaceLink, workspaceConnection, workspacePasswordAccount, type WorkspaceLink } from '../core/store/workspace-link';
import { describeConnectError, parseWorkspaceUrl, sameTarget } from '../core/team/workspace-admin';
import { buildAuditExport, verifyAuditExport, type ExportHead } from '../core/audit/audit-export';
import { createAuditSecrets } from '../core/vault/audit-secrets';
import { keytarSecretStore } from '../core/vault/keytar-store';
import { profileChangedMessage, recordedFolderProfile } from '../core/vault/folder-identity';
import type { Io } from './tieout';
import { withReadOnlyFolder } from './read-only';

// `tieout audit verify [--export F]` and `tieout audit export`: read-only. They
// read the data folder's audit key and anchored head from the OS keychain and
// nothing else from it (docs/security/audit.md says what each check proves).

export type AuditCommandOptions = Readonly<{ sub: string | undefined; dataDir: string | undefined; from?: string; to?: string; out?: string; exportFile?: string; workspaceUrl?: string }>;

export async function runAuditCommand(o: AuditCommandOptions, io: Io): Promise<number> {
  if (o.sub === 'verify' && o.exportFile) return verifyExportFile(o, io);
  if (o.sub === 'verify' && o.workspaceUrl !== undefined) return verifyWorkspace(o, io);
  if (o.sub !== 'verify' && o.sub !== 'export') {
    io.stderr('tieout: audit needs "verify" or "export"\n');
    return 2;
  }
  if (o.sub === 'export' && (!o.from || !o.to)) {
    io.stderr('tieout: audit export needs --from and --to (YYYY-MM-DD)\n');
    return 2;
  }
  // The audit table has not changed shape since the first schema: any version can be verified.
  return withReadOnlyFolder(
    o.dataDir,
    async ({ db, dataDir, profileId, secretStore }) => {
      const recordedProfile = await recordedFolderProfile(secretStore, dataDir);
      if (recordedProfile !== null && recordedProfile !== profileId) {
        io.stdout(`audit BROKEN: ${profileChangedMessage(recordedProfile, profileId)}\n`);
        return 1;
      }
      const secrets = profileId ? createAuditSecrets(secretStore, profileId) : null;
      const key = secrets ? await secrets.getKey() : null;
      const head = secrets ? await secrets.getHead() : null;
      const v = verifyAudit(db, { key, head });
      if (o.sub === 'verify') return reportVerification(v, key !== null, io);
      const { stringify } = await import('csv-stringify/sync');
      const csv = stringify(buildAuditExport(db, { from: o.from!, to: `${o.to!}T23:59:59.999Z`, profileId, key, verification: v }));
      if (o.out) writePrivateFile(o.out, csv);
      else io.stdout(csv);
      if (!v.ok) {
        io.stderr(`tieout: exported, but the trail does not verify: ${v.problem}\n`);
        return 1;
      }
      return 0;
    },
    { anySchema: true },
  );
}

function reportVerification(v: AuditVerification, keyed: boolean, io: Io, anchorBehind = 'keychain anchor a few entries behind (still being written)'): number {
  if (!v.ok) {
    io.stdout(`audit BROKEN at entry ${v.firstBrokenId ?? v.head?.entry ?? 0}: ${v.problem}\n`);
    return 1;
  }
  const keyNote = keyed ? `${v.keyed} sealed with the audit key` : 'no audit key yet (legacy sha256 chain only)';
  const anchorNote = v.anchor === 'matched' ? 'head anchored in the keychain' : v.anchor === 'behind' ? anchorBehind : 'no keychain anchor';
  io.stdout(`audit OK: ${v.checked} entries, chain intact; ${keyNote}; ${anchorNote}\n`);
  return 0;
}

/**
 * `tieout audit verify --workspace URL`: the workspace's trail, read-only,
 * against the audit key in this keychain (the workspace profile's, put there
 * by create or join). The password comes from PGPASSWORD, or from this
 * keychain when the URL names the workspace this data folder is joined to.
 */
async function verifyWorkspace(o: AuditCommandOptions, io: Io): Promise<number> {
  const secretStore = keytarSecretStore();
  const target = parseWorkspaceUrl(o.workspaceUrl ?? '');
  const dataDir = resolveDataDir(o.dataDir);
  const joined = readWorkspaceLink(dataDir);
  const link: WorkspaceLink =
    joined && sameTarget(joined, target)
      ? { ...joined, ...(new URL(o.workspaceUrl!).searchParams.has('sslmode') ? { ssl: target.ssl } : {}), ...(target.caFile ? { caFile: target.caFile } : {}) }
      : { version: 1, workspaceId: '0'.repeat(16), name: target.database, ...target, joinedAt: '' };
  const password = process.env.PGPASSWORD || (joined && sameTarget(joined, target) ? await secretStore.get(workspacePasswordAccount(joined)) : null);
  if (!password) {
    io.stderr('tieout: no password for the workspace: set PGPASSWORD, or run this with --data-dir of a folder joined to it\n');
    return 2;
  }
  registerSecret(password);
  let db: ReadDb;
  try {
    db = openWorkspaceDb(workspaceConnection(link, password), { readonly: true, anySchema: true, label: link.name }) as unknown as ReadDb;
  } catch (e) {
    io.stderr(`tieout: ${describeConnectError(e, target)}\n`);
    return 2;
  }
  try {
    const profileId = readProfileId(db);
    if (joined && sameTarget(joined, target)) {
      const recorded = await recordedFolderProfile(secretStore, dataDir);
      if (recorded !== null && recorded !== profileId) {
        io.stdout(`audit BROKEN: ${profileChangedMessage(recorded, profileId)}\n`);
        return 1;
      }
    }
    const secrets = profileId ? createAuditSecrets(secretStore, profileId) : null;
    const key = secrets ? await secrets.getKey() : null;
    const head = secrets ? await secrets.getHead() : null;
    // Other workstations append after this one's anchor: "behind" is the normal state in a team.
    return reportVerification(verifyAudit(db, { key, head }), key !== null, io, "this workstation's keychain anchor is behind the head (other workstations wrote since)");
  } finally {
    db.close();
  }
}

async function verifyExportFile(o: AuditCommandOptions, io: Io): Promise<number> {
  const { parse } = await import('csv-parse/sync');
  const records = parse(readFileSync(o.exportFile!, 'utf8'), { relax_column_count: true }) as string[][];
  const embedded = records.at(-1)?.[7];
  let profileId: string | null = null;
  try {
    profileId = (JSON.parse(embedded ?? 'null') as ExportHead | null)?.profileId ?? null;
  } catch {
    // verifyAuditExport says the head row is unreadable.
  }
  const key = profileId ? await createAuditSecrets(keytarSecretStore(), profileId).getKey() : null;
  const check = async (db?: Parameters<typeof verifyAuditExport>[2]) => verifyAuditExport(records, key, db);
  const v = o.dataDir ? await withReadOnlyFolder(o.dataDir, async ({ db }) => check(db), { anySchema: true }) : await check();
  if (!v.ok) {
    io.stdout(`export BROKEN: ${v.problem}\n`);
    return 1;
  }
  io.stdout(`export OK: ${v.entries} entries${v.sealed ? ', sealed head matches' : ' (not sealed: no audit key, legacy chain only)'}; trail head when exported: entry ${v.head?.head?.entry ?? 'none'}\n`);
  return 0;
}
