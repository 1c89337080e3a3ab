import { z } from 'zod';
import { EXCEPTION_CODES, type OpenInvoice } from '@shared/domain';
import type { HandoffDecision, HandoffException } from '@shared/api/offline';
import { cents } from '@shared/money';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// Hand-off files opened on a reviewing installation (electron/core/offline/handoff.ts):
// the exceptions as exported, and the reviewer's decisions so far.

/** The exceptions file's contents as stored when it was opened. */
export type StoredExceptionsPayload = Readonly<{
  exportId: string;
  sourceProfile: string;
  exportedAt: string;
  exportedBy: string;
  paytraceAsOf: string | null;
  erpAsOf: string | null;
  exceptions: HandoffException[];
  invoices: OpenInvoice[];
  customers: Array<{ customerId: string; name: string }>;
}>;

// The file was checked when it was opened; reading back checks the shape the
// session view relies on, each exception and invoice by its key.
const hasKey = (key: string) => (v: unknown) => typeof v === 'object' && v !== null && key in v;
const storedPayloadSchema = z.object({
  exportId: z.string(),
  sourceProfile: z.string(),
  exportedAt: z.string(),
  exportedBy: z.string(),
  paytraceAsOf: z.string().nullable(),
  erpAsOf: z.string().nullable(),
  exceptions: z.array(z.custom<HandoffException>(hasKey('transactionId'))),
  invoices: z.array(z.custom<OpenInvoice>(hasKey('invoiceNo'))),
  customers: z.array(z.object({ customerId: z.string(), name: z.string() })),
});

const storedDecisionSchema = z.object({
  note: z.string().optional(),
  owner: z.string().nullable().optional(),
  exceptionReason: z.enum(EXCEPTION_CODES).nullable().optional(),
  allocation: z
    .object({ customerId: z.string(), allocations: z.array(z.object({ invoiceNo: z.string(), amountCents: z.number().int().transform(cents) })) })
    .optional(),
  approve: z.boolean().optional(),
});
const storedDecisionsSchema = z.record(z.string(), storedDecisionSchema);

export type StoredHandoffSession = Readonly<{
  id: string;
  sourceProfile: string;
  payload: StoredExceptionsPayload;
  decisions: Record<string, HandoffDecision>;
}>;

export function findHandoffSession(db: ReadDb, sessionId: string): StoredHandoffSession | null {
  const row = db.prepare('SELECT id, source_profile, payload_json, decisions_json FROM handoff_sessions WHERE id = ?').get(sessionId) as
    | { id: string; source_profile: string; payload_json: string; decisions_json: string }
    | undefined;
  if (!row) return null;
  return {
    id: row.id,
    sourceProfile: row.source_profile,
    payload: parseJsonColumn(storedPayloadSchema, row.payload_json, 'handoff_sessions.payload_json'),
    decisions: parseJsonColumn(storedDecisionsSchema, row.decisions_json, 'handoff_sessions.decisions_json'),
  };
}

/** Stores an opened file; opening the same file again keeps the decisions made so far. */
export function saveOpenedSession(db: WriteDb, session: Readonly<{ id: string; sourceProfile: string; payload: unknown; decisions: Readonly<Record<string, HandoffDecision>> }>, openedAt: string, openedBy: string): void {
  db.prepare(
    `INSERT INTO handoff_sessions (id, source_profile, opened_at, opened_by, payload_json, decisions_json) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET payload_json = excluded.payload_json, opened_at = excluded.opened_at, opened_by = excluded.opened_by`,
  ).run(session.id, session.sourceProfile, openedAt, openedBy, JSON.stringify(session.payload), JSON.stringify(session.decisions));
}

export function saveSessionDecisions(db: WriteDb, sessionId: string, decisions: Readonly<Record<string, HandoffDecision>>): void {
  db.prepare('UPDATE handoff_sessions SET decisions_json = ? WHERE id = ?').run(JSON.stringify(decisions), sessionId);
}

/** A customer's name as the ERP gave it ('' when unknown). */
export function customerName(db: ReadDb, customerId: string): string {
  return (db.prepare('SELECT name FROM customers WHERE customer_id = ?').get(customerId) as { name: string } | undefined)?.name ?? '';
}
