import type { Allocation, ExceptionCode } from '@shared/domain';
import { cents } from '@shared/money';
import type { HandoffDecision } from '@shared/api/offline';
import type { OfflineReplayConflict, ReplayResult } from '@shared/api/workspace-offline';
import { appendAudit } from '../audit/audit-log';
import type { ApprovalCapabilities, ApprovalService } from '../approval/approve';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Db, ReadDb } from '../store/db';
import { gridRows } from '../store/queries/matches';
import { allocate, DecisionError, setExceptionReason, setNote, setOwner } from './decisions';
import {
  auditHasEntry,
  baseStates,
  cacheMeta,
  decisionStates,
  insertJournalRows,
  journaledKeys,
  latestChangeAfter,
  openConflictRow,
  openConflictRows,
  resolveJournalRow,
} from '../store/queries/workspace-cache';
import type { DecisionState } from './workspace-cache';

// Decisions a clerk made on this workstation's copy while the workspace could
// not be reached, replayed into the workspace when it is back. A decision is
// the difference between the copy as read ("base") and the copy now; it is
// applied only where the workspace still shows base for what it changes (a
// teammate who decided the same row meanwhile makes it a conflict, shown side
// by side, never overwritten), through the same checks as a clerk's action
// there; an approval then goes through the catch-up re-validation before it is
// posted, like any queued posting. Each decision is keyed (copy, payment): the
// workspace records the key in the same transaction as the decision, so a
// replay killed after that commit finds it there and never applies it twice.

export const REPLAY_AUDIT_ACTION = 'offline.replay';

export type QueuedDecision = Readonly<{
  key: string;
  transactionId: number;
  base: DecisionState;
  mine: DecisionState;
  decision: HandoffDecision;
  /** What the copy cannot carry back (an approval undone, a posting state). */
  unsupported: string | null;
  actor: string;
  decidedOfflineAt: string;
}>;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Field by field: the base is JSON SQLite built, the others objects read here. */
function sameState(a: DecisionState, b: DecisionState): boolean {
  return (
    a.reviewState === b.reviewState &&
    a.note === b.note &&
    a.owner === b.owner &&
    a.clerkException === b.clerkException &&
    a.decidedBy === b.decidedBy &&
    a.decidedAt === b.decidedAt &&
    sameJson(a.pinned, b.pinned)
  );
}

/** What the clerk changed on the copy, as a decision the replay applies; `unsupported` says what cannot be carried back. */
export function decisionOf(base: DecisionState, mine: DecisionState): { decision: HandoffDecision; unsupported: string | null } {
  const d: { -readonly [K in keyof HandoffDecision]: HandoffDecision[K] } = {};
  if (mine.note !== base.note) d.note = mine.note ?? '';
  if (mine.owner !== base.owner) d.owner = mine.owner;
  if (mine.clerkException !== base.clerkException) d.exceptionReason = mine.clerkException as ExceptionCode | null;
  if (!sameJson(mine.pinned, base.pinned) && mine.pinned) d.allocation = { customerId: mine.pinned.customerId, allocations: mine.pinned.allocations };
  let unsupported: string | null = null;
  if (base.pinned && !mine.pinned) unsupported = "The allocation chosen before was undone on this workstation's copy; undoing is not carried back: undo it on the workspace.";
  if (mine.reviewState !== base.reviewState) {
    if (base.reviewState === 'pending' && mine.reviewState === 'approved') d.approve = true;
    else unsupported = `The review state went from ${base.reviewState} to ${mine.reviewState} on this workstation's copy; only approvals are carried back.`;
  }
  return { decision: d, unsupported };
}

/** Who made the offline change to this row, and when (the copy's own audit entries after the snapshot). */
function offlineAuthor(cache: ReadDb, transactionId: number, snapshotAt: string): { actor: string; at: string } {
  return latestChangeAfter(cache, transactionId, snapshotAt) ?? { actor: 'unknown', at: snapshotAt };
}

