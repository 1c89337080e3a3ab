import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ControlPreview, ControlView } from '@shared/api/controls';
import type { GridRow } from '@shared/domain';
import { formatMoney } from '@shared/money';
import { errorMessage, invoke } from '../../api/client';
import { invalidateMethods, useApiQuery } from '../../api/query';
import { toast } from '../../state/toast-store';
import { hasRole, useUser } from '../auth/session-store';
import { StepUpCodeField, useStepUpCode } from '../auth/StepUpCode';
import './controls.css';
import { actionsFor } from '@shared/row-actions';

// Supervisor controls in a transaction's detail panel: "Write off remainder"
// for a pending short pay (or "Request override" beyond tolerance), the
// pending approval with Approve/Reject for supervisors, and "Reverse receipt"
// for supervisors on posted rows.

/** This transaction's controls, and (while it is pending) what a write-off or override would be; rows:changed for it makes both stale. */
function useControls(transactionId: number, pending: boolean): [ControlView[], ControlPreview | null] {
  const list = useApiQuery('controls:list', { transactionId });
  const preview = useApiQuery('controls:preview', { transactionId }, { enabled: pending });
  return [list.data ?? [], pending && !preview.error ? (preview.data ?? null) : null];
}

const KIND_LABEL: Record<ControlView['kind'], string> = { write_off: 'Write-off', override: 'Tolerance override', reversal: 'Receipt reversal' };

/** The state in words and the pill colour it wears; a reversal reads by its ERP side. */
function stateOf(c: ControlView): { label: string; tone: string } {
  if (c.kind === 'reversal' && c.reversal) {
    switch (c.reversal.state) {
      case 'posted':
        return { label: 'Reversed', tone: 'reversed' };
      case 'dead':
        return { label: 'Reversal failed', tone: 'failed' };
      case 'unknown_outcome':
        return { label: 'Outcome unknown', tone: 'review' };
      case 'retry_wait':
        return { label: 'Will retry', tone: 'review' };
      default:
        return { label: 'Reversing…', tone: 'approved' };
    }
  }
  switch (c.state) {
    case 'requested':
      return { label: 'Awaiting supervisor', tone: 'review' };
    case 'approved':
      return { label: 'Approved', tone: 'approved' };
    case 'done':
      return { label: 'Done', tone: 'auto' };
    case 'rejected':
      return { label: 'Rejected', tone: 'failed' };
    case 'failed':
      return { label: 'Failed', tone: 'failed' };
  }
}

