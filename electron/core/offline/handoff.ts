import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Allocation, Candidate, ExceptionCode } from '@shared/domain';
import type { HandoffDecision, HandoffException, HandoffFileResult, HandoffSession, ImportDecisionsResult } from '@shared/api/offline';
import { appendAudit } from '../audit/audit-log';
import { systemClock } from '../clock';
import { ensurePrivateDir, writePrivateFile } from '../private-files';
import type { ApprovalCapabilities, ApprovalService } from '../approval/approve';
import type { Db } from '../store/db';
import { getInvoices } from '../store/queries/ledger';
import { getOutcome, gridRows } from '../store/queries/matches';
import { customerName, findHandoffSession, saveOpenedSession, saveSessionDecisions, type StoredExceptionsPayload, type StoredHandoffSession } from '../store/queries/handoff-sessions';
import { getTransaction } from '../store/queries/transactions';
import { readSyncCursor } from '../store/queries/sync-cursors';
import { readProfileId } from '../store/queries/app-identity';
import { allocate, DecisionError, refuseCardNumber, setExceptionReason, setNote, setOwner } from './decisions';
import { HandoffError, openHandoffFile, sealHandoff, type KeyDeriver } from './handoff-crypto';
import { HANDOFF_LIMITS, type HandoffLimits } from './handoff-limits';
import { parseDecisionsPayload, parseExceptionsPayload } from './handoff-payloads';

// "Take offline": the open exceptions with their candidates and the invoices
// they need, encrypted for review on another installation; and the way back,
// the reviewer's decisions, applied here through the same checks as any clerk
// action (approvals are re-validated against fresh remote state before posting).
// The files carry no credentials, no settings and no raw PayTrace rows: card
// numbers appear only as PayTrace masked them.

export const HANDOFF_DIR = 'handoff';
const OPEN_STATUSES = new Set(['exception', 'review']);

type ExceptionsPayload = StoredExceptionsPayload;

export function profileIdOf(db: Db): string {
  return readProfileId(db) ?? 'unknown-profile';
}

function writeHandoff(dataDir: string, fileName: string, bytes: Buffer, count: number): HandoffFileResult {
  const dir = join(dataDir, HANDOFF_DIR);
  ensurePrivateDir(dir);
  const path = join(dir, fileName);
  writePrivateFile(path, bytes);
  return { path, fileName, bytes: bytes.length, base64: bytes.toString('base64'), count };
}

function stamp(at: string): string {
  return at.replace(/[:.]/g, '-').replace(/Z$/, '');
}

