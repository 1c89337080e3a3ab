import { useEffect, useState, type FormEvent } from 'react';
import type { ControlPreview, ControlView } from '@shared/api/controls';
import type { GridRow } from '@shared/domain';
import { formatMoney } from '@shared/money';
import { errorMessage, invoke, subscribe } from '../../api/client';
import { toast } from '../../state/toast-store';
import { hasRole, useUser } from '../auth/session-store';
import './controls.css';

// Supervisor controls in a transaction's detail panel: "Write off remainder"
// for a pending short pay (or "Request override" beyond tolerance), the
// pending approval with Approve/Reject for supervisors, and "Reverse receipt"
// for supervisors on posted rows.

function useControls(transactionId: number, pending: boolean): [ControlView[], ControlPreview | null, () => void] {
  const [controls, setControls] = useState<ControlView[]>([]);
  const [preview, setPreview] = useState<ControlPreview | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    invoke('controls:list', { transactionId })
      .then((r) => alive && setControls(r))
      .catch(() => undefined);
    if (pending) {
      invoke('controls:preview', { transactionId })
        .then((r) => alive && setPreview(r))
        .catch(() => alive && setPreview(null));
    } else setPreview(null);
    const off = subscribe('rows:changed', (e) => {
      if (e.transactionIds === null || e.transactionIds.includes(transactionId)) setTick((t) => t + 1);
    });
    return () => {
      alive = false;
      off();
    };
  }, [transactionId, pending, tick]);
  return [controls, preview, () => setTick((t) => t + 1)];
}

const KIND_LABEL: Record<ControlView['kind'], string> = { write_off: 'Write-off', override: 'Override', reversal: 'Reversal' };

export function TransactionControls({ row }: Readonly<{ row: GridRow }>) {
  const user = useUser();
  const supervisor = hasRole(user, 'supervisor');
  const pendingRow = row.status === 'review' || row.status === 'exception' || row.status === 'auto';
  const [controls, preview, reload] = useControls(row.transactionId, pendingRow);
  const [form, setForm] = useState<null | 'write_off' | 'override' | 'reverse'>(null);
  const [reasonCode, setReasonCode] = useState('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const waiting = controls.find((c) => c.state === 'requested') ?? null;
  const reversal = controls.find((c) => c.kind === 'reversal') ?? null;

  const run = async (work: () => Promise<ControlView>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      const v = await work();
      toast('success', done.replace('{state}', v.state));
      setForm(null);
      setPassword('');
      reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const open = (kind: 'write_off' | 'override' | 'reverse') => {
    setForm(kind);
    setReasonCode(preview?.reasonCodes[0] ?? '');
    setText('');
    setPassword('');
    setError(null);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form === 'write_off') void run(() => invoke('controls:requestWriteOff', { transactionId: row.transactionId, reasonCode, note: text }), 'Write-off {state}');
    else if (form === 'override') void run(() => invoke('controls:requestOverride', { transactionId: row.transactionId, reasonCode, note: text }), 'Override {state}');
    else if (form === 'reverse') void run(() => invoke('controls:reverse', { transactionId: row.transactionId, reason: text, password }), 'Reversal {state}');
  };

  const canWriteOff = pendingRow && !waiting && preview !== null && preview.writeOffCents > 0 && preview.erpTakesWriteOffs;
  const canOverride = pendingRow && !waiting && preview !== null && preview.overTolerance && preview.writeOffCents === 0;
  const canReverse = supervisor && row.status === 'posted' && !reversal;

  return (
    <section className="dp-section controls" data-testid="controls">
      <h3>Supervisor controls</h3>
      {controls.map((c) => (
        <div key={c.id} className={`control control-${c.state}`} data-testid={`control-${c.id}`}>
          <span className="control-kind">{KIND_LABEL[c.kind]}</span> <span className="num">{formatMoney(c.amountCents, c.currency)}</span>{' '}
          <span className="control-state" data-testid="control-state">
            {c.kind === 'reversal' && c.reversal ? (c.reversal.state === 'posted' ? 'reversed' : c.reversal.state.replace('_', ' ')) : c.state === 'requested' ? 'awaiting supervisor' : c.state}
          </span>
          <div className="control-meta">
            {c.reasonCode} · asked by {c.requestedBy}
            {c.approvals.length > 0 ? ` · approved by ${c.approvals.map((a) => a.by).join(', ')}` : ''}
            {c.state === 'requested' ? ` · needs: ${c.approvalRule}` : ''}
            {c.rejectReason ? ` · rejected by ${c.rejectedBy ?? ''}: ${c.rejectReason}` : ''}
            {c.lastError ? ` · ${c.lastError}` : ''}
          </div>
          {c.state === 'requested' && supervisor ? (
            <div className="control-actions">
              <input type="password" placeholder="Your password" aria-label="Your password" data-testid="control-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              <button type="button" className="btn btn-primary btn-sm" data-testid="control-approve" disabled={busy || !password} onClick={() => void run(() => invoke('controls:approve', { controlId: c.id, password }), 'Approved: {state}')}>
                Approve
              </button>
              <button type="button" className="btn btn-sm" data-testid="control-reject" disabled={busy} onClick={() => void run(() => invoke('controls:reject', { controlId: c.id, reason: 'Rejected by supervisor' }), 'Rejected')}>
                Reject
              </button>
            </div>
          ) : null}
          {c.kind === 'reversal' && c.reversal && c.reversal.state !== 'posted' && supervisor ? (
            <button type="button" className="btn btn-sm" data-testid="control-run-reversal" disabled={busy} onClick={() => void run(() => invoke('controls:runReversal', { controlId: c.id }), 'Reversal {state}')}>
              Run now
            </button>
          ) : null}
        </div>
      ))}
      {form === null ? (
        <div className="control-actions">
          {canWriteOff ? (
            <button type="button" className="btn btn-sm" data-testid="write-off-open" onClick={() => open('write_off')}>
              Write off remainder {formatMoney(preview.writeOffCents, preview.currency)}
              {preview.needsApproval ? ' (needs a supervisor)' : ''}
            </button>
          ) : null}
          {canOverride ? (
            <button type="button" className="btn btn-sm" data-testid="override-open" onClick={() => open('override')}>
              Approve beyond tolerance ({formatMoney(preview.differenceCents, preview.currency)})
            </button>
          ) : null}
          {canReverse ? (
            <button type="button" className="btn btn-sm btn-danger" data-testid="reverse-open" onClick={() => open('reverse')}>
              Reverse receipt
            </button>
          ) : null}
        </div>
      ) : (
        <form className="control-form" onSubmit={submit} data-testid="control-form">
          {form === 'reverse' ? null : (
            <select aria-label="Reason" data-testid="control-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value)}>
              {(preview?.reasonCodes ?? []).map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          )}
          <input aria-label={form === 'reverse' ? 'Reason' : 'Note'} placeholder={form === 'reverse' ? 'Reason (required)' : 'Note'} data-testid="control-text" value={text} onChange={(e) => setText(e.target.value)} />
          {form === 'reverse' ? (
            <input type="password" aria-label="Your password" placeholder="Your password" data-testid="control-reverse-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          ) : null}
          <button type="submit" className="btn btn-primary btn-sm" data-testid="control-submit" disabled={busy || (form === 'reverse' && (!text.trim() || !password))}>
            {form === 'reverse' ? 'Reverse receipt' : 'Approve and ask'}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setForm(null)}>
            Cancel
          </button>
        </form>
      )}
      {error ? (
        <p className="control-error" role="alert" data-testid="control-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
