import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { PresenceView } from '@shared/api/team';
import { useData } from '../../state/data-store';
import { othersOn, presenceText } from './presence-store';

// Soft locks are never overridden silently: acting on a payment someone else
// has open asks first, naming who and since when.

type Ask = Readonly<{ entries: ReadonlyArray<Readonly<{ transactionId: number; others: readonly PresenceView[] }>>; answer: (ok: boolean) => void }>;

const useTakeOver = create<{ ask: Ask | null }>(() => ({ ask: null }));

/** Claims already taken over (payment → the claims seen then): asked once, not again for each step of the same work. */
const takenOver = new Map<number, Set<string>>();
const claimKey = (p: PresenceView) => `${p.userName}@${p.workstation}@${p.since}`;

/** Resolves true when nobody else has these payments open, or the user chose to take them over. */
export function confirmTakeOver(transactionIds: readonly number[]): Promise<boolean> {
  const entries = transactionIds
    .map((transactionId) => ({ transactionId, others: othersOn(transactionId) }))
    .filter((e) => e.others.some((p) => !takenOver.get(e.transactionId)?.has(claimKey(p))));
  if (entries.length === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    useTakeOver.getState().ask?.answer(false);
    useTakeOver.setState({
      ask: {
        entries,
        answer: (ok) => {
          useTakeOver.setState({ ask: null });
          if (ok) for (const e of entries) takenOver.set(e.transactionId, new Set(e.others.map(claimKey)));
          resolve(ok);
        },
      },
    });
  });
}

export function TakeOverDialog() {
  const ask = useTakeOver((s) => s.ask);
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), [ask]);
  if (!ask) return null;
  return (
    <div className="modal-overlay" onMouseDown={(e) => e.target === e.currentTarget && ask.answer(false)}>
      <div
        className="modal take-over"
        role="dialog"
        aria-modal="true"
        aria-labelledby="take-over-title"
        data-testid="take-over-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            ask.answer(false);
          }
        }}
      >
        <div className="modal-head">
          <h2 id="take-over-title">Someone is working on {ask.entries.length === 1 ? 'this payment' : 'these payments'}</h2>
        </div>
        <ul className="take-over-list">
          {ask.entries.slice(0, 6).map((e) => (
            <li key={e.transactionId}>{presenceText(e.others, zone, String(e.transactionId))}</li>
          ))}
          {ask.entries.length > 6 ? <li>…and {ask.entries.length - 6} more</li> : null}
        </ul>
        <p className="muted">Taking over acts now; they see the result on their screen.</p>
        <div className="modal-actions">
          <button type="button" className="btn" ref={cancelRef} data-testid="take-over-cancel" onClick={() => ask.answer(false)}>
            Leave it to them
          </button>
          <button type="button" className="btn btn-primary" data-testid="take-over-confirm" onClick={() => ask.answer(true)}>
            Take over
          </button>
        </div>
      </div>
    </div>
  );
}
