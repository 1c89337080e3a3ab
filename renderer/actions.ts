import type { GridRow } from '@shared/domain';
import { errorMessage, invoke } from './api/client';
import { applySync, refreshRows, useData } from './state/data-store';
import { toast } from './state/toast-store';
import { gridApi } from './grid/grid-handle';
import { statusLabel } from './grid/status-pill';
import { confirmTakeOver } from './features/team/take-over';
import { confirmApproval, countText } from './features/approval/confirm-approval';
import { approvalInProgress, holdBatch, setBusy } from './features/approval/approval-store';

const APPROVABLE = new Set<GridRow['status']>(['auto', 'review']);

export function isApprovable(row: GridRow): boolean {
  return APPROVABLE.has(row.status);
}

function rowsById(ids: readonly number[]): GridRow[] {
  const wanted = new Set(ids);
  return useData.getState().rows.filter((r) => wanted.has(r.transactionId));
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
  const rows = rowsById(ids);
  const sendable = rows.filter(isApprovable).map((r) => r.transactionId);
  const localSkips = rows
    .filter((r) => !isApprovable(r))
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
    if (!(await confirmApproval(sendable))) return;
    setBusy(`Approving ${countText(sendable.length)}…`);
    const result = await invoke('matches:approve', { transactionIds: sendable }).finally(() => setBusy(null));
    const skipped = [...localSkips, ...result.skipped];
    if (result.approved.length > 0) {
      if (result.postsAt) holdBatch({ transactionIds: result.approved, postsAt: result.postsAt });
      toast('success', `Approved ${result.approved.length} ${result.approved.length === 1 ? 'match' : 'matches'}`, [
        result.postsAt ? 'Posting to the ERP starts when the undo window ends; Ctrl+Z takes the batch back until then.' : 'Queued for posting to the ERP.',
      ]);
    }
    if (skipped.length > 0) toast('warning', `Skipped ${skipped.length}`, skippedLines(skipped));
    gridApi()?.deselectAll();
    await refreshRows();
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
