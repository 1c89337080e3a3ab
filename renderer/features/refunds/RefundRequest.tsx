import { useState, type FormEvent } from 'react';
import type { Refundable, RefundView } from '@shared/api/refunds';
import { formatMoney, parseDecimalToCents } from '@shared/money';
import { errorMessage } from '../../api/client';
import { useApiMutation, useApiQuery } from '../../api/query';
import { ErrorText, SubmitButton } from '../../ui/form';
import { toast } from '../../state/toast-store';
import { RefundStatePill } from './RefundsQueue';
import '../auth/auth.css';
import './refunds.css';

// "Request refund" in a transaction's detail panel, and the refunds already
// asked for on it.

/** The refunds asked for on this transaction and what may still be refunded; rows:changed for it makes both stale. */
function useTransactionRefunds(transactionId: number): [RefundView[], Refundable | null, string | null] {
  const refunds = useApiQuery('refunds:list', { transactionId });
  const refundable = useApiQuery('refunds:refundable', { transactionId });
  return [refunds.data ?? [], refundable.data ?? null, refundable.error ? errorMessage(refundable.error) : null];
}

export function TransactionRefunds({ transactionId }: Readonly<{ transactionId: number }>) {
  const [refunds, refundable, notRefundable] = useTransactionRefunds(transactionId);
  const request = useApiMutation('refunds:request', { invalidates: ['refunds:list', 'refunds:refundable'] });
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState('');
  const [reasonCode, setReasonCode] = useState('');
  const [note, setNote] = useState('');
  // An unsettled sale: refund (part of) it once it settles, or void it whole now (PayTrace voids whole sales only).
  const [whenUnsettled, setWhenUnsettled] = useState<'on_settle' | 'void_now'>('on_settle');
  // A typing mistake in the amount is caught here; anything else the engine says.
  const [amountError, setAmountError] = useState<string | null>(null);
  const busy = request.isPending;
  const error = amountError ?? (request.error ? errorMessage(request.error) : null);

  const start = () => {
    if (!refundable) return;
    setAmount((refundable.refundableCents / 100).toFixed(2));
    setReasonCode(refundable.reasonCodes[0] ?? '');
    setNote('');
    setWhenUnsettled('on_settle');
    setAmountError(null);
    request.reset();
    setOpen(true);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAmountError(null);
    request.reset();
    let amountCents: number;
    try {
      amountCents = voidNow && refundable ? refundable.amountCents : parseDecimalToCents(amount);
    } catch (err) {
      setAmountError(`Amount: ${errorMessage(err)}`);
      return;
    }
    try {
      const r = await request.mutateAsync({ transactionId, amountCents, reasonCode, note });
      toast('success', `Refund of ${formatMoney(r.amountCents, r.currency)} requested`, [`It waits for approval: ${r.approvalRule}.`]);
      setOpen(false);
    } catch {
      // Shown in the form from the mutation's error.
    }
  };

  const canRequest = !!refundable && refundable.refundableCents > 0;
  // A void gives back the whole sale, so only while nothing of it has been refunded.
  const canVoid = !!refundable && !refundable.settled && refundable.refundableCents === refundable.amountCents;
  const voidNow = canVoid && whenUnsettled === 'void_now';
  return (
    <section className="dp-section" data-testid="detail-refunds">
      <h3 className="dp-title">
        Refunds
        <span className="dp-aside">
          {refundable ? `${formatMoney(refundable.refundableCents, refundable.currency)} refundable` : null}
        </span>
      </h3>
      {refunds.length > 0 ? (
        <ul className="refund-mini">
          {refunds.map((r) => (
            <li key={r.id} data-testid="detail-refund" data-state={r.state}>
              <RefundStatePill state={r.state} /> <span className="num">{formatMoney(r.amountCents, r.currency)}</span>{' '}
              <span className="muted small">
                {r.reasonCode} · by {r.requestedBy}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {notRefundable && refunds.length === 0 ? <p className="muted small">{notRefundable}</p> : null}
      {!open && canRequest ? (
        <button type="button" className="btn btn-secondary btn-sm" data-testid="request-refund" onClick={start}>
          Request refund
        </button>
      ) : null}
      {open && refundable ? (
        <form className="refund-form" data-testid="refund-form" onSubmit={(e) => void submit(e)}>
          <div className="field">
            <label htmlFor="refund-amount">Amount ({refundable.currency}, at most {formatMoney(refundable.refundableCents, refundable.currency)})</label>
            <input
              id="refund-amount"
              data-testid="refund-amount"
              inputMode="decimal"
              disabled={voidNow}
              value={voidNow ? (refundable.amountCents / 100).toFixed(2) : amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </div>
          {!refundable.settled ? (
            <fieldset className="refund-unsettled" data-testid="refund-unsettled">
              <legend>This sale has not settled yet</legend>
              <label>
                <input type="radio" name="refund-when" data-testid="refund-on-settle" checked={!voidNow} onChange={() => setWhenUnsettled('on_settle')} /> Refund when the sale settles
                <span className="muted small"> (runs by itself after the sync that finds it settled; a full amount voids the sale at once)</span>
              </label>
              <label className={canVoid ? undefined : 'muted'}>
                <input type="radio" name="refund-when" data-testid="refund-void-now" disabled={!canVoid} checked={voidNow} onChange={() => setWhenUnsettled('void_now')} /> Void the sale now
                <span className="muted small">
                  {canVoid
                    ? ` (PayTrace voids whole sales only: gives back all ${formatMoney(refundable.amountCents, refundable.currency)})`
                    : ' (not possible: part of this sale has been refunded already)'}
                </span>
              </label>
            </fieldset>
          ) : null}
          <div className="field">
            <label htmlFor="refund-reason">Reason</label>
            <select id="refund-reason" data-testid="refund-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value)}>
              {refundable.reasonCodes.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="refund-note">Note</label>
            <textarea id="refund-note" data-testid="refund-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          <ErrorText error={error} testId="refund-form-error" />
          <div className="refund-form-actions">
            <SubmitButton testId="refund-submit" busy={busy}>
              Request refund
            </SubmitButton>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
