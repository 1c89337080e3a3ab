import { useEffect, useState } from 'react';
import { CONFLICT_KIND_LABELS, type ConflictAction, type ConflictView, type DecisionSide } from '@shared/api/offline';
import { errorMessage } from '../../api/client';
import { useApiMutation, useApiQuery } from '../../api/query';
import { ListExport } from '../export/ListExport';
import { useData } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { formatAmount, formatClock } from '../../format';
import './offline.css';

// Decisions made offline that the world overtook: then and now side by side,
// and the three ways out. Shown whenever the grid has conflict rows.

function Side({ title, side, testId }: Readonly<{ title: string; side: DecisionSide; testId: string }>) {
  return (
    <div className="conflict-side" data-testid={testId}>
      <h4>
        {title} <span className="num">({formatClock(side.takenAt)})</span>
      </h4>
      <div>
        Payment: {side.payment.type} {formatAmount(side.payment.amountCents, side.payment.currency)}
        {side.payment.refundedCents > 0 ? `, refunded ${formatAmount(side.payment.refundedCents, side.payment.currency)}` : ''}
      </div>
      <div>
        Customer {side.customerId}
        {side.customerExists ? '' : ' (missing)'}
      </div>
      {side.invoices.map((i) => (
        <div key={i.invoiceNo}>
          Invoice {i.invoiceNo}: {i.isOpen ? `open ${formatAmount(i.openBalanceCents, i.currency)}` : 'closed'} · allocated{' '}
          {formatAmount(side.allocations.find((a) => a.invoiceNo === i.invoiceNo)?.amountCents ?? 0, i.currency)}
        </div>
      ))}
    </div>
  );
}

function ConflictItem({ conflict }: Readonly<{ conflict: ConflictView }>) {
  const [amounts, setAmounts] = useState<Record<string, string>>(() =>
    Object.fromEntries(conflict.now.invoices.filter((i) => i.isOpen).map((i) => [i.invoiceNo, (Math.min(i.openBalanceCents, conflict.amountCents) / 100).toFixed(2)])),
  );
  const resolveConflict = useApiMutation('conflicts:resolve', { invalidates: ['conflicts:list'] });
  const busy = resolveConflict.isPending;
  const resolve = async (action: ConflictAction) => {
    try {
      const allocations =
        action === 'reallocate'
          ? Object.entries(amounts)
              .map(([invoiceNo, v]) => ({ invoiceNo, amountCents: Math.round(Number(v) * 100) }))
              .filter((a) => Number.isSafeInteger(a.amountCents) && a.amountCents > 0)
          : undefined;
      await resolveConflict.mutateAsync({ transactionId: conflict.transactionId, action, ...(allocations ? { allocations } : {}) });
      toast('success', `Conflict on ${conflict.transactionId} resolved (${action})`);
    } catch (err) {
      toast('error', 'Could not resolve the conflict', [errorMessage(err)]);
    }
  };
  const openNow = conflict.now.invoices.filter((i) => i.isOpen);
  return (
    <div className="conflict" data-testid="conflict" data-transaction-id={conflict.transactionId}>
      <div>
        <strong>{conflict.payer}</strong> · {formatAmount(conflict.amountCents, conflict.currency)} · PayTrace {conflict.transactionId}
      </div>
      <div className="conflict-kinds">
        {conflict.kinds.map((k) => (
          <span key={k} className="conflict-kind" data-testid="conflict-kind" data-kind={k}>
            {CONFLICT_KIND_LABELS[k]}
          </span>
        ))}
      </div>
      <div>{conflict.details.join(' ')}</div>
      <div className="conflict-sides">
        <Side title="Then (your decision)" side={conflict.then} testId="conflict-then" />
        <Side title="Now (fresh)" side={conflict.now} testId="conflict-now" />
      </div>
      <div className="conflict-actions">
        <button type="button" className="btn btn-secondary" disabled={busy} data-testid="conflict-rematch" onClick={() => void resolve('rematch')}>
          Re-match
        </button>
        {openNow.length > 0 ? (
          <>
            {openNow.map((i) => (
              <input
                key={i.invoiceNo}
                aria-label={`Amount for ${i.invoiceNo}`}
                value={amounts[i.invoiceNo] ?? ''}
                onChange={(e) => setAmounts({ ...amounts, [i.invoiceNo]: e.target.value })}
              />
            ))}
            <button type="button" className="btn btn-secondary" disabled={busy} data-testid="conflict-reallocate" onClick={() => void resolve('reallocate')}>
              Re-allocate
            </button>
          </>
        ) : null}
        <button type="button" className="btn btn-secondary" disabled={busy} data-testid="conflict-discard" onClick={() => void resolve('discard')}>
          Discard
        </button>
      </div>
    </div>
  );
}

export function ConflictsPanel() {
  const count = useData((s) => s.counts.conflict);
  // Read only while the grid has conflict rows; rows:changed and a resolution make it stale.
  const list = useApiQuery('conflicts:list', {}, { enabled: count > 0 });
  const loadError = list.error;
  useEffect(() => {
    if (loadError) toast('error', 'Could not load conflicts', [errorMessage(loadError)]);
  }, [loadError]);
  const conflicts = list.data ?? [];
  if (count === 0 || conflicts.length === 0) return null;
  return (
    <section className="conflicts" data-testid="conflicts-panel" aria-label="Conflicts">
      <div className="conflicts-head">
        <span>
          {conflicts.length} decision{conflicts.length === 1 ? '' : 's'} overtaken while offline: not posted. Choose what to do.
        </span>
        <ListExport kind="conflicts" what="conflicts" />
      </div>
      {conflicts.map((c) => (
        <ConflictItem key={c.transactionId} conflict={c} />
      ))}
    </section>
  );
}
