import { createHash } from 'node:crypto';
import type { AuditEntry } from '@shared/domain';
import type { Db } from '../store/db';

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

type AuditRow = {
  id: number;
  at: string;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
};

function entryHash(prevHash: string, row: Omit<AuditRow, 'id' | 'hash' | 'prev_hash'>): string {
  const canonical = JSON.stringify([prevHash, row.at, row.actor, row.action, row.object_type, row.object_id, row.before_json, row.after_json]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function appendAudit(db: Db, input: AuditInput): number {
  const last = db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
  const prevHash = last?.hash ?? GENESIS;
  const row = {
    at: input.at ?? new Date().toISOString(),
    actor: input.actor,
    action: input.action,
    object_type: input.objectType,
    object_id: input.objectId,
    before_json: input.before === undefined ? null : JSON.stringify(input.before),
    after_json: input.after === undefined ? null : JSON.stringify(input.after),
  };
  const hash = entryHash(prevHash, row);
  const result = db
    .prepare(
      `INSERT INTO audit (at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash)
       VALUES (@at, @actor, @action, @object_type, @object_id, @before_json, @after_json, @prev_hash, @hash)`,
    )
    .run({ ...row, prev_hash: prevHash, hash });
  return Number(result.lastInsertRowid);
}

export type AuditVerification = Readonly<{ ok: boolean; checked: number; firstBrokenId: number | null; problem: string | null }>;

export function verifyAudit(db: Db): AuditVerification {
  let prev = GENESIS;
  let checked = 0;
  for (const row of db.prepare('SELECT * FROM audit ORDER BY id').iterate() as Iterable<AuditRow>) {
    if (row.prev_hash !== prev) return { ok: false, checked, firstBrokenId: row.id, problem: `entry ${row.id} does not follow the previous entry (a row was removed or reordered)` };
    if (entryHash(prev, row) !== row.hash) return { ok: false, checked, firstBrokenId: row.id, problem: `entry ${row.id} was altered after it was written` };
    prev = row.hash;
    checked += 1;
  }
  return { ok: true, checked, firstBrokenId: null, problem: null };
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
  };
}

export function auditFor(db: Db, objectType: string, objectId: string): AuditEntry[] {
  return (db.prepare('SELECT * FROM audit WHERE object_type = ? AND object_id = ? ORDER BY id').all(objectType, objectId) as AuditRow[]).map(toEntry);
}

export function auditBetween(db: Db, fromIso: string, toIso: string): AuditEntry[] {
  return (db.prepare('SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id').all(fromIso, toIso) as AuditRow[]).map(toEntry);
}