export function TransactionControls({ row }: Readonly<{ row: GridRow }>) {
  const user = useUser();
  const supervisor = hasRole(user, 'supervisor');
  // Write-offs and overrides are for sales only (shared/row-actions.ts): a refund, void or decline has no balance to close.
  const pendingRow = actionsFor(row).writeOff;
  const [controls, preview] = useControls(row.transactionId, pendingRow);
  const client = useQueryClient();
  const [form, setForm] = useState<null | 'write_off' | 'override' | 'reverse'>(null);
  const [reasonCode, setReasonCode] = useState('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const reverseStepUp = useStepUpCode();
  const action = useMutation({
    mutationFn: ({ work }: Readonly<{ work: () => Promise<ControlView>; done: string }>) => work(),
    onSuccess: (v, { done }) => {
      toast('success', done.replace('{state}', stateOf(v).label.toLowerCase()));
      setForm(null);
      setPassword('');
      reverseStepUp.reset();
      return invalidateMethods(client, ['controls:list', 'controls:preview']);
    },
  });
  const busy = action.isPending;
  const error = action.error ? errorMessage(action.error) : null;
  const waiting = controls.find((c) => c.state === 'requested') ?? null;
  const reversal = controls.find((c) => c.kind === 'reversal') ?? null;

  const run = async (work: () => Promise<ControlView>, done: string) => {
    try {
      await action.mutateAsync({ work, done });
    } catch {
      // Shown in the form from the mutation's error.
    }
  };

  const open = (kind: 'write_off' | 'override' | 'reverse') => {
    setForm(kind);
    setReasonCode(preview?.reasonCodes[0] ?? '');
    setText('');
    setPassword('');
    reverseStepUp.reset();
    action.reset();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form === 'write_off') void run(() => invoke('controls:requestWriteOff', { transactionId: row.transactionId, reasonCode, note: text }), 'Write-off {state}');
    else if (form === 'override') void run(() => invoke('controls:requestOverride', { transactionId: row.transactionId, reasonCode, note: text }), 'Override {state}');
    else if (form === 'reverse') {
      const work = () =>
        invoke('controls:reverse', { transactionId: row.transactionId, reason: text, password, ...reverseStepUp.args() }).catch((err: unknown) => {
          reverseStepUp.failed(err);
          throw err;
        });
      void run(work, 'Reversal {state}');
    }
  };

  const canWriteOff = pendingRow && !waiting && preview !== null && preview.writeOffCents > 0 && preview.erpTakesWriteOffs;
  const canOverride = pendingRow && !waiting && preview !== null && preview.overTolerance && preview.writeOffCents === 0;
  const canReverse = supervisor && row.status === 'posted' && !reversal;
  const nothingToOffer = controls.length === 0 && !canWriteOff && !canOverride && !canReverse && form === null;

  return (
    <section className="dp-section controls" data-testid="controls">
      <h3 className="dp-title">Supervisor controls</h3>
      {nothingToOffer ? <p className="muted control-none">Nothing to approve or reverse here.</p> : null}
      {controls.map((c) => (
        <ControlCard key={c.id} c={c} supervisor={supervisor} busy={busy} onRun={run} />
      ))}
      {form === null ? (
        canWriteOff || canOverride || canReverse ? (
          <div className="control-actions">
            {canWriteOff ? (
              <button type="button" className="btn btn-secondary btn-sm" data-testid="write-off-open" onClick={() => open('write_off')}>
                Write off remainder {formatMoney(preview.writeOffCents, preview.currency)}
                {preview.needsApproval ? ' (needs a supervisor)' : ''}
              </button>
            ) : null}
            {canOverride ? (
              <button type="button" className="btn btn-secondary btn-sm" data-testid="override-open" onClick={() => open('override')}>
                Approve beyond tolerance ({formatMoney(preview.differenceCents, preview.currency)})
                {preview.needsApproval ? ' (needs a supervisor)' : ''}
              </button>
            ) : null}
            {canReverse ? (
              <button type="button" className="btn btn-sm btn-danger" data-testid="reverse-open" onClick={() => open('reverse')}>
                Reverse receipt in the ERP…
              </button>
            ) : null}
          </div>
        ) : null
      ) : (
        <form className="control-form" onSubmit={submit} data-testid="control-form">
          <p className="control-explain">
            {form === 'write_off' && preview
              ? `Approves the payment and writes off ${preview.writeOffs.map((w) => `${formatMoney(w.amountCents, preview.currency)} on invoice ${w.invoiceNo}`).join(', ')} with the receipt.`
              : form === 'override' && preview
                ? `Approves the payment although it differs by ${formatMoney(preview.differenceCents, preview.currency)} from the invoices' open balance.`
                : 'Posts a reversing receipt in the ERP, which re-opens the invoices it paid. Tieout does not re-match the payment.'}
            {form !== 'reverse' && preview?.needsApproval ? ` Above the clerk limit: ${preview.approvalRule.toLowerCase()}.` : ''}
          </p>
          {form === 'reverse' ? null : (
            <label className="control-field">
              <span>Reason</span>
              <select data-testid="control-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value)}>
                {(preview?.reasonCodes ?? []).map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </label>
          )}
          <label className="control-field">
            <span>{form === 'reverse' ? 'Reason' : 'Note'}</span>
            <input placeholder={form === 'reverse' ? 'Why the receipt is reversed (required)' : 'Optional'} data-testid="control-text" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          {form === 'reverse' ? (
            <label className="control-field">
              <span>Your password</span>
              <input type="password" autoComplete="current-password" data-testid="control-reverse-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
          ) : null}
          {form === 'reverse' && reverseStepUp.needed ? (
            <label className="control-field">
              <span>Code</span>
              <StepUpCodeField stepUp={reverseStepUp} testId="control-reverse-code" />
            </label>
          ) : null}
          <div className="control-actions">
            <button type="submit" className={`btn btn-sm ${form === 'reverse' ? 'btn-danger' : 'btn-primary'}`} data-testid="control-submit" disabled={busy || (form === 'reverse' && (!text.trim() || !password || reverseStepUp.missing))}>
              {form === 'reverse' ? 'Reverse receipt' : preview?.needsApproval ? 'Ask a supervisor' : 'Write off and approve'}
            </button>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
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

type Run = (work: () => Promise<ControlView>, done: string) => Promise<void>;

/** One control: what, how much, its state, who asked and approved, and the supervisor's actions on it. */
function ControlCard({ c, supervisor, busy, onRun }: Readonly<{ c: ControlView; supervisor: boolean; busy: boolean; onRun: Run }>) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUpCode();
  const [rejecting, setRejecting] = useState(false);
  const [rejectReason, setRejectReason] = useState('');
  const state = stateOf(c);
  const why = c.kind === 'reversal' ? c.note : [c.reasonCode, c.note].filter((x) => x.trim() !== '').join(' — ');
  return (
    <div className={`control control-${c.state}`} data-testid="control" data-control-id={c.id} data-kind={c.kind} data-state={c.state}>
      <div className="control-head">
        <span className="control-kind">{KIND_LABEL[c.kind]}</span>
        <span className="num control-amount">{formatMoney(c.amountCents, c.currency)}</span>
        <span className={`pill pill-${state.tone} control-state`} data-testid="control-state">
          {state.label}
        </span>
      </div>
      {c.writeOffs.length > 0 ? (
        <div className="control-lines">
          {c.writeOffs.map((w) => (
            <span key={w.invoiceNo} className="chip">
              Invoice {w.invoiceNo}: {formatMoney(w.amountCents, c.currency)} written off
            </span>
          ))}
        </div>
      ) : null}
      {why ? <div className="control-why">{why}</div> : null}
      <div className="control-meta">
        {c.kind === 'reversal' ? (
          <>
            By {c.requestedBy}, password confirmed
            {c.reversal ? ` · ERP reference ${c.reversal.reference}${c.reversal.erpDocumentId ? `, document ${c.reversal.erpDocumentId}` : ''}` : ''}
          </>
        ) : (
          <>
            Asked by {c.requestedBy}
            {c.approvals.length > 0 ? ` · approved by ${c.approvals.map((a) => a.by).join(', ')}` : c.state === 'done' ? ' · within the clerk limit' : ''}
          </>
        )}
      </div>
      {c.state === 'requested' ? <div className="control-meta">Needs: {c.approvalRule}</div> : null}
      {c.rejectReason ? <div className="control-meta control-bad">Rejected by {c.rejectedBy ?? 'a supervisor'}: {c.rejectReason}</div> : null}
      {c.lastError ? <div className="control-meta control-bad">{c.lastError}</div> : null}
      {c.state === 'requested' && supervisor ? (
        rejecting ? (
          <div className="control-actions">
            <input className="control-input" placeholder="Why it is rejected" aria-label="Reject reason" data-testid="control-reject-reason" value={rejectReason} onChange={(e) => setRejectReason(e.target.value)} />
            <button type="button" className="btn btn-danger btn-sm" data-testid="control-reject-confirm" disabled={busy || !rejectReason.trim()} onClick={() => void onRun(() => invoke('controls:reject', { controlId: c.id, reason: rejectReason }), 'Rejected')}>
              Reject
            </button>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setRejecting(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="control-actions">
            <input type="password" className="control-input" placeholder="Your password" aria-label="Your password" autoComplete="current-password" data-testid="control-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            <StepUpCodeField stepUp={stepUp} testId="control-code" className="control-input" />
            <button
              type="button"
              className="btn btn-primary btn-sm"
              data-testid="control-approve"
              disabled={busy || !password || stepUp.missing}
              onClick={() => {
                const approve = () =>
                  invoke('controls:approve', { controlId: c.id, password, ...stepUp.args() }).then(
                    (v) => {
                      setPassword('');
                      stepUp.reset();
                      return v;
                    },
                    (err: unknown) => {
                      // Asked for the two-step code: the password was right, keep it for the second try.
                      if (!stepUp.failed(err)) setPassword('');
                      throw err;
                    },
                  );
                void onRun(approve, 'Approved: {state}');
              }}
            >
              Approve
            </button>
            <button type="button" className="btn btn-secondary btn-sm" data-testid="control-reject" disabled={busy} onClick={() => setRejecting(true)}>
              Reject…
            </button>
          </div>
        )
      ) : null}
      {c.kind === 'reversal' && c.reversal && c.reversal.state !== 'posted' && supervisor ? (
        <div className="control-actions">
          <button type="button" className="btn btn-secondary btn-sm" data-testid="control-run-reversal" disabled={busy} onClick={() => void onRun(() => invoke('controls:runReversal', { controlId: c.id }), 'Reversal {state}')}>
            Run now
          </button>
        </div>
      ) : null}
    </div>
  );
}
