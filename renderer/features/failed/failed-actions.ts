import { errorMessage, invoke } from '../../api/client';
import { refreshRows } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { useUi } from '../../state/ui-store';

// The ways out of the dead-letter queue. Each one is audited by the engine;
// the UI only reports what happened in the clerk's words.

async function run(title: string, call: () => Promise<unknown>, success: string, lines: readonly string[] = []): Promise<boolean> {
  try {
    await call();
    toast('success', success, lines);
    await refreshRows();
    return true;
  } catch (err) {
    toast('error', title, [errorMessage(err)]);
    return false;
  }
}

export function retryPosting(transactionId: number): Promise<boolean> {
  return run('Retry failed', () => invoke('posting:retry', { transactionId }), `Posting ${transactionId} queued again`, [
    'Tieout first asks the ERP whether it already holds this receipt, so it is never posted twice.',
  ]);
}

export function markPosted(transactionId: number, erpDocumentId: string, note: string): Promise<boolean> {
  const trimmed = note.trim();
  return run(
    'Could not mark as posted',
    () => invoke('posting:markPosted', { transactionId, erpDocumentId: erpDocumentId.trim(), ...(trimmed ? { note: trimmed } : {}) }),
    `Marked ${transactionId} as posted`,
    [`ERP document ${erpDocumentId.trim()} recorded in the audit trail.`],
  );
}

export function discardPosting(transactionId: number, note: string): Promise<boolean> {
  const trimmed = note.trim();
  return run('Could not return to review', () => invoke('posting:discard', { transactionId, ...(trimmed ? { note: trimmed } : {}) }), `Payment ${transactionId} is back in review`);
}

/** Discards the dead posting and opens the allocation editor; approving again re-queues it. */
export async function editAllocationAndRetry(transactionId: number): Promise<void> {
  const ok = await discardPosting(transactionId, 'Returned to review to edit the allocation and post again');
  if (ok) {
    useUi.getState().setAllocationEditFor(transactionId);
    useUi.getState().setPanelOpen(true);
  }
}
