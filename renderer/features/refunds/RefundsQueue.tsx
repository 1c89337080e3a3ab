import { useState } from 'react';
import { DecisionInput } from '../../ui/decision-input';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RefundState, RefundView } from '@shared/api/refunds';
import { formatMoney } from '@shared/money';
import { errorMessage, invoke } from '../../api/client';
import { invalidateMethods, useApiMutation, useApiQuery } from '../../api/query';
import { ListExport } from '../export/ListExport';
import { ErrorText, SubmitButton } from '../../ui/form';
import { hasRole, useUser } from '../auth/session-store';
import { StepUpCodeField, useStepUpCode } from '../auth/StepUpCode';
import { useRefundsUi } from './refund-store';
import './refunds.css';

// The Refunds queue: every request with its state. Supervisors approve here,
// re-entering their own password (four-eyes), or reject with a reason. The
// engine enforces who may do what; the buttons only mirror it.

const STATE_LABELS: Record<RefundState, string> = {
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
  executing: 'Executing',
  done: 'Done',
  failed: 'Failed',
};

export function RefundStatePill({ state }: Readonly<{ state: RefundState }>) {
  return (
    <span className={`refund-pill refund-pill-${state}`} data-testid="refund-state">
      {STATE_LABELS[state]}
    </span>
  );
}

/** A refund action: while it runs the buttons wait; afterwards the queue (refunds:list) is read again. */
function useRefundAction(onDone: () => void = () => undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (call: () => Promise<unknown>) => call(),
    onSuccess: () => {
      onDone();
      return invalidateMethods(client, ['refunds:list', 'inbox:list', 'inbox:counts']);
    },
  });
}

