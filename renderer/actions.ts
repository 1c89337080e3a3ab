import type { ApproveResult } from '@shared/api-contract';
import type { GridRow } from '@shared/domain';
import type { RowSelection, SelectionSummary } from '@shared/grid-view';
import { errorMessage, invoke } from './api/client';
import { applySync, refreshRows } from './state/data-store';
import { toast } from './state/toast-store';
import { clearSelection, currentSelection, isRowSelected, selectionIsEmpty } from './state/ui-store';
import { gridApi, loadedRow } from './grid/grid-handle';
import { statusLabel } from './grid/status-pill';
import { confirmTakeOver } from './features/team/take-over';
import { confirmApproval, countText } from './features/approval/confirm-approval';
import { approvalInProgress, holdBatch, setBusy } from './features/approval/approval-store';

const APPROVABLE = new Set<GridRow['status']>(['auto', 'review']);

export function isApprovable(row: GridRow): boolean {
  return APPROVABLE.has(row.status);
}

/** Tabs whose rows can be approved; on All the engine skips (and names) the rest. */
const APPROVABLE_TABS = new Set<string>(['auto', 'review', 'all']);

/**
 * How many rows "Approve selected" would send: ticked rows that are
 * approvable (rows no longer loaded are counted and left to the engine), or
 * the whole view's count on a tab whose rows can be approved.
 */
export function selectionApprovableCount(selection: RowSelection, summary: SelectionSummary | null, viewTotal: number): number {
  if (selection.kind === 'ids') return selection.ids.filter((id) => {
    const row = loadedRow(id);
    return row === null || isApprovable(row);
  }).length;
  if (!APPROVABLE_TABS.has(selection.view.tab)) return 0;
  return summary?.count ?? Math.max(0, viewTotal - selection.exceptIds.length);
}

const MAX_LINES = 6;

function skippedLines(skipped: ReadonlyArray<Readonly<{ transactionId: number; reason: string }>>): string[] {
  const lines = skipped.slice(0, MAX_LINES).map((s) => `${s.transactionId}: ${s.reason}`);
  if (skipped.length > MAX_LINES) lines.push(`…and ${skipped.length - MAX_LINES} more`);
  return lines;
}

let approving = false;

/** Approves the given rows; rows the clerk cannot approve are reported, never sent. */
export async function approve(ids: readonly number[]): Promise<void> {
  if (approving || approvalInProgress() || ids.length === 0) return;
  // Rows not loaded any more are sent as they are: the engine skips (and names) what it cannot approve.
  const known = ids.map((id) => loadedRow(id));
  const sendable = ids.filter((_id, i) => known[i] === null || isApprovable(known[i]!));
  const localSkips = known
    .filter((r): r is GridRow => r !== null && !isApprovable(r))
    .map((r) => ({ transactionId: r.transactionId, reason: `${statusLabel(r.status)} rows cannot be approved` }));
  if (sendable.length === 0) {
    toast('warning', 'Nothing to approve', ['Only rows in Auto or Needs review can be approved.', ...skippedLines(localSkips)]);
    return;
  }
  approving = true;
  try {
    // Someone else has one of them open: asked, never approved over their head.
    if (!(await confirmTakeOver(sendable))) return;
    // The count, total and second-look rows confirmed first (features/approval/).
    if (!(await confirmApproval({ kind: 'ids', ids: sendable }, sendable.length))) return;
    setBusy(`Approving ${countText(sendable.length)}…`);
    const result = await invoke('matches:approve', { transactionIds: sendable }).finally(() => setBusy(null));
    await afterApproval(result, localSkips);
  } catch (err) {
    toast('error', 'Approval failed', [errorMessage(err)]);
  } finally {
    approving = false;
  }
}

async function afterApproval(result: ApproveResult, localSkips: ReadonlyArray<Readonly<{ transactionId: number; reason: string }>>): Promise<void> {
  const skipped = [...localSkips, ...result.skipped];
  if (result.approved.length > 0) {
    if (result.postsAt) holdBatch({ transactionIds: result.approved, postsAt: result.postsAt });
    toast('success', `Approved ${result.approved.length} ${result.approved.length === 1 ? 'match' : 'matches'}`, [
      result.postsAt ? 'Posting to the ERP starts when the undo window ends; Ctrl+Z takes the batch back until then.' : 'Queued for posting to the ERP.',
    ]);
  }
  if (skipped.length > 0) toast('warning', `Skipped ${skipped.length}`, skippedLines(skipped));
  clearSelection();
  await refreshRows();
}

/**
 * Approves the selection: ticked rows as approve(ids); a whole view (Ctrl+A,
 * the header box) is resolved by the engine (approval:preview, then
 * matches:approveSelection), so rows that were never loaded here are approved
 * too and nothing ships their ids.
 */
export async function approveSelection(selection: RowSelection = currentSelection()): Promise<void> {
  if (selectionIsEmpty(selection)) return;
  if (selection.kind === 'ids') return approve(selection.ids);
  if (approving || approvalInProgress() || !APPROVABLE_TABS.has(selection.view.tab)) return;
  approving = true;
  try {
    // Someone else has a loaded selected row open: asked first (rows not loaded are not known here).
    const loaded: number[] = [];
    gridApi()?.forEachNode((n) => {
      if (n.data && isRowSelected(selection, n.data.transactionId)) loaded.push(n.data.transactionId);
    });
    if (!(await confirmTakeOver(loaded))) return;
    if (!(await confirmApproval(selection, null))) return;
    setBusy('Approving the selection…');
    const result = await invoke('matches:approveSelection', { selection }).finally(() => setBusy(null));
    await afterApproval(result, []);
  } catch (err) {
    toast('error', 'Approval failed', [errorMessage(err)]);
  } finally {
    approving = false;
  }
}

export async function syncNow(): Promise<void> {
  try {
    applySync(await invoke('sync:now', {}));
  } catch (err) {
    toast('error', 'Sync could not start', [errorMessage(err)]);
  }
}
