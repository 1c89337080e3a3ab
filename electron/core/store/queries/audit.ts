import { z } from 'zod';
import type { AuditEntry } from '@shared/domain';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// The audit table as stored: append-only (triggers refuse UPDATE and DELETE),
// each row carrying its own hash and the previous row's (audit/audit-log.ts
// computes them). before_json / after_json hold whatever the caller recorded.

export type AuditRow = Readonly<{
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
}>;

/** The newest entry's hash, or null on an empty trail. */
export function lastAuditHash(db: ReadDb): string | null {
  return lastAuditHead(db)?.hash ?? null;
}

/** The newest entry's number and hash (MAC), or null on an empty trail. */
export function lastAuditHead(db: ReadDb): { id: number; hash: string } | null {
  return (db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined) ?? null;
}

/** One entry by number, as stored. */
export function auditRowById(db: ReadDb, id: number): AuditRow | null {
  return (db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as AuditRow | undefined) ?? null;
}

/** The first entry with this action (the keyed chain's seal, `audit.keyed`), or null. */
export function firstAuditRowWithAction(db: ReadDb, action: string): AuditRow | null {
  return (db.prepare('SELECT * FROM audit WHERE action = ? ORDER BY id LIMIT 1').get(action) as AuditRow | undefined) ?? null;
}

/** Appends one row under the given entry number (the keyed MAC covers it). */
export function insertAuditRow(db: WriteDb, row: AuditRow): number {
  db.prepare(
    `INSERT INTO audit (id, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash)
     VALUES (@id, @at, @actor, @action, @object_type, @object_id, @before_json, @after_json, @prev_hash, @hash)`,
  ).run(row);
  return row.id;
}

/** Every row in order, as stored (for verifying the chain without loading it whole). */
export function iterateAuditRows(db: ReadDb): Iterable<AuditRow> {
  return db.prepare('SELECT * FROM audit ORDER BY id').iterate() as Iterable<AuditRow>;
}

const anyJson = z.unknown();

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    before: row.before_json === null ? null : parseJsonColumn(anyJson, row.before_json, 'audit.before_json'),
    after: row.after_json === null ? null : parseJsonColumn(anyJson, row.after_json, 'audit.after_json'),
  };
}

export function auditEntriesFor(db: ReadDb, objectType: string, objectId: string): AuditEntry[] {
  return (db.prepare('SELECT * FROM audit WHERE object_type = ? AND object_id = ? ORDER BY id').all(objectType, objectId) as AuditRow[]).map(toEntry);
}

export function auditEntriesBetween(db: ReadDb, fromIso: string, toIso: string): AuditEntry[] {
  return auditRowsBetween(db, fromIso, toIso).map(toEntry);
}

/** The rows of a time range as stored, MACs included (for an export that can be verified). */
export function auditRowsBetween(db: ReadDb, fromIso: string, toIso: string): AuditRow[] {
  return db.prepare('SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id').all(fromIso, toIso) as AuditRow[];
}

/** Parses a stored JSON column of an audit row (before_json / after_json). */
export function auditJson(value: string | null, column: string): unknown {
  return value === null ? null : parseJsonColumn(anyJson, value, column);
}
