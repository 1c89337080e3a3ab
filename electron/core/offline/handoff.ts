import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EXCEPTION_CODES, type Allocation, type Candidate, type ExceptionCode, type MatchOutcome, type OpenInvoice } from '@shared/domain';
import type { HandoffDecision, HandoffException, HandoffFileResult, HandoffSession, ImportDecisionsResult } from '@shared/api/offline';
import { appendAudit } from '../audit/audit-log';
import { approveMatches } from '../posting/approve';
import type { Db } from '../store/db';
import { getInvoices } from '../store/queries/ledger';
import { gridRows } from '../store/queries/matches';
import { getValue } from '../store/queries/settings';
import { readProfileId } from '../store/queries/app-identity';
import { allocate, DecisionError, setExceptionReason, setNote, setOwner } from './decisions';
import { HandoffError, openHandoffFile, sealHandoff } from './handoff-crypto';
import { takeDecisionSnapshots } from './snapshot';

// "Take offline": the open exceptions with their candidates and the invoices
// they need, encrypted for review on another installation; and the way back,
// the reviewer's decisions, applied here through the same checks as any clerk
// action (approvals are re-validated against fresh remote state before posting).
// The files carry no credentials, no settings and no raw PayTrace rows: card
// numbers appear only as PayTrace masked them.

export const HANDOFF_DIR = 'handoff';
const OPEN_STATUSES = new Set(['exception', 'review']);

