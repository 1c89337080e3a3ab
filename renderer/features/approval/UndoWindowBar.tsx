import { useEffect, useState } from 'react';
import { errorMessage, invoke } from '../../api/client';
import { toast } from '../../state/toast-store';
import { undoLast } from '../review/review-actions';
import { holdBatch, useApproval } from './approval-store';
import { countText } from './confirm-approval';

// While an approved batch waits out the undo window: "Posting 255 payments in
// 52 s — Undo (Ctrl+Z)", counting down, with "Post now" for a clerk who does
// not want to wait. The busy state of a running preview or approval shows here
// too, over the grid's corner.

function secondsLeft(postsAt: string): number {
  return Math.max(0, Math.ceil((Date.parse(postsAt) - Date.now()) / 1000));
}

export function UndoWindowBar() {
  const held = useApproval((s) => s.held);
  const busy = useApproval((s) => s.busy);
  const [, tick] = useState(0);
  useEffect(() => {
    if (!held) return;
    const timer = setInterval(() => {
      if (secondsLeft(held.postsAt) === 0) holdBatch(null);
      tick((n) => n + 1);
    }, 250);
    return () => clearInterval(timer);
  }, [held]);

  if (busy) {
    return (
      <div className="approval-bar approval-busy" role="status" aria-live="polite" data-testid="approval-busy">
        <span className="approval-spinner spin" aria-hidden="true" />
        {busy}
      </div>
    );
  }
  if (!held) return null;
  const left = secondsLeft(held.postsAt);
  return (
    <div className="approval-bar" role="status" data-testid="undo-window">
      <span>
        Posting {countText(held.transactionIds.length)} in <span className="num" data-testid="undo-window-seconds">{left}</span> s
      </span>
      <button type="button" className="btn btn-sm" data-testid="undo-window-undo" onClick={() => void undoLast()}>
        Undo (Ctrl+Z)
      </button>
      <button
        type="button"
        className="btn btn-sm btn-ghost"
        data-testid="undo-window-post-now"
        onClick={() => {
          holdBatch(null);
          invoke('approval:postNow', { transactionIds: [...held.transactionIds] }).catch((err: unknown) => toast('error', 'Could not start posting', [errorMessage(err)]));
        }}
      >
        Post now
      </button>
    </div>
  );
}