/** The decisions made on the copy that have not been replayed yet, oldest payment first. */
export function queuedDecisions(cache: ReadDb): QueuedDecision[] {
  const meta = cacheMeta(cache);
  if (!meta) return [];
  const base = baseStates(cache);
  const mineAll = decisionStates(cache, [...base.keys()]);
  const done = journaledKeys(cache);
  const out: QueuedDecision[] = [];
  for (const [transactionId, b] of base) {
    const mine = mineAll.get(transactionId);
    if (!mine || sameState(mine, b)) continue;
    const key = `${meta.snapshotId}:${transactionId}`;
    if (done.has(key)) continue;
    const { decision, unsupported } = decisionOf(b, mine);
    if (Object.keys(decision).length === 0 && !unsupported) continue;
    const author = offlineAuthor(cache, transactionId, meta.snapshotAt);
    out.push({ key, transactionId, base: b, mine, decision, unsupported, actor: author.actor, decidedOfflineAt: author.at });
  }
  return out.sort((a, b) => a.transactionId - b.transactionId);
}

export function queuedCount(cache: ReadDb): number {
  return queuedDecisions(cache).length;
}

/** What a teammate changed meanwhile of what this decision changes (empty: safe to apply). */
export function overtaken(q: QueuedDecision, theirs: DecisionState | undefined): string[] {
  if (!theirs) return ['The payment is no longer in the workspace.'];
  const reasons: string[] = [];
  const by = theirs.decidedBy ? ` by ${theirs.decidedBy}${theirs.decidedAt ? ` at ${theirs.decidedAt}` : ''}` : '';
  const d = q.decision;
  if (d.note !== undefined && theirs.note !== q.base.note) reasons.push('The note was changed in the workspace meanwhile.');
  if (d.owner !== undefined && theirs.owner !== q.base.owner) reasons.push('The row was assigned in the workspace meanwhile.');
  if (d.exceptionReason !== undefined && theirs.clerkException !== q.base.clerkException) reasons.push('The exception reason was changed in the workspace meanwhile.');
  if (d.allocation && !sameJson(theirs.pinned, q.base.pinned)) reasons.push('Another allocation was chosen in the workspace meanwhile.');
  if ((d.approve || d.allocation) && theirs.reviewState !== q.base.reviewState) reasons.push(`The payment was ${theirs.reviewState}${by} meanwhile.`);
  return reasons;
}

function alreadyReplayed(db: ReadDb, key: string): boolean {
  return auditHasEntry(db, REPLAY_AUDIT_ACTION, key);
}

/** Applies one decision in the workspace, with its replay key, in one transaction; false when an earlier replay already did. */
export function applyInWorkspace(
  db: Db,
  q: QueuedDecision,
  approval: Readonly<{ service: ApprovalService; capabilities: ApprovalCapabilities | null }>,
  now: string,
  override = false,
): boolean {
  return db.transaction(() => {
    if (alreadyReplayed(db, q.key)) return false;
    const id = q.transactionId;
    const d = q.decision;
    const who = q.actor;
    if (d.note !== undefined) setNote(db, id, d.note, who, now);
    if (d.owner !== undefined) setOwner(db, id, d.owner, who, now);
    if (d.exceptionReason !== undefined) setExceptionReason(db, id, d.exceptionReason, undefined, who, now);
    if (d.allocation) allocate(db, id, d.allocation.customerId, d.allocation.allocations as Allocation[], who, now);
    if (d.approve) {
      // The grid's approval: mapping, snapshot, outbox row and audit; posted after the catch-up re-validation.
      const r = approval.service.approveWith({ transactionIds: [id], actor: who }, approval.capabilities);
      const skip = r.skipped[0];
      if (skip) throw new DecisionError('conflict', skip.reason);
    }
    appendAudit(db, {
      actor: who,
      action: REPLAY_AUDIT_ACTION,
      objectType: 'offline_decision',
      objectId: q.key,
      after: { transactionId: id, decidedOfflineAt: q.decidedOfflineAt, decision: d, ...(override ? { overTeammate: true } : {}) },
      at: now,
    });
    return true;
  })();
}

