import { createHmac } from 'node:crypto';
import type { ReadDb } from '../store/db';
import { auditRowById, auditRowsBetween, type AuditRow } from '../store/queries/audit';
import type { AuditKey } from '../vault/audit-secrets';
import { entryMac, legacyHash, sameMac, type AuditVerification } from './audit-log';

// An export of audit entries that can be checked on its own: every row keeps
// its stored fields, previous MAC and MAC, and a last row (action
// `audit.export.head`) carries the trail's head at export time and a seal, an
// HMAC under the audit key over the export's range, the head and every
// (entry, MAC) pair. So a row edited, removed, added or reordered in the file,
// or a head changed, fails `tieout audit verify --export F`.

export const EXPORT_HEAD_ACTION = 'audit.export.head';
export const EXPORT_COLUMNS = ['id', 'at', 'actor', 'action', 'object_type', 'object_id', 'before', 'after', 'prev_mac', 'mac'] as const;

export type ExportHead = Readonly<{
  format: 'tieout-audit-export-v1';
  profileId: string | null;
  from: string;
  to: string;
  entries: number;
  keyedFrom: number | null;
  /** The whole trail's newest entry when exported (not only the range's). */
  head: Readonly<{ entry: number; mac: string }> | null;
  trailVerified: boolean;
  trailProblem: string | null;
}>;

function exportSeal(key: Buffer, meta: ExportHead, rows: readonly Pick<AuditRow, 'id' | 'hash'>[]): string {
  const mac = createHmac('sha256', key).update(JSON.stringify(meta));
  for (const r of rows) mac.update(`\n${r.id}:${r.hash}`);
  return mac.digest('hex');
}

/** The CSV rows of an export (header first), the head row last. */
export function buildAuditExport(
  db: ReadDb,
  options: { from: string; to: string; profileId: string | null; key: AuditKey | null; verification: AuditVerification },
): string[][] {
  const rows = auditRowsBetween(db, options.from, options.to);
  const v = options.verification;
  const meta: ExportHead = {
    format: 'tieout-audit-export-v1',
    profileId: options.profileId,
    from: options.from,
    to: options.to,
    entries: rows.length,
    keyedFrom: options.key?.keyedFrom ?? null,
    head: v.head,
    trailVerified: v.ok,
    trailProblem: v.problem,
  };
  const seal = options.key ? exportSeal(options.key.key, meta, rows) : '';
  return [
    [...EXPORT_COLUMNS],
    ...rows.map((r) => [String(r.id), r.at, r.actor, r.action, r.object_type, r.object_id, r.before_json ?? '', r.after_json ?? '', r.prev_hash, r.hash]),
    ['', '', 'tieout', EXPORT_HEAD_ACTION, 'audit', 'export', '', JSON.stringify(meta), '', seal],
  ];
}

export type ExportVerification = Readonly<{ ok: boolean; entries: number; problem: string | null; head: ExportHead | null; sealed: boolean }>;

const nullable = (cell: string): string | null => (cell === '' ? null : cell);

/**
 * Checks an export read back as CSV records (header first). `keyFor` gives the
 * audit key of the export's data folder (from the keychain); without it only
 * the legacy sha256 rows and the links can be checked. `db`, when given,
 * is the data folder's trail: its entry at the embedded head must carry that MAC.
 */
export function verifyAuditExport(records: readonly string[][], key: AuditKey | null, db?: ReadDb): ExportVerification {
  const fail = (problem: string, entries = 0, head: ExportHead | null = null): ExportVerification => ({ ok: false, entries, problem, head, sealed: false });
  const [header, ...body] = records;
  if (!header || header.join(',') !== EXPORT_COLUMNS.join(',')) return fail('not a Tieout audit export (unexpected columns)');
  const trailer = body.at(-1);
  if (!trailer || trailer[3] !== EXPORT_HEAD_ACTION) return fail('the export has no head row: it was cut short or the head was removed');
  let meta: ExportHead;
  try {
    meta = JSON.parse(trailer[7] ?? '') as ExportHead;
  } catch {
    return fail('the export head row is unreadable');
  }
  const rows: AuditRow[] = body.slice(0, -1).map((c) => ({
    id: Number(c[0]),
    at: c[1] ?? '',
    actor: c[2] ?? '',
    action: c[3] ?? '',
    object_type: c[4] ?? '',
    object_id: c[5] ?? '',
    before_json: nullable(c[6] ?? ''),
    after_json: nullable(c[7] ?? ''),
    prev_hash: c[8] ?? '',
    hash: c[9] ?? '',
  }));
  if (rows.length !== meta.entries) return fail(`the export holds ${rows.length} entries but its head says ${meta.entries}`, rows.length, meta);
  const keyedFrom = key?.keyedFrom ?? meta.keyedFrom;
  let previous: AuditRow | null = null;
  for (const row of rows) {
    if (!Number.isSafeInteger(row.id) || (previous && row.id <= previous.id)) return fail(`entry ${row.id} is out of order`, rows.length, meta);
    if (previous && row.id === previous.id + 1 && row.prev_hash !== previous.hash) return fail(`entry ${row.id} does not follow entry ${previous.id}`, rows.length, meta);
    if (keyedFrom !== null && row.id >= keyedFrom) {
      if (!key) return fail(`entries from ${keyedFrom} on are sealed with the audit key, which is not available here`, rows.length, meta);
      if (!sameMac(entryMac(key.key, row.prev_hash, row), row.hash)) return fail(`entry ${row.id} was altered (its MAC does not match the audit key)`, rows.length, meta);
    } else if (legacyHash(row.prev_hash, row) !== row.hash) {
      return fail(`entry ${row.id} was altered`, rows.length, meta);
    }
    previous = row;
  }
  const sealed = key !== null && meta.keyedFrom !== null;
  if (sealed && !sameMac(exportSeal(key.key, meta, rows), trailer[9] ?? '')) {
    return fail('the export does not match its sealed head: entries were removed, added or reordered, or the head was changed', rows.length, meta);
  }
  if (db && meta.head) {
    const row = auditRowById(db, meta.head.entry);
    if (!row || !sameMac(row.hash, meta.head.mac)) return fail(`the export's head (entry ${meta.head.entry}) is not in this data folder's trail`, rows.length, meta);
  }
  return { ok: true, entries: rows.length, problem: null, head: meta, sealed };
}
