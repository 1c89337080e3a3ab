import { useState } from 'react';
import type { ImportDecisionsResult } from '@shared/api/offline';
import { invoke } from '../../api/client';
import { refreshRows } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { FilePassphraseForm } from './FilePassphraseForm';
import { useHandoff } from './handoff-store';
import './handoff.css';

// The exporting installation: apply a reviewer's decisions through the same
// checks as a clerk action here. What no longer holds is skipped with the
// reason; approvals are queued and re-validated before posting, and any that
// the world has overtaken show up as conflicts.

function Result({ result }: Readonly<{ result: ImportDecisionsResult }>) {
  return (
    <div className="hf-result" data-testid="handoff-import-result" data-applied={result.applied.length} data-skipped={result.skipped.length} data-approved={result.approved.length}>
      <p>
        <strong className="num" data-testid="handoff-import-applied">
          {result.applied.length}
        </strong>{' '}
        decision(s) applied
        {result.applied.length > 0 ? <span className="muted small"> · transactions {result.applied.join(', ')}</span> : null}
      </p>
      {result.approved.length > 0 ? (
        <p data-testid="handoff-import-approved">
          <strong className="num">{result.approved.length}</strong> approval(s) queued. Each is re-checked against fresh ERP and PayTrace data before posting; any that no longer hold appear under
          <strong> Conflicts</strong> with then and now side by side.
        </p>
      ) : null}
      {result.skipped.length > 0 ? (
        <div data-testid="handoff-import-skipped">
          <p>
            <strong className="num">{result.skipped.length}</strong> not applied:
          </p>
          <ul>
            {result.skipped.map((s) => (
              <li key={s.transactionId} data-testid="handoff-import-skip" data-transaction-id={s.transactionId}>
                <span className="num">{s.transactionId}</span>: {s.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

export function ImportDecisions() {
  const screen = useHandoff((s) => s.screen);
  const show = useHandoff((s) => s.show);
  const [result, setResult] = useState<ImportDecisionsResult | null>(null);
  if (screen !== 'import') return null;
  const close = () => {
    setResult(null);
    show('none');
  };
  return (
    <div className="hf-overlay" role="dialog" aria-modal="true" aria-labelledby="hf-import-title" data-testid="handoff-import-screen"
      onKeyDown={(e) => {
        // The grid's single-key shortcuts (a = approve…) must not act behind this screen.
        e.stopPropagation();
        if (e.key === 'Escape') close();
      }}
    >
      <div className="hf-panel">
        <div className="hf-head">
          <h2 id="hf-import-title">Import review decisions</h2>
        </div>
        {result ? (
          <>
            <Result result={result} />
            <div className="hf-buttons">
              <button type="button" className="btn btn-secondary" onClick={() => setResult(null)}>
                Import another file
              </button>
              <button type="button" className="btn btn-primary" data-testid="handoff-import-close" onClick={close}>
                Done
              </button>
            </div>
          </>
        ) : (
          <FilePassphraseForm
            idPrefix="handoff-import"
            intro={<p>Apply the decisions a reviewer made on the exceptions this installation took offline. Nothing is applied if the passphrase is wrong or the file was changed.</p>}
            submitLabel="Import"
            busyLabel="Importing…"
            onCancel={close}
            submit={async (base64, passphrase) => {
              const r = await invoke('handoff:importDecisions', { base64, passphrase });
              setResult(r);
              void refreshRows();
              toast(r.skipped.length > 0 ? 'warning' : 'success', `Applied ${r.applied.length} decision(s)`, r.skipped.length > 0 ? [`${r.skipped.length} not applied: see the list`] : []);
            }}
          />
        )}
      </div>
    </div>
  );
}
