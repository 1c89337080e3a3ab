import { useState } from 'react';
import { EXCEPTION_CODES, type ExceptionCode, type TransactionDetail } from '@shared/domain';
import { useAction } from '../../api/query';
import { exceptionLabel } from '../../labels';
import { useUi } from '../../state/ui-store';
import { AllocationEditor } from './AllocationEditor';
import { chooseCandidate, saveNote, setException } from './review-actions';
import { useUser } from '../auth/session-store';
import { toggleOwnership } from './use-panel-keys';
import './review.css';
import { actionsFor } from '@shared/row-actions';

/** Rows the clerk can still change: not approved, posted, failed or in conflict. */
export function isReviewable(d: TransactionDetail): boolean {
  return d.row.status === 'auto' || d.row.status === 'review' || d.row.status === 'exception';
}

export function UseCandidateButton({ transactionId, index, current, hotkey }: Readonly<{ transactionId: number; index: number; current: boolean; hotkey?: string | undefined }>) {
  const { run, busy } = useAction(chooseCandidate);
  if (current) return <span className="cand-current" data-testid="candidate-current">In use</span>;
  return (
    <button
      type="button"
      className="btn btn-secondary btn-sm cand-use"
      data-testid="candidate-use"
      disabled={busy}
      aria-keyshortcuts={hotkey}
      onClick={() => run(transactionId, index)}
    >
      Use this candidate {hotkey ? <kbd>{hotkey}</kbd> : null}
    </button>
  );
}

function AllocationSection({ d }: Readonly<{ d: TransactionDetail }>) {
  const editFor = useUi((s) => s.allocationEditFor);
  const setEditFor = useUi((s) => s.setAllocationEditFor);
  const open = editFor === d.row.transactionId;
  // A refund, void or decline is no cash to apply: no allocation to edit (shared/row-actions.ts; the engine refuses it too).
  if (!actionsFor(d.row).editAllocation) return null;
  return (
    <section className="dp-section" data-testid="detail-allocation">
      <h3 className="dp-title">
        Allocation
        {!open ? (
          <span className="dp-aside">
            <button type="button" className="btn btn-secondary btn-sm" data-testid="alloc-open" aria-keyshortcuts="e" onClick={() => setEditFor(d.row.transactionId)}>
              <span>
                <span className="key-hint">E</span>dit allocation
              </span>
            </button>
          </span>
        ) : null}
      </h3>
      {open ? (
        <AllocationEditor key={d.row.transactionId} d={d} onClose={() => setEditFor(null)} />
      ) : (
        <p className="muted small">Choose the customer and split the payment across invoices by hand. Amounts are checked to the cent as you type.</p>
      )}
    </section>
  );
}

function ExceptionSection({ d }: Readonly<{ d: TransactionDetail }>) {
  const [reason, setReason] = useState<ExceptionCode | ''>(d.row.exception ?? '');
  const [note, setNote] = useState('');
  const save = useAction(setException, (ok) => ok && setNote(''));
  const busy = save.busy;
  const run = (r: ExceptionCode | null) => save.run(d.row.transactionId, r, note);
  return (
    <section className="dp-section" data-testid="detail-exception">
      <h3 className="dp-title">
        Exception <kbd title="Press x to choose the reason">x</kbd>
      </h3>
      <div className="review-form">
        <select data-testid="exception-reason" aria-label="Exception reason" aria-keyshortcuts="x" value={reason} onChange={(e) => setReason(e.target.value as ExceptionCode | '')}>
          <option value="">Choose a reason…</option>
          {EXCEPTION_CODES.map((c) => (
            <option key={c} value={c}>
              {exceptionLabel(c)}
            </option>
          ))}
        </select>
        <input data-testid="exception-note" aria-label="Exception note" placeholder="Note (optional)" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
        <div className="review-form-actions">
          {d.row.exception ? (
            <button type="button" className="btn btn-ghost btn-sm" data-testid="exception-clear" disabled={busy} onClick={() => run(null)}>
              Clear reason
            </button>
          ) : null}
          <button type="button" className="btn btn-secondary btn-sm" data-testid="exception-save" disabled={busy || reason === ''} onClick={() => reason !== '' && run(reason)}>
            Mark exception
          </button>
        </div>
      </div>
    </section>
  );
}

function NoteSection({ d }: Readonly<{ d: TransactionDetail }>) {
  const [note, setNote] = useState(d.row.note ?? '');
  const { run: save, busy } = useAction(saveNote);
  const changed = note.trim() !== (d.row.note ?? '').trim();
  return (
    <section className="dp-section" data-testid="detail-note">
      <h3 className="dp-title">
        Note <kbd title="Press n to write a note">n</kbd>
      </h3>
      <div className="review-form">
        <textarea data-testid="note-input" aria-label="Note" aria-keyshortcuts="n" rows={2} maxLength={2000} value={note} placeholder="Visible to everyone reviewing this payment" onChange={(e) => setNote(e.target.value)} />
        <div className="review-form-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            data-testid="note-save"
            disabled={busy || !changed}
            onClick={() => save(d.row.transactionId, note)}
          >
            Save note
          </button>
        </div>
      </div>
    </section>
  );
}

function OwnerSection({ d }: Readonly<{ d: TransactionDetail }>) {
  const me = useUser()?.userName;
  const mine = d.row.owner !== null && d.row.owner === me;
  return (
    <section className="dp-section" data-testid="detail-owner">
      <h3 className="dp-title">
        Owner
        <span className="dp-aside">
          <button type="button" className="btn btn-secondary btn-sm" data-testid="owner-toggle" aria-keyshortcuts="o" onClick={() => void toggleOwnership(d.row)}>
            {mine ? 'Release' : 'Take ownership'} <kbd>o</kbd>
          </button>
        </span>
      </h3>
      <p className="small" data-testid="detail-owner-name">
        {d.row.owner ?? <span className="muted">Nobody</span>}
      </p>
    </section>
  );
}

/** The clerk's tools for a row still in review; nothing for rows already decided. */
export function ReviewSections({ d }: Readonly<{ d: TransactionDetail }>) {
  if (!isReviewable(d)) return null;
  return (
    <>
      <OwnerSection d={d} />
      <AllocationSection d={d} />
      <ExceptionSection key={`x-${d.row.transactionId}`} d={d} />
      <NoteSection key={`n-${d.row.transactionId}-${d.row.note ?? ''}`} d={d} />
    </>
  );
}