function journal(cache: Db, q: QueuedDecision, outcome: 'applied' | 'conflict', detail: unknown, at: string): void {
  insertJournalRows(cache, [{ decision_key: q.key, transaction_id: q.transactionId, outcome, detail_json: JSON.stringify(detail), at, resolution: null, resolved_at: null }]);
}

type StoredConflict = Omit<OfflineReplayConflict, 'decisionKey' | 'detectedAt'> & { queued: QueuedDecision };

function conflictOf(workspace: ReadDb, q: QueuedDecision, theirs: DecisionState | undefined, reasons: string[]): StoredConflict {
  const [row] = gridRows(workspace, [q.transactionId]);
  return {
    transactionId: q.transactionId,
    payer: row?.payer ?? '',
    amountCents: row?.amountCents ?? cents(0),
    currency: row?.currency ?? 'USD',
    reasons,
    decidedBy: q.actor,
    decidedOfflineAt: q.decidedOfflineAt,
    decision: q.decision,
    base: q.base,
    mine: q.mine,
    theirs: theirs ?? null,
    queued: q,
  };
}

export type ReplayOptions = Readonly<{
  workspace: Db;
  cache: Db;
  approval: ApprovalService;
  clock: Clock;
  logger: Logger;
  /** Test seam: runs after each decision is committed in the workspace, before it is journaled here (a crash there). */
  afterApply?: (q: QueuedDecision) => void;
}>;

/** Replays every queued decision; a decision the workspace no longer allows is journaled as a conflict for the clerk. */
export async function replayQueued(o: ReplayOptions): Promise<ReplayResult> {
  const queued = queuedDecisions(o.cache);
  const result: { applied: number[]; alreadyApplied: number[]; conflicts: number[] } = { applied: [], alreadyApplied: [], conflicts: [] };
  if (queued.length === 0) return result;
  const capabilities = await o.approval.capabilities();
  const theirsAll = decisionStates(o.workspace, queued.map((q) => q.transactionId));
  for (const q of queued) {
    const now = o.clock.iso();
    const theirs = theirsAll.get(q.transactionId);
    // A decision already in the workspace (an earlier replay killed before journaling it) is only journaled.
    let reasons = alreadyReplayed(o.workspace, q.key) ? [] : overtaken(q, theirs);
    if (q.unsupported) reasons = [...reasons, q.unsupported];
    if (reasons.length === 0) {
      try {
        const applied = applyInWorkspace(o.workspace, q, { service: o.approval, capabilities }, now);
        o.afterApply?.(q);
        (applied ? result.applied : result.alreadyApplied).push(q.transactionId);
        journal(o.cache, q, 'applied', { decision: q.decision, alreadyApplied: !applied }, now);
        continue;
      } catch (e) {
        if (!(e instanceof DecisionError)) throw e;
        reasons = [e.message];
      }
    }
    journal(o.cache, q, 'conflict', conflictOf(o.workspace, q, decisionStates(o.workspace, [q.transactionId]).get(q.transactionId), reasons), now);
    result.conflicts.push(q.transactionId);
    o.logger.warn(`offline decision on payment ${q.transactionId} not replayed: ${reasons.join(' ')}`);
  }
  o.logger.info(`offline decisions replayed: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied, ${result.conflicts.length} conflict(s)`);
  return result;
}

/** The open conflicts of earlier replays, for the clerk to choose. */
export function openReplayConflicts(cache: ReadDb): OfflineReplayConflict[] {
  return openConflictRows(cache).map((r) => {
    const { queued: _queued, ...view } = JSON.parse(r.detail_json) as StoredConflict;
    return { ...view, decisionKey: r.decision_key, detectedAt: r.at };
  });
}

export function storedConflict(cache: ReadDb, decisionKey: string): StoredConflict | null {
  const row = openConflictRow(cache, decisionKey);
  return row ? (JSON.parse(row.detail_json) as StoredConflict) : null;
}

export function markConflictResolved(cache: Db, decisionKey: string, resolution: 'keep_theirs' | 'apply_mine', at: string): void {
  resolveJournalRow(cache, decisionKey, resolution, at);
}