export function buildExceptionsPayload(db: Db, actor: string, now = systemClock.iso()): ExceptionsPayload {
  const rows = gridRows(db).filter((r) => OPEN_STATUSES.has(r.status));
  const invoiceNos = new Set<string>();
  const customerIds = new Set<string>();
  const exceptions = rows.map((r): HandoffException => {
    const outcome = getOutcome(db, r.transactionId);
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
      maskedCard: getTransaction(db, r.transactionId)?.maskedCard ?? '',
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
  const customers = [...customerIds].sort().map((customerId) => ({ customerId, name: customerName(db, customerId) }));
  return {
    exportId: randomBytes(8).toString('hex'),
    sourceProfile: profileIdOf(db),
    exportedAt: now,
    exportedBy: actor,
    paytraceAsOf: readSyncCursor(db, 'paytrace.as_of'),
    erpAsOf: readSyncCursor(db, 'erp.as_of'),
    exceptions,
    invoices,
    customers,
  };
}

/** Test seams and limits for reading and writing files; production uses the defaults. */
export type HandoffIo = Readonly<{ deriveKey?: KeyDeriver; limits?: Partial<HandoffLimits> }>;

const limitsOf = (io: HandoffIo): HandoffLimits => ({ ...HANDOFF_LIMITS, ...io.limits });

export async function exportExceptions(db: Db, dataDir: string, passphrase: string, actor: string, now = systemClock.iso(), io: HandoffIo = {}): Promise<HandoffFileResult> {
  const payload = buildExceptionsPayload(db, actor, now);
  // The reviewing side's checks, here first: a file Tieout writes is one it reads.
  parseExceptionsPayload(payload, limitsOf(io), 'write');
  const bytes = await sealHandoff('exceptions', payload, passphrase, { createdAt: now, ...io });
  appendAudit(db, { actor, action: 'handoff.export', objectType: 'handoff', objectId: payload.exportId, after: { exceptions: payload.exceptions.length, invoices: payload.invoices.length }, at: now });
  return writeHandoff(dataDir, `tieout-exceptions-${stamp(now)}.tieout`, bytes, payload.exceptions.length);
}

function sessionView(row: StoredHandoffSession): HandoffSession {
  const p = row.payload;
  return {
    sessionId: row.id,
    exportedAt: p.exportedAt,
    exportedBy: p.exportedBy,
    paytraceAsOf: p.paytraceAsOf,
    erpAsOf: p.erpAsOf,
    exceptions: p.exceptions,
    invoices: p.invoices,
    customers: p.customers,
    decisions: row.decisions,
  };
}

/**
 * The reviewing installation: decrypts, checks and keeps the exceptions for
 * review. Every refusal comes before the one write transaction.
 */
export async function openExceptionsFile(db: Db, file: Buffer, passphrase: string, actor: string, now = systemClock.iso(), io: HandoffIo = {}): Promise<HandoffSession> {
  const { payload } = await openHandoffFile(file, passphrase, { expectedKind: 'exceptions', ...io });
  const p = parseExceptionsPayload(payload, limitsOf(io));
  return db.transaction(() => {
    // Opening the same file again keeps the decisions made so far.
    const decisions = findHandoffSession(db, p.exportId)?.decisions ?? {};
    saveOpenedSession(db, { id: p.exportId, sourceProfile: p.sourceProfile, payload: p, decisions }, now, actor);
    appendAudit(db, { actor, action: 'handoff.open', objectType: 'handoff', objectId: p.exportId, after: { exceptions: p.exceptions.length, from: p.exportedBy }, at: now });
    return sessionView(session(db, p.exportId));
  })();
}

function session(db: Db, sessionId: string): StoredHandoffSession {
  const row = findHandoffSession(db, sessionId);
  if (!row) throw new DecisionError('not_found', `No hand-off file with id ${sessionId} has been opened here.`);
  return row;
}

/** Records a reviewer's decision on the reviewing installation (merged into earlier ones). */
export function decideInSession(db: Db, sessionId: string, transactionId: number, decision: HandoffDecision, actor: string, now = systemClock.iso()): HandoffSession {
  const row = session(db, sessionId);
  const p = row.payload;
  const item = p.exceptions.find((e) => e.transactionId === transactionId);
  if (!item) throw new DecisionError('not_found', `Transaction ${transactionId} is not in this hand-off file.`);
  refuseCardNumber('Note', decision.note);
  refuseCardNumber('Owner', decision.owner);
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
  const decisions = { ...row.decisions, [String(transactionId)]: { ...row.decisions[String(transactionId)], ...decision } };
  db.transaction(() => {
    saveSessionDecisions(db, sessionId, decisions);
    appendAudit(db, { actor, action: 'handoff.decide', objectType: 'handoff', objectId: sessionId, after: { transactionId, decision }, at: now });
  })();
  return sessionView({ ...row, decisions });
}

export async function exportDecisions(db: Db, dataDir: string, sessionId: string, passphrase: string, actor: string, now = systemClock.iso(), io: HandoffIo = {}): Promise<HandoffFileResult> {
  const row = session(db, sessionId);
  const decisions = row.decisions;
  const payload = { exportId: row.id, sourceProfile: row.sourceProfile, reviewedBy: actor, reviewedAt: now, decisions };
  parseDecisionsPayload(payload, limitsOf(io), 'write');
  const bytes = await sealHandoff('decisions', payload, passphrase, { createdAt: now, ...io });
  appendAudit(db, { actor, action: 'handoff.export_decisions', objectType: 'handoff', objectId: sessionId, after: { decisions: Object.keys(decisions).length }, at: now });
  return writeHandoff(dataDir, `tieout-decisions-${stamp(now)}.tieout`, bytes, Object.keys(decisions).length);
}

/**
 * The exporting installation: applies each decision with the same checks as a
 * clerk here. A row decided meanwhile, or an allocation the local ledger no
 * longer allows, is skipped with the reason; the rest is applied.
 */
export async function importDecisions(
  db: Db,
  file: Buffer,
  passphrase: string,
  actor: string,
  approval: Readonly<{ service: ApprovalService; capabilities: ApprovalCapabilities | null }>,
  now = systemClock.iso(),
  io: HandoffIo = {},
): Promise<ImportDecisionsResult> {
  const { payload } = await openHandoffFile(file, passphrase, { expectedKind: 'decisions', ...io });
  const p = parseDecisionsPayload(payload, limitsOf(io));
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
          // The same approval as the grid's: mapping, snapshot, learning and audit with it.
          const r = approval.service.approveWith({ transactionIds: [id], actor: who }, approval.capabilities);
          const skip = r.skipped[0];
          if (skip) throw new DecisionError('conflict', skip.reason);
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
