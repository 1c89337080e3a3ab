import { z } from 'zod';
import { PENDING_CHANGE_KINDS, type PendingChangeKind, type PendingChangeState, type PendingChangeView } from '@shared/api/admin';
import { ROLES } from '@shared/api/define';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// Changes to the controls that wait for a second admin (table
// pending_changes, migration 12): electron/core/approval/pending-changes.ts.

export type PendingChangeRow = {
  id: number;
  kind: PendingChangeKind;
  target: string;
  summary: string;
  change_json: string;
  state: PendingChangeState;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  reject_reason: string | null;
};

const policyChangeSchema = z.object({ limits: z.record(z.string(), z.number().int().min(0)), addReasonCodes: z.array(z.string()) }).strict();
const roleChangeSchema = z.object({ role: z.enum(ROLES) }).strict();
const signInPolicySchema = z.object({ requireTwoStepForApprovers: z.boolean() }).strict();

const SCHEMAS: Record<PendingChangeKind, z.ZodType<PendingChangeView['change']>> = {
  'refunds.policy': policyChangeSchema,
  'controls.policy': policyChangeSchema,
  'user.role': roleChangeSchema,
  'auth.signInPolicy': signInPolicySchema,
};

/** The stored change, checked against its kind. */
export function changeOf(row: PendingChangeRow): PendingChangeView['change'] {
  return parseJsonColumn(SCHEMAS[row.kind], row.change_json, 'pending_changes.change_json');
}

export function pendingChangeView(row: PendingChangeRow): PendingChangeView {
  return {
    id: row.id,
    kind: row.kind,
    target: row.target,
    summary: row.summary,
    change: changeOf(row),
    state: row.state,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    rejectReason: row.reject_reason,
  };
}

export function getPendingChange(db: ReadDb, id: number): PendingChangeRow | null {
  return (db.prepare('SELECT * FROM pending_changes WHERE id = ?').get(id) as PendingChangeRow | undefined) ?? null;
}

/** Waiting changes first (oldest first), then the latest 100 decided ones. */
export function listPendingChanges(db: ReadDb): PendingChangeRow[] {
  const waiting = db.prepare("SELECT * FROM pending_changes WHERE state = 'pending' ORDER BY id").all() as PendingChangeRow[];
  const decided = db.prepare("SELECT * FROM pending_changes WHERE state != 'pending' ORDER BY id DESC LIMIT 100").all() as PendingChangeRow[];
  return [...waiting, ...decided];
}

export type NewPendingChange = Readonly<{ kind: PendingChangeKind; target: string; summary: string; change: PendingChangeView['change']; requestedBy: string; at: string }>;

export function insertPendingChange(db: WriteDb, c: NewPendingChange): number {
  if (!PENDING_CHANGE_KINDS.includes(c.kind)) throw new Error(`Unknown pending change kind ${c.kind}`);
  const result = db
    .prepare('INSERT INTO pending_changes (kind, target, summary, change_json, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(c.kind, c.target, c.summary, JSON.stringify(c.change), c.requestedBy, c.at);
  return Number(result.lastInsertRowid);
}

export function decidePendingChange(db: WriteDb, id: number, state: Exclude<PendingChangeState, 'pending'>, by: string, at: string, rejectReason: string | null = null): void {
  db.prepare("UPDATE pending_changes SET state = ?, decided_by = ?, decided_at = ?, reject_reason = ? WHERE id = ? AND state = 'pending'").run(state, by, at, rejectReason, id);
}
