import type { Allocation, ExceptionCode } from '@shared/domain';
import { errorMessage, invoke } from '../../api/client';
import { approve } from '../../actions';
import { refreshRows } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { confirmTakeOver } from '../team/take-over';
import { batchUndone } from '../approval/approval-store';

// Reviewing actions from the detail panel. Each is undoable (Ctrl/Cmd+Z) and
// audited by the engine; errors come back in the engine's words.

async function attempt(transactionId: number, failTitle: string, call: () => Promise<unknown>): Promise<boolean> {
  // Someone else has the payment open (team mode): asked first, never changed over their head.
  if (!(await confirmTakeOver([transactionId]))) return false;
  try {
    await call();
    await refreshRows();
    return true;
  } catch (err) {
    toast('error', failTitle, [errorMessage(err)]);
    return false;
  }
}

export async function chooseCandidate(transactionId: number, candidateIndex: number): Promise<boolean> {
  const ok = await attempt(transactionId, 'Could not use that candidate', () => invoke('matches:pickCandidate', { transactionId, candidateIndex }));
  if (ok) toast('success', `Candidate #${candidateIndex + 1} chosen`, ['The match now waits for approval (Ctrl+Z undoes).']);
  return ok;
}

export async function saveAllocation(transactionId: number, customerId: string, allocations: readonly Allocation[], thenApprove: boolean): Promise<boolean> {
  const ok = await attempt(transactionId, 'Allocation not saved', () =>
    invoke('matches:allocate', { transactionId, customerId: customerId.trim(), allocations: allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: a.amountCents })) }),
  );
  if (!ok) return false;
  if (thenApprove) await approve([transactionId]);
  else toast('success', 'Allocation saved', ['The match now waits for approval.']);
  return true;
}

export async function setException(transactionId: number, reason: ExceptionCode | null, note: string): Promise<boolean> {
  const trimmed = note.trim();
  const ok = await attempt(transactionId, 'Exception not saved', () => invoke('matches:setException', { transactionId, reason, ...(trimmed ? { note: trimmed } : {}) }));
  if (ok) toast('success', reason ? 'Marked as exception' : 'Exception reason cleared');
  return ok;
}

export async function saveNote(transactionId: number, note: string): Promise<boolean> {
  const ok = await attempt(transactionId, 'Note not saved', () => invoke('matches:note', { transactionId, note: note.trim() }));
  if (ok) toast('success', 'Note saved');
  return ok;
}

let undoing = false;

/** Undoes this user's last reviewing action and says which one. */
export async function undoLast(): Promise<void> {
  if (undoing) return;
  undoing = true;
  try {
    const { label } = await invoke('matches:undoAvailable', {});
    if (label === null) {
      toast('info', 'Nothing to undo');
      return;
    }
    const result = await invoke('matches:undo', {});
    if (result.undone === null) toast('info', 'Nothing to undo');
    else {
      batchUndone(result.transactionIds);
      toast('success', `Undid: ${result.undone}`);
    }
    await refreshRows();
  } catch (err) {
    toast('error', 'Could not undo', [errorMessage(err)]);
  } finally {
    undoing = false;
  }
}