type ExceptionsPayload = Readonly<{
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

const allocationSchema = z.object({ invoiceNo: z.string().min(1).max(64), amountCents: z.number().int().positive() });
const decisionSchema = z
  .object({
    note: z.string().max(2000).optional(),
    owner: z.string().min(1).max(128).nullable().optional(),
    exceptionReason: z.enum(EXCEPTION_CODES).nullable().optional(),
    allocation: z.object({ customerId: z.string().min(1).max(64), allocations: z.array(allocationSchema).min(1).max(200) }).optional(),
    approve: z.boolean().optional(),
  })
  .strict();
const decisionsPayloadSchema = z.object({
  exportId: z.string().min(1),
  sourceProfile: z.string().min(1),
  reviewedBy: z.string().min(1).max(128),
  reviewedAt: z.string(),
  decisions: z.record(z.string().regex(/^\d+$/), decisionSchema),
});
const exceptionsPayloadSchema = z.object({
  exportId: z.string().min(1),
  sourceProfile: z.string().min(1),
  exportedAt: z.string(),
  exportedBy: z.string(),
  paytraceAsOf: z.string().nullable(),
  erpAsOf: z.string().nullable(),
  exceptions: z.array(z.object({ transactionId: z.number().int().positive() }).passthrough()),
  invoices: z.array(z.object({ invoiceNo: z.string() }).passthrough()),
  customers: z.array(z.object({ customerId: z.string(), name: z.string() })),
});

export function profileIdOf(db: Db): string {
  return readProfileId(db) ?? 'unknown-profile';
}

function writeHandoff(dataDir: string, fileName: string, bytes: Buffer, count: number): HandoffFileResult {
  const dir = join(dataDir, HANDOFF_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName);
  writeFileSync(path, bytes, { mode: 0o600 });
  return { path, fileName, bytes: bytes.length, base64: bytes.toString('base64'), count };
}

function stamp(at: string): string {
  return at.replace(/[:.]/g, '-').replace(/Z$/, '');
}

export function buildExceptionsPayload(db: Db, actor: string, now = new Date().toISOString()): ExceptionsPayload {
  const rows = gridRows(db).filter((r) => OPEN_STATUSES.has(r.status));
  const outcomes = db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?');
  const masked = db.prepare('SELECT masked_card FROM paytrace_transactions WHERE transaction_id = ?');
  const invoiceNos = new Set<string>();
  const customerIds = new Set<string>();
  const exceptions = rows.map((r): HandoffException => {
    const o = outcomes.get(r.transactionId) as { outcome_json: string } | undefined;
    const outcome = o ? (JSON.parse(o.outcome_json) as MatchOutcome) : null;
    const candidates: readonly Candidate[] = outcome?.candidates ?? [];
    for (const a of r.matchedInvoices) invoiceNos.add(a);
    for (const c of candidates) {
      for (const a of c.allocations) invoiceNos.add(a.invoiceNo);
      if (c.customerId) customerIds.add(c.customerId);
    }
    if (r.customerId) customerIds.add(r.customerId);
    return {
      transactionId: r.transactionId,
      createdAt: r.createdAt,
      payer: r.payer,
      reference: r.reference,
      amountCents: r.amountCents,
      currency: r.currency,
      method: r.method,
      maskedCard: (masked.get(r.transactionId) as { masked_card: string } | undefined)?.masked_card ?? '',
      status: r.status,
      exception: r.exception,
      reason: r.reason,
      note: r.note,
      owner: r.owner ?? null,
      customerId: r.customerId,
      allocations: outcome?.allocations ?? [],
      candidates,
    };
  });
  const invoices = getInvoices(db, [...invoiceNos]);
  for (const i of invoices) customerIds.add(i.customerId);
  const name = db.prepare('SELECT name FROM customers WHERE customer_id = ?');
  const customers = [...customerIds].sort().map((customerId) => ({ customerId, name: (name.get(customerId) as { name: string } | undefined)?.name ?? '' }));
  return {
    exportId: randomBytes(8).toString('hex'),
    sourceProfile: profileIdOf(db),
    exportedAt: now,
    exportedBy: actor,
    paytraceAsOf: getValue(db, 'paytrace.as_of'),
    erpAsOf: getValue(db, 'erp.as_of'),
    exceptions,
    invoices,
    customers,
  };
}

export function exportExceptions(db: Db, dataDir: string, passphrase: string, actor: string, now = new Date().toISOString()): HandoffFileResult {
  const payload = buildExceptionsPayload(db, actor, now);
  const bytes = sealHandoff('exceptions', payload, passphrase, { now: new Date(now) });
  appendAudit(db, { actor, action: 'handoff.export', objectType: 'handoff', objectId: payload.exportId, after: { exceptions: payload.exceptions.length, invoices: payload.invoices.length }, at: now });
  return writeHandoff(dataDir, `tieout-exceptions-${stamp(now)}.tieout`, bytes, payload.exceptions.length);
}

type SessionRow = { id: string; source_profile: string; payload_json: string; decisions_json: string };

function sessionView(row: SessionRow): HandoffSession {
  const p = JSON.parse(row.payload_json) as ExceptionsPayload;
  return {
    sessionId: row.id,
    exportedAt: p.exportedAt,
    exportedBy: p.exportedBy,
    paytraceAsOf: p.paytraceAsOf,
    erpAsOf: p.erpAsOf,
    exceptions: p.exceptions,
    invoices: p.invoices,
    customers: p.customers,
    decisions: JSON.parse(row.decisions_json) as Record<string, HandoffDecision>,
  };
}

/** The reviewing installation: decrypts, checks and keeps the exceptions for review. */
export function openExceptionsFile(db: Db, file: Buffer, passphrase: string, actor: string, now = new Date().toISOString()): HandoffSession {
  const { payload } = openHandoffFile(file, passphrase, 'exceptions');
  const parsed = exceptionsPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new HandoffError('not_a_handoff_file', `The hand-off file's contents are not valid: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
  const p = parsed.data;
  const row: SessionRow = { id: p.exportId, source_profile: p.sourceProfile, payload_json: JSON.stringify(payload), decisions_json: '{}' };
  db.transaction(() => {
    const existing = db.prepare('SELECT decisions_json FROM handoff_sessions WHERE id = ?').get(p.exportId) as { decisions_json: string } | undefined;
    // Opening the same file again keeps the decisions made so far.
    if (existing) row.decisions_json = existing.decisions_json;
    db.prepare(
      `INSERT INTO handoff_sessions (id, source_profile, opened_at, opened_by, payload_json, decisions_json) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET payload_json = excluded.payload_json, opened_at = excluded.opened_at, opened_by = excluded.opened_by`,
    ).run(row.id, row.source_profile, now, actor, row.payload_json, row.decisions_json);
    appendAudit(db, { actor, action: 'handoff.open', objectType: 'handoff', objectId: p.exportId, after: { exceptions: p.exceptions.length, from: p.exportedBy }, at: now });
  })();
  return sessionView(row);
}

function session(db: Db, sessionId: string): SessionRow {
  const row = db.prepare('SELECT id, source_profile, payload_json, decisions_json FROM handoff_sessions WHERE id = ?').get(sessionId) as SessionRow | undefined;
  if (!row) throw new DecisionError('not_found', `No hand-off file with id ${sessionId} has been opened here.`);
  return row;
}

/** Records a reviewer's decision on the reviewing installation (merged into earlier ones). */
export function decideInSession(db: Db, sessionId: string, transactionId: number, decision: HandoffDecision, actor: string, now = new Date().toISOString()): HandoffSession {
  const row = session(db, sessionId);
  const p = JSON.parse(row.payload_json) as ExceptionsPayload;
  const item = p.exceptions.find((e) => e.transactionId === transactionId);
  if (!item) throw new DecisionError('not_found', `Transaction ${transactionId} is not in this hand-off file.`);
  if (decision.allocation) {
    const byNo = new Map(p.invoices.map((i) => [i.invoiceNo, i]));
    let total = 0;
    for (const a of decision.allocation.allocations) {
      const inv = byNo.get(a.invoiceNo);
      if (!inv) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} is not in this hand-off file.`);
      if (a.amountCents > inv.openBalanceCents) throw new DecisionError('invalid_args', `Invoice ${a.invoiceNo} had ${inv.openBalanceCents} cents open; the allocation asks for ${a.amountCents}.`);
      total += a.amountCents;
    }
    if (total > item.amountCents) throw new DecisionError('invalid_args', `The allocations add up to ${total} cents, more than the payment's ${item.amountCents}.`);
  }
  const decisions = JSON.parse(row.decisions_json) as Record<string, HandoffDecision>;
  decisions[String(transactionId)] = { ...decisions[String(transactionId)], ...decision };
  row.decisions_json = JSON.stringify(decisions);
  db.transaction(() => {
    db.prepare('UPDATE handoff_sessions SET decisions_json = ? WHERE id = ?').run(row.decisions_json, sessionId);
    appendAudit(db, { actor, action: 'handoff.decide', objectType: 'handoff', objectId: sessionId, after: { transactionId, decision }, at: now });
  })();
  return sessionView(row);
}

