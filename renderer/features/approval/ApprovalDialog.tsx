import { useEffect, useRef } from 'react';
import { formatMoney } from '@shared/money';
import { focusRow } from '../../grid/grid-handle';
import { useApproval } from './approval-store';
import { countText, totalText } from './confirm-approval';
import './approval.css';

// The confirmation of a bulk approval: count, total, what is skipped, and the
// rows that deserve a second look (a click shows the row). Focus starts on
// Cancel: Enter confirms only on the confirm button, so a second `a` or an
// Enter meant for the grid never approves.

export function ApprovalDialog() {
  const ask = useApproval((s) => s.ask);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), [ask]);
  if (!ask) return null;
  const p = ask.preview;
  const skipped = p.skipped.reduce((s, k) => s + k.count, 0);
  const window = p.undoWindowSeconds > 0 ? `Posting to the ERP starts ${p.undoWindowSeconds} s after you approve; until then Ctrl+Z takes the whole batch back.` : 'Posting to the ERP starts at once.';
  return (
    <div className="modal-overlay" onMouseDown={(e) => e.target === e.currentTarget && ask.answer(false)}>
      <div
        className="modal approval-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="approval-title"
        data-testid="approval-dialog"
        onKeyDown={(e) => {
          // Keys stay in the dialog: the grid's shortcuts (a, j, k…) do not act behind it.
          e.stopPropagation();
          if (e.key === 'Escape') ask.answer(false);
        }}
      >
        <div className="modal-head">
          <h2 id="approval-title">
            Approve <span data-testid="approval-count">{countText(p.approvable)}</span> for <span data-testid="approval-total">{totalText(p)}</span>?
          </h2>
        </div>
        <div className="modal-body">
          {skipped > 0 ? (
            <p data-testid="approval-skipped">
              {skipped.toLocaleString('en-US')} of the {p.selected.toLocaleString('en-US')} selected will be left alone: {p.skipped.map((s) => `${s.count.toLocaleString('en-US')} ${s.label}`).join('; ')}.
            </p>
          ) : null}
          {p.secondLookCount > 0 ? (
            <>
              <h3 className="approval-h3" data-testid="approval-second-look-count">
                {p.secondLookCount.toLocaleString('en-US')} {p.secondLookCount === 1 ? 'deserves' : 'deserve'} a second look
                {p.secondLookCount > p.secondLook.length ? ` (first ${p.secondLook.length} shown)` : ''}
              </h3>
              <ul className="approval-second-look" data-testid="approval-second-look">
                {p.secondLook.map((r) => (
                  <li key={r.transactionId}>
                    <button
                      type="button"
                      className="approval-row"
                      data-testid={`second-look-${r.transactionId}`}
                      onClick={() => {
                        ask.answer(false);
                        focusRow(r.transactionId);
                      }}
                    >
                      <span className="approval-row-head">
                        <span>{r.payer || `#${r.transactionId}`}</span>
                        <span className="num">{formatMoney(r.amountCents, r.currency)}</span>
                      </span>
                      <span className="approval-reasons">
                        {r.reasons.map((reason) => (
                          <span key={reason.code} className={`approval-reason reason-${reason.code}`} title={reason.text}>
                            {reason.text}
                          </span>
                        ))}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p className="muted">{window}</p>
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" ref={cancelRef} data-testid="approval-cancel" onClick={() => ask.answer(false)}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" data-testid="approval-confirm" onClick={() => ask.answer(true)}>
            Approve {p.approvable.toLocaleString('en-US')} ({totalText(p)})
          </button>
        </div>
      </div>
    </div>
  );
}
