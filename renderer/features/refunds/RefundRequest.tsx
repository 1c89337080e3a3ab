import { useEffect, useState, type FormEvent } from 'react';
import type { Refundable, RefundView } from '@shared/api/refunds';
import { formatMoney, parseDecimalToCents } from '@shared/money';
import { errorMessage, invoke, subscribe } from '../../api/client';
import { toast } from '../../state/toast-store';
import { RefundStatePill } from './RefundsQueue';
import '../auth/auth.css';
import './refunds.css';

// "Request refund" in a transaction's detail panel, and the refunds already
// asked for on it.

function useTransactionRefunds(transactionId: number): [RefundView[], Refundable | null, string | null, () => void] {
  const [refunds, setRefunds] = useState<RefundView[]>([]);
  const [refundable, setRefundable] = useState<Refundable | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    invoke('refunds:list', { transactionId })
      .then((r) => alive && setRefunds(r))
      .catch(() => undefined);
    invoke('refunds:refundable', { transactionId })
      .then((r) => {
        if (!alive) return;
        setRefundable(r);
        setReason(null);
      })
      .catch((e: unknown) => alive && setReason(errorMessage(e)));
    const off = subscribe('rows:changed', (e) => {
      if (e.transactionIds === null || e.transactionIds.includes(transactionId)) setTick((t) => t + 1);
    });
    return () => {
      alive = false;
      off();
    };
  }, [transactionId, tick]);
  return [refunds, refundable, reason, () => setTick((t) => t + 1)];
}

export function TransactionRefunds({ transactionId }: Readonly<{ transactionId: number }>) {
  const [refunds, refundable, notRefundable, reload] = useTransactionRefunds(transactionId);
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState('');
  const [reasonCode, setReasonCode] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = () => {
    if (!refundable) return;
    setAmount((refundable.refundableCents / 100).toFixed(2));
    setReasonCode(refundable.reasonCodes[0] ?? '');
    setNote('');
    setError(null);
    setOpen(true);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let amountCents: number;
    try {
      amountCents = parseDecimalToCents(amount);
    } catch (err) {
      setError(`Amount: ${errorMessage(err)}`);
      return;
    }
    setBusy(true);
    try {
      const r = await invoke('refunds:request', { transactionId, amountCents, reasonCode, note });
      toast('success', `Refund of ${formatMoney(r.amountCents, r.currency)} requested`, [`It waits for approval: ${r.approvalRule}.`]);
      setOpen(false);
      reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const canRequest = !!refundable && refundable.refundableCents > 0;
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
            <input id="refund-amount" data-testid="refund-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </div>
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
          {error ? (
            <p className="error-text" data-testid="refund-form-error">
              {error}
            </p>
          ) : null}
          <div className="refund-form-actions">
            <button type="submit" className="btn btn-primary btn-sm" data-testid="refund-submit" disabled={busy}>
              Request refund
            </button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
