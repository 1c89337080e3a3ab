import { useEffect, useRef, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { FailedPosting } from '@shared/api/posting';
import { errorMessage } from '../../api/client';
import { useApiQuery } from '../../api/query';
import { SubmitButton } from '../../ui/form';
import { formatDateTimeInZone, humanize } from '../../format';
import { ListExport } from '../export/ListExport';
import { discardPosting, editAllocationAndRetry, markPosted, retryPosting } from './failed-actions';
import './failed.css';

type Load = Readonly<{ state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; posting: FailedPosting | null }>;

/** One payment's dead posting from the dead-letter list (posting:failed); a rows:changed makes the list stale. */
function useFailedPosting(transactionId: number): Load {
  const failed = useApiQuery('posting:failed', {});
  if (failed.error) return { state: 'error', message: errorMessage(failed.error) };
  if (!failed.data) return { state: 'loading' };
  return { state: 'ready', posting: failed.data.find((p) => p.transactionId === transactionId) ?? null };
}

type Dialog = 'none' | 'mark' | 'discard';

function MarkPostedDialog({ transactionId, onClose }: Readonly<{ transactionId: number; onClose: () => void }>) {
  const [doc, setDoc] = useState('');
  const [note, setNote] = useState('');
  // The action toasts its own outcome; the dialog closes when it succeeded.
  const mark = useMutation({ mutationFn: () => markPosted(transactionId, doc, note), onSuccess: (ok) => ok && onClose() });
  const busy = mark.isPending;
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const valid = doc.trim().length > 0 && doc.trim().length <= 64;
  return (
    <div className="modal-overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="modal modal-narrow"
        role="dialog"
        aria-modal="true"
        aria-labelledby="mark-posted-title"
        data-testid="mark-posted-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid || busy) return;
          mark.mutate();
        }}
      >
        <div className="modal-head">
          <h2 id="mark-posted-title">Mark as posted manually</h2>
        </div>
        <div className="modal-body">
          <p className="muted">
            Use this when the receipt for payment <span className="mono">#{transactionId}</span> was entered in the ERP by hand. Tieout will not post it again. The
            document number and your name go into the audit trail.
          </p>
          <div className="field">
            <label htmlFor="mark-doc">ERP document number (required)</label>
            <input id="mark-doc" ref={ref} data-testid="mark-posted-document" value={doc} maxLength={64} onChange={(e) => setDoc(e.target.value)} spellCheck={false} autoComplete="off" />
          </div>
          <div className="field field-gap">
            <label htmlFor="mark-note">Note</label>
            <textarea id="mark-note" data-testid="mark-posted-note" rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
        </div>
        <div className="modal-foot">
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton className="btn btn-primary" testId="mark-posted-confirm" busy={busy} busyLabel="Saving…" disabled={!valid}>
            Mark as posted
          </SubmitButton>
        </div>
      </form>
    </div>
  );
}

function DiscardForm({ transactionId, onClose }: Readonly<{ transactionId: number; onClose: () => void }>) {
  const [note, setNote] = useState('');
  const discard = useMutation({ mutationFn: () => discardPosting(transactionId, note), onSuccess: (ok) => ok && onClose() });
  return (
    <form
      className="inline-form"
      data-testid="discard-form"
      onSubmit={(e) => {
        e.preventDefault();
        discard.mutate();
      }}
    >
      <label htmlFor="discard-note" className="small">
        Why does this go back to review? <span className="muted">(kept in the audit trail)</span>
      </label>
      <textarea id="discard-note" data-testid="discard-note" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} autoFocus />
      <div className="inline-form-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
          Cancel
        </button>
        <SubmitButton className="btn btn-secondary btn-sm" testId="discard-confirm" busy={discard.isPending}>
          Return to review
        </SubmitButton>
      </div>
    </form>
  );
}

/** The dead-letter view of one payment: the ERP's own words, every attempt, and the ways out. */
export function FailedPostingSection({ transactionId, zone }: Readonly<{ transactionId: number; zone: string }>) {
  const load = useFailedPosting(transactionId);
  const [dialog, setDialog] = useState<Dialog>('none');
  const retryAction = useMutation({ mutationFn: () => retryPosting(transactionId) });
  const busy = retryAction.isPending;
  if (load.state === 'loading') return null;
  if (load.state === 'error') return <p className="error-text pad">{load.message}</p>;
  const p = load.posting;
  if (!p) return null;
  const retry = () => retryAction.mutate();
  return (
    <section className="dp-section failed-section" data-testid="failed-posting" data-transaction-id={transactionId}>
      <h3 className="dp-title">
        Posting failed
        <span className="dp-aside num">
          {p.attempts.length} {p.attempts.length === 1 ? 'attempt' : 'attempts'}
        </span>
      </h3>
      <div className="erp-message" data-testid="failed-erp-message">
        <div className="erp-message-label">The ERP said</div>
        <div className="erp-message-text">{p.lastError ?? 'No message was returned.'}</div>
      </div>
      <div className="failed-actions">
        <button type="button" className="btn btn-primary btn-sm" data-testid="failed-retry" disabled={busy} onClick={retry} title="Queue again; the ERP is asked first whether it already holds the receipt">
          Retry posting
        </button>
        <button type="button" className="btn btn-secondary btn-sm" data-testid="failed-edit" disabled={busy} onClick={() => void editAllocationAndRetry(transactionId)}>
          Edit allocation…
        </button>
        <button type="button" className="btn btn-secondary btn-sm" data-testid="failed-mark-posted" disabled={busy} onClick={() => setDialog('mark')}>
          Mark as posted…
        </button>
        <button type="button" className="btn btn-ghost btn-sm" data-testid="failed-discard" disabled={busy} onClick={() => setDialog(dialog === 'discard' ? 'none' : 'discard')}>
          Return to review
        </button>
        <ListExport kind="failed" what="failed postings" label="Export all failed…" />
      </div>
      {dialog === 'discard' ? <DiscardForm transactionId={transactionId} onClose={() => setDialog('none')} /> : null}
      {dialog === 'mark' ? <MarkPostedDialog transactionId={transactionId} onClose={() => setDialog('none')} /> : null}
      {p.attempts.length > 0 ? (
        <table className="table attempts" data-testid="failed-attempts">
          <thead>
            <tr>
              <th>When</th>
              <th>Outcome</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {p.attempts.map((a, i) => (
              <tr key={`${a.at}-${i}`}>
                <td className="num nowrap">{formatDateTimeInZone(a.at, zone)}</td>
                <td className="nowrap">{humanize(a.outcome)}</td>
                <td className="muted attempt-detail">{a.detail ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
