import { createHash } from 'node:crypto';
import type { AuditEntry } from '@shared/domain';
import { systemClock, type Clock } from '../clock';
import type { ReadDb, WriteDb } from '../store/db';
import { auditEntriesBetween, auditEntriesFor, insertAuditRow, iterateAuditRows, lastAuditHash, type AuditRow } from '../store/queries/audit';

// Append-only, hash-chained audit trail. Each entry's hash covers its content
// and the previous entry's hash, so editing or deleting any row (even with the
// triggers dropped) breaks the chain from that row on. Callers must never put
// secrets or card numbers in `before`/`after`.

export type AuditInput = Readonly<{
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  before?: unknown;
  after?: unknown;
  at?: string;
}>;

const GENESIS = '0'.repeat(64);

function entryHash(prevHash: string, row: Omit<AuditRow, 'id' | 'hash' | 'prev_hash'>): string {
  const canonical = JSON.stringify([prevHash, row.at, row.actor, row.action, row.object_type, row.object_id, row.before_json, row.after_json]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function appendAudit(db: WriteDb, input: AuditInput, clock: Clock = systemClock): number {
  const prevHash = lastAuditHash(db) ?? GENESIS;
  const row = {
    at: input.at ?? clock.iso(),
    actor: input.actor,
    action: input.action,
    object_type: input.objectType,
    object_id: input.objectId,
    before_json: input.before === undefined ? null : JSON.stringify(input.before),
    after_json: input.after === undefined ? null : JSON.stringify(input.after),
  };
  const hash = entryHash(prevHash, row);
  return insertAuditRow(db, { ...row, prev_hash: prevHash, hash });
}

export type AuditVerification = Readonly<{ ok: boolean; checked: number; firstBrokenId: number | null; problem: string | null }>;

export function verifyAudit(db: ReadDb): AuditVerification {
  let prev = GENESIS;
  let checked = 0;
  for (const row of iterateAuditRows(db)) {
    if (row.prev_hash !== prev) return { ok: false, checked, firstBrokenId: row.id, problem: `entry ${row.id} does not follow the previous entry (a row was removed or reordered)` };
    if (entryHash(prev, row) !== row.hash) return { ok: false, checked, firstBrokenId: row.id, problem: `entry ${row.id} was altered after it was written` };
    prev = row.hash;
    checked += 1;
  }
  return { ok: true, checked, firstBrokenId: null, problem: null };
}

export function auditFor(db: ReadDb, objectType: string, objectId: string): AuditEntry[] {
  return auditEntriesFor(db, objectType, objectId);
}

export function auditBetween(db: ReadDb, fromIso: string, toIso: string): AuditEntry[] {
  return auditEntriesBetween(db, fromIso, toIso);
}