/** A refund the world has overtaken: then and now side by side, and the ways out. */
function RefundConflictBox({ r, canResolve }: Readonly<{ r: RefundView; canResolve: boolean }>) {
  const resolveConflict = useApiMutation('refunds:resolveConflict', { invalidates: ['refunds:list'] });
  const busy = resolveConflict.isPending;
  const error = resolveConflict.error ? errorMessage(resolveConflict.error) : null;
  const c = r.conflict;
  if (!c) return null;
  const resolve = (action: 'reduce' | 'discard') => resolveConflict.mutate({ refundId: r.id, action });
  return (
    <div className="refund-conflict" data-testid="refund-conflict">
      <div className="error-text small">Held back: {c.detail}</div>
      <table className="small refund-conflict-table">
        <tbody>
          <tr>
            <th />
            <th>When approved</th>
            <th>Now (PayTrace)</th>
          </tr>
          <tr>
            <td>Refundable</td>
            <td className="num">{formatMoney(c.then.refundableCents, r.currency)}</td>
            <td className="num">{formatMoney(c.now.refundableCents, r.currency)}</td>
          </tr>
          <tr>
            <td>Already refunded</td>
            <td className="num">—</td>
            <td className="num">{formatMoney(c.now.refundedCents, r.currency)}</td>
          </tr>
        </tbody>
      </table>
      {canResolve ? (
        <div className="refund-conflict-actions">
          {c.choices.includes('reduce') ? (
            <button type="button" className="btn btn-secondary btn-sm" disabled={busy} data-testid="refund-conflict-reduce" onClick={() => resolve('reduce')}>
              Reduce to {formatMoney(c.now.refundableCents, r.currency)}
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost btn-sm" disabled={busy} data-testid="refund-conflict-discard" onClick={() => resolve('discard')}>
            Discard
          </button>
        </div>
      ) : (
        <div className="muted small">A supervisor decides: reduce or discard.</div>
      )}
      {error ? <div className="error-text small">{error}</div> : null}
    </div>
  );
}

function Decision({ r }: Readonly<{ r: RefundView }>) {
  const [mode, setMode] = useState<'idle' | 'approve' | 'reject'>('idle');
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState('');
  const stepUp = useStepUpCode();
  const action = useRefundAction(() => {
    setMode('idle');
    setPassword('');
    stepUp.reset();
  });
  const busy = action.isPending;
  const error = action.error ? errorMessage(action.error) : null;
  const run = (call: () => Promise<unknown>) => action.mutate(call);
  if (mode === 'idle') {
    return (
      <div className="refund-approve">
        {r.state === 'requested' ? (
          <button type="button" className="btn btn-primary btn-sm" data-testid={`refund-approve-${r.id}`} onClick={() => setMode('approve')}>
            Approve…
          </button>
        ) : null}
        {r.state === 'approved' ? (
          <button type="button" className="btn btn-secondary btn-sm" data-testid={`refund-execute-${r.id}`} onClick={() => run(() => invoke('refunds:execute', { refundId: r.id }))}>
            Run now
          </button>
        ) : null}
        {r.state === 'requested' || r.state === 'approved' ? (
          <button type="button" className="btn btn-ghost btn-sm" data-testid={`refund-reject-${r.id}`} onClick={() => setMode('reject')}>
            Reject…
          </button>
        ) : null}
        {error ? (
          <span className="error-text small" data-testid="refund-error">
            {error}
          </span>
        ) : null}
      </div>
    );
  }
  return (
    <form
      className="refund-approve"
      onSubmit={(e) => {
        e.preventDefault();
        run(() =>
          mode === 'approve'
            ? invoke('refunds:approve', { refundId: r.id, password, ...stepUp.args() }).catch((err: unknown) => {
                stepUp.failed(err);
                throw err;
              })
            : invoke('refunds:reject', { refundId: r.id, reason }),
        );
      }}
    >
      <DecisionInput mode={mode} testIdPrefix="refund" password={password} onPassword={setPassword} reason={reason} onReason={setReason} />
      {mode === 'approve' ? <StepUpCodeField stepUp={stepUp} testId="refund-code" /> : null}
      <SubmitButton testId="refund-confirm" busy={busy} busyLabel="Working…" disabled={mode === 'approve' ? !password || stepUp.missing : !reason.trim()}>
        {mode === 'approve' ? 'Approve refund' : 'Reject'}
      </SubmitButton>
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        onClick={() => {
          setMode('idle');
          stepUp.reset();
        }}
      >
        Cancel
      </button>
      {error ? (
        <span className="error-text small" data-testid="refund-error">
          {error}
        </span>
      ) : null}
    </form>
  );
}

export function RefundsQueue() {
  const open = useRefundsUi((s) => s.open);
  return open ? <RefundsModal /> : null;
}

/** Mounted while the queue is open: every opening reads the queue again, and rows:changed keeps it current. */
function RefundsModal() {
  const setOpen = useRefundsUi((s) => s.setOpen);
  const user = useUser();
  const refunds = useApiQuery('refunds:list', {}, { refetchOnMount: 'always' });
  const list = refunds.data ?? [];
  const error = refunds.error ? errorMessage(refunds.error) : null;
  const supervisor = hasRole(user, 'supervisor');
  return (
    <div className="modal-overlay" onClick={(e) => e.target === e.currentTarget && setOpen(false)}>
      <div className="modal refunds-modal" role="dialog" aria-label="Refunds" data-testid="refunds-queue">
        <div className="modal-head">
          <h2>Refunds</h2>
          <ListExport kind="refunds" what="refunds" />
          <button type="button" className="btn btn-ghost btn-sm" data-testid="refunds-close" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
        <div className="modal-body">
          <ErrorText error={error} />
          {list.length === 0 ? <p className="muted pad">No refunds requested yet. Request one from a transaction's detail panel.</p> : null}
          {list.length > 0 ? (
            <table className="table refunds-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Transaction</th>
                  <th className="r">Amount</th>
                  <th>Reason</th>
                  <th>State</th>
                  <th>Requested / approved</th>
                  <th>PayTrace / ERP</th>
                  {supervisor ? <th>Decision</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id} data-testid="refund-row" data-refund-id={r.id} data-state={r.state}>
                    <td className="num">{r.id}</td>
                    <td>
                      <div className="mono">#{r.transactionId}</div>
                      <div className="muted small">{r.payer}</div>
                    </td>
                    <td className="r num">{formatMoney(r.amountCents, r.currency)}</td>
                    <td>
                      <div>{r.reasonCode}</div>
                      {r.note ? <div className="muted small">{r.note}</div> : null}
                    </td>
                    <td>
                      <RefundStatePill state={r.state} />
                      {r.waitingForSettlement ? (
                        <div className="muted small" data-testid="refund-waits-settlement">
                          Waits for the sale to settle: runs by itself after the sync that finds it settled.
                        </div>
                      ) : r.lastError ? (
                        <div className="error-text small">{r.lastError}</div>
                      ) : null}
                      {r.rejectReason ? <div className="muted small">Rejected by {r.rejectedBy}: {r.rejectReason}</div> : null}
                      <RefundConflictBox r={r} canResolve={supervisor} />
                    </td>
                    <td className="small refund-who">
                      <div>by {r.requestedBy}</div>
                      {r.approvals.map((a) => (
                        <div key={a.by} data-testid="refund-approved-by">
                          approved by {a.by} ({a.role})
                        </div>
                      ))}
                      {r.state === 'requested' ? <div className="muted">Needs: {r.approvalRule}</div> : null}
                    </td>
                    <td className="small">
                      {r.paytraceTransactionId ? (
                        <div data-testid="refund-paytrace-id">
                          {r.method === 'void' ? 'Voided' : 'Refund'} <span className="mono">#{r.paytraceTransactionId}</span>
                        </div>
                      ) : null}
                      {r.creditMemo ? (
                        <div data-testid="refund-credit-memo" data-state={r.creditMemo.state}>
                          Credit memo {r.creditMemo.erpDocumentId ?? ''} ({r.creditMemo.state.replace('_', ' ')})
                        </div>
                      ) : r.state === 'done' ? (
                        <div className="muted">No credit memo (payment not in the ERP)</div>
                      ) : null}
                    </td>
                    {supervisor ? (
                      <td>
                        <Decision r={r} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      </div>
    </div>
  );
}

/** The Refunds button, with how many refunds wait for a supervisor (requests and refunds held back; a clerk's own). */
export function RefundsButton() {
  const setOpen = useRefundsUi((s) => s.setOpen);
  const user = useUser();
  const waiting = useApiQuery('inbox:counts', {}, { enabled: user !== null }).data?.refunds ?? 0;
  return (
    <button type="button" className="btn btn-secondary" data-testid="refunds-open" data-count={waiting} onClick={() => setOpen(true)}>
      Refunds
      {waiting > 0 ? (
        <span className="count-badge" data-testid="refunds-count">
          {waiting}
        </span>
      ) : null}
    </button>
  );
}
