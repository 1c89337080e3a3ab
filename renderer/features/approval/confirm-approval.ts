import type { ApprovalPreview } from '@shared/api/approval';
import type { RowSelection } from '@shared/grid-view';
import { formatMoney } from '@shared/money';
import { errorMessage, invoke } from '../../api/client';
import { toast } from '../../state/toast-store';
import { askToConfirm, setBusy } from './approval-store';

// Every approval of more than one row, or of one row that deserves a second
// look, is confirmed against the engine's preview (approval:preview): the
// count and total the clerk agrees to are the engine's, not the grid's.

export function totalText(preview: Pick<ApprovalPreview, 'totals'>): string {
  if (preview.totals.length === 0) return formatMoney(0, 'USD');
  return preview.totals.map((t) => formatMoney(t.cents, t.currency)).join(' + ');
}

export function countText(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'payment' : 'payments'}`;
}

/**
 * Resolves true when the approval may go ahead (confirmed, or one clean row).
 * `count`: how many rows the clerk picked, when known here (a whole view's is the engine's).
 */
export async function confirmApproval(selection: RowSelection, count: number | null): Promise<boolean> {
  setBusy(count === null ? 'Checking the selection…' : `Checking ${countText(count)}…`);
  let preview: ApprovalPreview;
  try {
    preview = await invoke('approval:preview', { selection });
  } catch (err) {
    toast('error', 'Could not check the approval', [errorMessage(err)]);
    return false;
  } finally {
    setBusy(null);
  }
  if (preview.approvable === 0) {
    toast('warning', 'Nothing to approve', [`${preview.skipped.map((s) => `${s.count} ${s.label}`).join('; ')}.`]);
    return false;
  }
  if (count === 1 && preview.secondLookCount === 0) return true;
  return askToConfirm(preview);
}
