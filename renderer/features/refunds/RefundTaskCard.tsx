import { useState } from 'react';
import type { RefundTask, RowStatus } from '@shared/domain';
import { errorMessage } from '../../api/client';
import { useApiMutation } from '../../api/query';
import { formatAmount, formatDateTimeInZone } from '../../format';
import { focusRow } from '../../grid/grid-handle';
import { statusLabel } from '../../grid/status-pill';
import { toast } from '../../state/toast-store';
import './refunds.css';

// The task of a PayTrace refund (or void) row: which sale it takes money back
// from, and what the ERP needs. A refund of a sale that never reached the ERP
// nets against it; one whose sale is posted needs a credit memo, recorded here
// once (refunds:recordCreditMemo); Tieout's own refunds queue theirs themselves.

const STATE_TITLES: Record<RefundTask['state'], string> = {
  link_needed: 'Link needed',
  netted: 'Nothing to post',
  credit_memo_due: 'Credit memo due',
  queued: 'Credit memo queued',
  posted: 'Credit memo posted',
  failed: 'Credit memo failed',
};

function saleWords(status: RowStatus | null): string {
  if (status === 'posted') return 'is posted in the ERP';
  if (status === 'approved') return 'is approved and queued for the ERP';
  return status ? `is not posted (${statusLabel(status).toLowerCase()})` : 'is not in the local store';
}

/** The state in plain words. */
export function refundTaskWords(t: RefundTask): string {
  const what = t.kind === 'VOID' ? 'void' : 'refund';
  const amount = formatAmount(t.amountCents, t.currency);
  const sale = `Sale ${t.saleTransactionId ?? ''}`.trim();
  switch (t.state) {
    case 'link_needed':
      if (t.clerkLink && t.clerkLink.saleId === null) return `${t.clerkLink.by} recorded that this ${what} of ${amount} belongs to none of the synced sales: handle it in the ERP by hand.`;
      return `This ${what} of ${amount} is not linked to a sale: PayTrace does not name the sale it refunds, and no synced sale has its invoice, customer and card with enough left to refund. Link it to its sale below, or handle the ${what} by hand.`;
    case 'netted':
      return t.nettedHow === 'receipt_net'
        ? `${sale} was posted net of this ${what}: the ERP never received the ${amount}, nothing to post.`
        : `${sale} is not posted: this ${what} nets against it, nothing to post. If the sale's full receipt is posted, record the credit memo then.`;
    case 'credit_memo_due':
      return `${sale} ${saleWords(t.saleStatus)} with its full amount, but ${amount} went back to the customer in PayTrace: the ERP needs a credit memo for this ${what}.`;
    case 'queued':
      return `The ERP credit memo for ${amount} is queued${t.creditMemo?.source === 'refund_flow' ? " by Tieout's refund flow" : ''}; it posts exactly once.`;
    case 'posted':
      return `The ERP credit memo for ${amount} is posted${t.creditMemo?.erpDocumentId ? ` as ${t.creditMemo.erpDocumentId}` : ''}. Nothing left to do.`;
    case 'failed':
      return `The ERP credit memo for ${amount} did not post. Enter it in the ERP by hand, or fix the cause and retry from the outbox.`;
  }
}

