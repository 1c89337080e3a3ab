import { readFileSync } from 'node:fs';
import { writePrivateFile } from '../core/private-files';
import { verifyAudit } from '../core/audit/audit-log';
import { buildAuditExport, verifyAuditExport, type ExportHead } from '../core/audit/audit-export';
import { createAuditSecrets } from '../core/vault/audit-secrets';
import { keytarSecretStore } from '../core/vault/keytar-store';
import { profileChangedMessage, recordedFolderProfile } from '../core/vault/folder-identity';
import type { Io } from './tieout';
import { withReadOnlyFolder } from './read-only';

// `tieout audit verify [--export F]` and `tieout audit export`: read-only. They
// read the data folder's audit key and anchored head from the OS keychain and
// nothing else from it (docs/security/audit.md says what each check proves).

export type AuditCommandOptions = Readonly<{ sub: string | undefined; dataDir: string | undefined; from?: string; to?: string; out?: string; exportFile?: string }>;

export async function runAuditCommand(o: AuditCommandOptions, io: Io): Promise<number> {
  if (o.sub === 'verify' && o.exportFile) return verifyExportFile(o, io);
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
      if (o.sub === 'verify') {
        if (!v.ok) {
          io.stdout(`audit BROKEN at entry ${v.firstBrokenId ?? v.head?.entry ?? 0}: ${v.problem}\n`);
          return 1;
        }
        const keyNote = key ? `${v.keyed} sealed with the audit key` : 'no audit key yet (legacy sha256 chain only)';
        const anchorNote = v.anchor === 'matched' ? 'head anchored in the keychain' : v.anchor === 'behind' ? 'keychain anchor a few entries behind (still being written)' : 'no keychain anchor';
        io.stdout(`audit OK: ${v.checked} entries, chain intact; ${keyNote}; ${anchorNote}\n`);
        return 0;
      }
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
