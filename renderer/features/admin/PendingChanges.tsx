import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { PendingChangeView } from '@shared/api/admin';
import { errorMessage, invoke } from '../../api/client';
import { invalidateMethods, useAction, useApiQuery } from '../../api/query';
import { ListExport } from '../export/ListExport';
import { ErrorText, SubmitButton } from '../../ui/form';
import { toast } from '../../state/toast-store';
import { useUser } from '../auth/session-store';
import { StepUpCodeField, useStepUpCode } from '../auth/StepUpCode';

// Admin only: changes that loosen the controls (a limit raised, a reason code
// added, a user promoted, required two-step sign-in switched off) wait here
// for a second admin, who approves with their own password (and code, when
// enrolled: four-eyes) or rejects with a reason. The engine refuses
// the admin who asked; the list only mirrors that.

function PendingChangeRow({ change, mine }: Readonly<{ change: PendingChangeView; mine: boolean }>) {
  const client = useQueryClient();
  const [mode, setMode] = useState<'approve' | 'reject' | null>(null);
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const stepUp = useStepUpCode();
  const { run, busy } = useAction(
    async () => {
      let keepPassword = false;
      try {
        const done = mode === 'approve' ? await invoke('admin:approveChange', { changeId: change.id, password, ...stepUp.args() }) : await invoke('admin:rejectChange', { changeId: change.id, reason });
        toast('success', done.state === 'approved' ? 'Change approved and applied' : 'Change rejected', [change.summary]);
        setMode(null);
        stepUp.reset();
      } catch (e) {
        // Asked for the two-step code: the password was right, keep it for the second try.
        keepPassword = stepUp.failed(e);
        setError(errorMessage(e));
      } finally {
        if (!keepPassword) setPassword('');
        await invalidateMethods(client, ['admin:pendingChanges', 'refunds:policy', 'controls:policy', 'auth:users']);
      }
    },
  );
  return (
    <li className="admin-pending" data-testid={`pending-change-${change.id}`} data-state={change.state}>
      <div>
        <strong>{change.summary}</strong>
        <div className="muted small">
          Asked by {change.requestedBy} at {new Date(change.requestedAt).toLocaleString()}
          {change.state !== 'pending' ? ` · ${change.state} by ${change.decidedBy ?? '?'}${change.rejectReason ? `: ${change.rejectReason}` : ''}` : mine ? ' · another admin must approve it' : ''}
        </div>
      </div>
      {change.state === 'pending' && mode === null ? (
        <div className="admin-inline">
          <button type="button" className="btn btn-sm" data-testid="pending-approve" disabled={mine} title={mine ? 'You asked for this change: another admin approves it' : undefined} onClick={() => setMode('approve')}>
            Approve…
          </button>
          <button type="button" className="btn btn-ghost btn-sm" data-testid="pending-reject" onClick={() => setMode('reject')}>
            {mine ? 'Withdraw…' : 'Reject…'}
          </button>
        </div>
      ) : null}
      {mode !== null ? (
        <form
          className="admin-inline"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            run();
          }}
        >
          {mode === 'approve' ? (
            <input
              type="password"
              data-testid="pending-password"
              placeholder="Your password"
              aria-label="Re-enter your password to approve"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          ) : (
            <input data-testid="pending-reason" placeholder="Reason" aria-label="Reason for rejecting" value={reason} onChange={(e) => setReason(e.target.value)} />
          )}
          {mode === 'approve' ? <StepUpCodeField stepUp={stepUp} testId="pending-code" /> : null}
          <SubmitButton testId="pending-confirm" busy={busy} busyLabel="Working…" disabled={mode === 'approve' ? !password || stepUp.missing : !reason.trim()}>
            {mode === 'approve' ? 'Approve' : 'Reject'}
          </SubmitButton>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              setMode(null);
              stepUp.reset();
            }}
          >
            Cancel
          </button>
        </form>
      ) : null}
      <ErrorText error={error} testId="pending-error" />
    </li>
  );
}

export function PendingChanges() {
  const me = useUser();
  const query = useApiQuery('admin:pendingChanges', {}, { refetchOnMount: 'always' });
  const changes = query.data ?? [];
  const waiting = changes.filter((c) => c.state === 'pending');
  return (
    <section className="settings-section" data-testid="pending-changes">
      <header className="settings-head">
        <h3>Pending changes</h3>
        <ListExport kind="pendingChanges" what="admin changes" />
        <span className="muted small">Raised limits, added reason codes, promotions and switching off required two-step sign-in apply when a second admin approves them.</span>
      </header>
      <ErrorText error={query.error ? errorMessage(query.error) : null} />
      {waiting.length === 0 ? <p className="muted small">Nothing waits for a second admin.</p> : null}
      <ul className="admin-pending-list">
        {waiting.map((c) => (
          <PendingChangeRow key={c.id} change={c} mine={me !== null && me.userName.toLowerCase() === c.requestedBy.toLowerCase()} />
        ))}
      </ul>
    </section>
  );
}