export function RefundTaskCard({ task, zone }: Readonly<{ task: RefundTask; zone: string }>) {
  const recordCreditMemo = useApiMutation('refunds:recordCreditMemo');
  const busy = recordCreditMemo.isPending;
  const due = task.state === 'credit_memo_due';
  const record = () => {
    recordCreditMemo
      .mutateAsync({ transactionId: task.refundTransactionId })
      .then((t) => toast('success', 'Credit memo queued', [`Refund ${t.refundTransactionId} of sale ${t.saleTransactionId}: ${formatAmount(t.amountCents, t.currency)}`]))
      .catch((e: unknown) => toast('error', 'Credit memo not recorded', [errorMessage(e)]));
  };
  const wordsId = `refund-task-words-${task.refundTransactionId}`;
  return (
    <section className="dp-section refund-task" data-testid="refund-task" data-state={task.state}>
      <h3 className="dp-title">
        {task.kind === 'VOID' ? 'Void' : 'Refund'} task
        <span className="dp-aside">
          <span className={`refund-task-pill refund-task-pill-${task.state}`} data-testid="refund-task-state">
            {STATE_TITLES[task.state]}
          </span>
        </span>
      </h3>
      <div className="refund-task-sale">
        {task.saleTransactionId !== null ? (
          <>
            <span>
              {task.kind === 'VOID' ? 'Void' : 'Refund'} of sale <span className="mono">{task.saleTransactionId}</span>
            </span>
            {task.saleStatus ? <span className={`pill pill-${task.saleStatus}`}>{statusLabel(task.saleStatus)}</span> : null}
            <button type="button" className="btn btn-ghost btn-sm" data-testid="refund-task-open-sale" onClick={() => focusRow(task.saleTransactionId!)}>
              Open sale
            </button>
          </>
        ) : (
          <span className="muted">No sale linked</span>
        )}
      </div>
      <p className="refund-task-words" id={wordsId} data-testid="refund-task-words">
        {refundTaskWords(task)}
      </p>
      {task.creditMemo ? (
        <table className="kv" data-testid="refund-task-memo">
          <tbody>
            <tr>
              <td>Credit memo</td>
              <td className="mono">{task.creditMemo.reference}</td>
            </tr>
            <tr>
              <td>ERP document</td>
              <td className="mono">{task.creditMemo.erpDocumentId ?? '—'}</td>
            </tr>
            {task.creditMemo.lastError ? (
              <tr>
                <td>Last error</td>
                <td className="error-text">{task.creditMemo.lastError}</td>
              </tr>
            ) : null}
            <tr>
              <td>Updated</td>
              <td className="num">{formatDateTimeInZone(task.creditMemo.updatedAt, zone)}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
      {task.creditMemo ? null : <RefundLinkForm task={task} zone={zone} />}
      {task.state === 'credit_memo_due' || task.state === 'netted' ? (
        <div className="refund-task-actions">
          <button type="button" className="btn btn-primary btn-sm" data-testid="refund-task-record" disabled={!due || busy} aria-describedby={wordsId} onClick={record}>
            {busy ? 'Recording…' : 'Record credit memo'}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** The clerk's word on which sale a refund belongs to (refunds:link): overrides the rule, audited, undone by "Let Tieout decide". */
function RefundLinkForm({ task, zone }: Readonly<{ task: RefundTask; zone: string }>) {
  const [saleId, setSaleId] = useState('');
  const link = useApiMutation('refunds:link');
  const busy = link.isPending;
  const what = task.kind === 'VOID' ? 'void' : 'refund';
  const send = (sale: number | null | undefined, title: string) => {
    const args = sale === undefined ? { transactionId: task.refundTransactionId } : { transactionId: task.refundTransactionId, saleTransactionId: sale };
    link
      .mutateAsync(args)
      .then(() => {
        toast('success', title, []);
        setSaleId('');
      })
      .catch((e: unknown) => toast('error', 'Link not changed', [errorMessage(e)]));
  };
  const typed = /^\d+$/.test(saleId.trim()) ? Number(saleId.trim()) : null;
  return (
    <div className="refund-link" data-testid="refund-link">
      {task.clerkLink ? (
        <p className="muted" data-testid="refund-link-by">
          Linked by {task.clerkLink.by} on {formatDateTimeInZone(task.clerkLink.at, zone)}{' '}
          <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => send(undefined, 'Tieout decides the link again')}>
            Let Tieout decide
          </button>
        </p>
      ) : null}
      <form
        className="refund-link-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed !== null) send(typed, `Refund ${task.refundTransactionId} linked to sale ${typed}`);
        }}
      >
        <label>
          {task.saleTransactionId === null ? `Sale this ${what} belongs to` : 'Another sale'}{' '}
          <input className="input input-sm mono" inputMode="numeric" placeholder="PayTrace id" value={saleId} onChange={(e) => setSaleId(e.target.value)} data-testid="refund-link-sale" />
        </label>
        <button type="submit" className="btn btn-sm" disabled={busy || typed === null} data-testid="refund-link-submit">
          Link
        </button>
        {task.clerkLink?.saleId === null ? null : (
          <button type="button" className="btn btn-ghost btn-sm" disabled={busy} data-testid="refund-link-none" onClick={() => send(null, `Refund ${task.refundTransactionId}: belongs to no synced sale`)}>
            Belongs to no synced sale
          </button>
        )}
      </form>
    </div>
  );
}
