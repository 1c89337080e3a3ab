import { useEffect } from 'react';
import type { TransactionDetail } from '@shared/domain';
import { focusRow } from '../../grid/grid-handle';
import { toast } from '../../state/toast-store';
import { useUi } from '../../state/ui-store';
import { useSession } from '../auth/session-store';
import { runBulk } from './BulkActions';
import { setPanelKeyHandler } from './panel-keys';
import { chooseCandidate } from './review-actions';
import { isReviewable } from './ReviewSections';

// The detail panel's keys (renderer/shortcuts.ts, scope 'panel') for the
// payment it shows: 1–9 use candidate N, n note, e allocation editor,
// x exception reason, o take or release ownership, Esc back to the grid row.

function focusInPanel(testId: string): boolean {
  const el = document.querySelector<HTMLElement>(`[data-testid="detail-panel"] [data-testid="${testId}"]`);
  if (!el) return false;
  el.scrollIntoView({ block: 'nearest' });
  el.focus();
  return true;
}

/** Take the row (or release it when it is already yours), as one undoable step. */
export async function toggleOwnership(row: TransactionDetail['row']): Promise<void> {
  const me = useSession.getState().status?.user?.userName;
  if (!me) return;
  const mine = row.owner === me;
  await runBulk({ kind: 'assign', owner: mine ? null : me }, mine ? 'Released' : 'Taken');
}

export function usePanelKeys(d: TransactionDetail): void {
  useEffect(() => {
    const id = d.row.transactionId;
    setPanelKeyHandler((shortcut, key) => {
      switch (shortcut.id) {
        case 'pick': {
          const index = Number(key) - 1;
          const candidate = d.outcome.candidates[index];
          if (!isReviewable(d)) toast('info', 'This payment is already decided', ['Candidates can be chosen only in Auto, Needs review or Exception.']);
          else if (!candidate) toast('info', `No candidate ${key}`, [`This payment has ${d.outcome.candidates.length} candidate(s).`]);
          else if (!candidate.customerId) toast('info', `Candidate ${key} names no customer`, ['Edit the allocation (e) instead.']);
          else void chooseCandidate(id, index);
          // With the panel open the digits belong to the candidates, never to the tabs.
          return true;
        }
        case 'note':
          return focusInPanel('note-input');
        case 'edit':
          if (!isReviewable(d)) return false;
          useUi.getState().setAllocationEditFor(id);
          return true;
        case 'exception':
          return focusInPanel('exception-reason');
        case 'own':
          void toggleOwnership(d.row);
          return true;
        case 'close':
          useUi.getState().setPanelOpen(false);
          focusRow(id);
          return true;
        default:
          return false;
      }
    });
    return () => setPanelKeyHandler(null);
  }, [d]);
}