export function exportDecisions(db: Db, dataDir: string, sessionId: string, passphrase: string, actor: string, now = new Date().toISOString()): HandoffFileResult {
  const row = session(db, sessionId);
  const decisions = JSON.parse(row.decisions_json) as Record<string, HandoffDecision>;
  const payload = { exportId: row.id, sourceProfile: row.source_profile, reviewedBy: actor, reviewedAt: now, decisions };
  const bytes = sealHandoff('decisions', payload, passphrase, { now: new Date(now) });
  appendAudit(db, { actor, action: 'handoff.export_decisions', objectType: 'handoff', objectId: sessionId, after: { decisions: Object.keys(decisions).length }, at: now });
  return writeHandoff(dataDir, `tieout-decisions-${stamp(now)}.tieout`, bytes, Object.keys(decisions).length);
}

/**
 * The exporting installation: applies each decision with the same checks as a
 * clerk here. A row decided meanwhile, or an allocation the local ledger no
 * longer allows, is skipped with the reason; the rest is applied.
 */
export function importDecisions(db: Db, file: Buffer, passphrase: string, actor: string, merchantZone: string, now = new Date().toISOString()): ImportDecisionsResult {
  const { payload } = openHandoffFile(file, passphrase, 'decisions');
  const parsed = decisionsPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new HandoffError('not_a_handoff_file', `The decisions file's contents are not valid: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
  const p = parsed.data;
  if (p.sourceProfile !== profileIdOf(db)) {
    throw new HandoffError('wrong_kind', 'These decisions belong to exceptions exported by another Tieout installation; import them there.');
  }
  const who = `${actor} (hand-off review by ${p.reviewedBy})`;
  const applied: number[] = [];
  const approved: number[] = [];
  const skipped: Array<{ transactionId: number; reason: string }> = [];
  for (const [key, d] of Object.entries(p.decisions)) {
    const id = Number(key);
    try {
      db.transaction(() => {
        if (d.note !== undefined) setNote(db, id, d.note, who, now);
        if (d.owner !== undefined) setOwner(db, id, d.owner, who, now);
        if (d.exceptionReason !== undefined) setExceptionReason(db, id, d.exceptionReason as ExceptionCode | null, undefined, who, now);
        if (d.allocation) allocate(db, id, d.allocation.customerId, d.allocation.allocations as Allocation[], who, now);
        if (d.approve) {
          const r = approveMatches(db, [id], who, merchantZone, now);
          const skip = r.skipped[0];
          if (skip) throw new DecisionError('conflict', skip.reason);
          takeDecisionSnapshots(db, r.approved, now);
          approved.push(id);
        }
      })();
      applied.push(id);
    } catch (e) {
      if (approved[approved.length - 1] === id) approved.pop();
      skipped.push({ transactionId: id, reason: (e as Error).message });
    }
  }
  appendAudit(db, { actor, action: 'handoff.import_decisions', objectType: 'handoff', objectId: p.exportId, after: { reviewedBy: p.reviewedBy, applied, approved, skipped }, at: now });
  return { applied, approved, skipped };
}
