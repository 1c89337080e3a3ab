import { useState } from 'react';
import type { HandoffSession } from '@shared/api/offline';
import { invoke } from '../../api/client';
import { useFormSubmit } from '../../ui/use-form-submit';
import { formatAmount, formatDateTimeInZone, humanize } from '../../format';
import { exceptionLabel } from '../../labels';
import { useData } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { DecisionForm } from './DecisionForm';
import { FilePassphraseForm } from './FilePassphraseForm';
import { downloadBase64 } from './handoff-files';
import { useHandoff } from './handoff-store';
import './handoff.css';

// The reviewing installation: open a hand-off file another Tieout exported,
// decide its exceptions, and export the decisions (encrypted) for the
// installation that exported them.

function ExportDecisions({ session }: Readonly<{ session: HandoffSession }>) {
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, setError, run } = useFormSubmit();
  const count = Object.keys(session.decisions).length;
  const go = async () => {
    if (passphrase.length < 8) return setError('Use a passphrase of at least 8 characters.');
    await run(async () => {
      const r = await invoke('handoff:exportDecisions', { sessionId: session.sessionId, passphrase });
      downloadBase64(r.fileName, r.base64);
      toast('success', `Exported ${r.count} decision(s)`, [`Send ${r.fileName} back; the passphrase separately.`]);
      setPassphrase('');
    });
  };
  return (
    <form
      className="hf-export"
      onSubmit={(e) => {
        e.preventDefault();
        void go();
      }}
    >
      <span data-testid="handoff-decision-count" data-count={count}>
        <strong className="num">{count}</strong> of {session.exceptions.length} decided
      </span>
      <span className="spacer" />
      <label htmlFor="hf-export-pass">Passphrase for the decisions file</label>
      <input id="hf-export-pass" type="password" autoComplete="new-password" value={passphrase} data-testid="handoff-export-passphrase" onChange={(e) => setPassphrase(e.target.value)} />
      <button type="submit" className="btn btn-primary" disabled={busy || count === 0} title={count === 0 ? 'Record at least one decision first' : undefined} data-testid="handoff-export-decisions">
        {busy ? 'Encrypting…' : 'Export decisions'}
      </button>
      {error ? (
        <span className="hf-error" role="alert" data-testid="handoff-export-error">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function SessionView({ session }: Readonly<{ session: HandoffSession }>) {
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');
  const setSession = useHandoff((s) => s.setSession);
  const [selected, setSelected] = useState<number | null>(session.exceptions[0]?.transactionId ?? null);
  const item = session.exceptions.find((e) => e.transactionId === selected) ?? null;
  return (
    <div className="hf-session" data-testid="handoff-review" data-session-id={session.sessionId}>
      <div className="hf-meta muted small" data-testid="handoff-meta">
        Exported by <strong>{session.exportedBy}</strong> on {formatDateTimeInZone(session.exportedAt, zone)} · PayTrace data as of {formatDateTimeInZone(session.paytraceAsOf, zone)} · ERP data as of{' '}
        {formatDateTimeInZone(session.erpAsOf, zone)} · {session.exceptions.length} exception(s), {session.invoices.length} invoice(s)
      </div>
      <div className="hf-body">
        <ul className="hf-list" data-testid="handoff-exceptions" aria-label="Exceptions in this file">
          {session.exceptions.length === 0 ? <li className="muted pad">The file holds no open exceptions.</li> : null}
          {session.exceptions.map((e) => {
            const decided = session.decisions[String(e.transactionId)] !== undefined;
            return (
              <li key={e.transactionId}>
                <button
                  type="button"
                  className={`hf-item${e.transactionId === selected ? ' hf-item-selected' : ''}`}
                  data-testid="handoff-exception"
                  data-transaction-id={e.transactionId}
                  data-decided={decided}
                  aria-current={e.transactionId === selected || undefined}
                  onClick={() => setSelected(e.transactionId)}
                >
                  <span className="hf-item-top">
                    <span className="num">{e.transactionId}</span>
                    <span className="num hf-amount">{formatAmount(e.amountCents, e.currency)}</span>
                  </span>
                  <span className="hf-item-payer">{e.payer || '(no payer)'}</span>
                  <span className="hf-item-tags">
                    <span className={`pill pill-${e.status}`}>{humanize(e.status)}</span>
                    {e.exception ? <span className="small muted">{exceptionLabel(e.exception)}</span> : null}
                    {decided ? (
                      <span className="hf-decided" data-testid="handoff-decided">
                        decided
                      </span>
                    ) : null}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
        {item ? (
          <div className="hf-detail">
            <div className="hf-detail-head">
              <strong data-testid="handoff-detail-payer">{item.payer || '(no payer)'}</strong>
              <span className="num">{formatAmount(item.amountCents, item.currency)}</span>
              <span className="muted small">
                {item.method === 'card' ? `Card ${item.maskedCard}` : 'ACH'} · ref <span className="mono">{item.reference || '—'}</span> · {formatDateTimeInZone(item.createdAt, zone)}
              </span>
            </div>
            <p className="small">{item.reason}</p>
            <DecisionForm key={`${session.sessionId}-${item.transactionId}`} session={session} item={item} onSaved={setSession} />
          </div>
        ) : null}
      </div>
      <ExportDecisions session={session} />
    </div>
  );
}

export function HandoffReview() {
  const screen = useHandoff((s) => s.screen);
  const show = useHandoff((s) => s.show);
  const session = useHandoff((s) => s.session);
  const setSession = useHandoff((s) => s.setSession);
  if (screen !== 'review') return null;
  return (
    <div className="hf-overlay" role="dialog" aria-modal="true" aria-labelledby="hf-review-title" data-testid="handoff-review-screen"
      onKeyDown={(e) => {
        // The grid's single-key shortcuts (a = approve…) must not act behind this screen.
        e.stopPropagation();
        if (e.key === 'Escape') show('none');
      }}
    >
      <div className="hf-panel hf-panel-wide">
        <div className="hf-head">
          <h2 id="hf-review-title">Review a hand-off file</h2>
          <span className="spacer" />
          {session ? (
            <button type="button" className="btn btn-ghost btn-sm" data-testid="handoff-open-another" onClick={() => setSession(null)}>
              Open another file
            </button>
          ) : null}
          <button type="button" className="btn btn-secondary btn-sm" data-testid="handoff-review-close" onClick={() => show('none')}>
            Close
          </button>
        </div>
        {session ? (
          <SessionView session={session} />
        ) : (
          <FilePassphraseForm
            idPrefix="handoff-open"
            intro={
              <p>
                Open the exceptions another Tieout installation exported with <strong>Take offline</strong>. Your decisions stay here until you export them; opening the same file again keeps them.
              </p>
            }
            submitLabel="Open"
            busyLabel="Decrypting…"
            onCancel={() => show('none')}
            submit={async (base64, passphrase) => {
              setSession(await invoke('handoff:open', { base64, passphrase }));
            }}
          />
        )}
      </div>
    </div>
  );
}
