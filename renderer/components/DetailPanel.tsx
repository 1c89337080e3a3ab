import { useState, type ReactNode } from 'react';
import type { AuditEntry, Candidate, TransactionDetail } from '@shared/domain';
import { errorMessage } from '../api/client';
import { useApiQuery } from '../api/query';
import { approve, isApprovable } from '../actions';
import { useData } from '../state/data-store';
import { useUi } from '../state/ui-store';
import { describeAuditEntry } from '@shared/audit-labels';
import { formatAmount, formatDateTimeInZone, formatScore, humanize } from '../format';
import { statusLabel } from '../grid/status-pill';
import { focusRow } from '../grid/grid-handle';
import { exceptionLabel, rowChips } from '../labels';
import { RefundTaskCard } from '../features/refunds/RefundTaskCard';
import { flattenRaw } from '../raw-fields';
import { ChevronIcon, CloseIcon } from './icons';
import { TransactionRefunds } from '../features/refunds/RefundRequest';
import { TransactionControls } from '../features/controls/TransactionControls';
import { FailedPostingSection } from '../features/failed/FailedPosting';
import { isReviewable, ReviewSections, UseCandidateButton } from '../features/review/ReviewSections';
import { PresenceMarker, usePresenceClaim } from '../features/team/PresenceMarker';
import { usePanelKeys } from '../features/review/use-panel-keys';

type Load = Readonly<{ state: 'idle' } | { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; detail: TransactionDetail }>;

/** The focused transaction's detail (grid:detail); a rows:changed for it makes it stale and it is read again in place. */
function useDetail(transactionId: number | null): Load {
  const detail = useApiQuery('grid:detail', { transactionId: transactionId ?? 0 }, { enabled: transactionId !== null });
  if (transactionId === null) return { state: 'idle' };
  if (detail.error) return { state: 'error', message: errorMessage(detail.error) };
  if (!detail.data) return { state: 'loading' };
  return { state: 'ready', detail: detail.data };
}

function Section({ title, testId, children, aside }: Readonly<{ title: string; testId: string; children: ReactNode; aside?: ReactNode }>) {
  return (
    <section className="dp-section" data-testid={testId}>
      <h3 className="dp-title">
        {title}
        {aside ? <span className="dp-aside">{aside}</span> : null}
      </h3>
      {children}
    </section>
  );
}

function CandidateCard({ c, rank, currency, action }: Readonly<{ c: Candidate; rank: number; currency: string; action?: ReactNode }>) {
  return (
    <div className={`cand${c.blockers.length === 0 ? ' cand-ok' : ''}`} data-testid="detail-candidate">
      <div className="cand-head">
        <span className="cand-rank">#{rank}</span>
        <span className="mono">{c.allocations.map((a) => a.invoiceNo).join(', ') || 'No invoice'}</span>
        {c.customerId ? <span className="muted">{c.customerId}</span> : null}
        <span className="cand-score num">
          {formatScore(c.score)} <span className="muted">({c.points} pts)</span>
        </span>
        {action}
      </div>
      {c.allocations.length > 0 ? (
        <div className="cand-allocs">
          {c.allocations.map((a) => (
            <span key={a.invoiceNo} className="chip">
              <span className="mono">{a.invoiceNo}</span> <span className="num">{formatAmount(a.amountCents, currency)}</span>
            </span>
          ))}
        </div>
      ) : null}
      {c.signals.length > 0 ? (
        <table className="kv signals">
          <tbody>
            {c.signals.map((s, i) => (
              <tr key={`${s.signal}-${i}`}>
                <td>{humanize(s.signal)}</td>
                <td className="muted">{s.detail}</td>
                <td className={`num ${s.points < 0 ? 'neg' : 'pos'}`}>
                  {s.points > 0 ? '+' : ''}
                  {s.points}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {c.blockers.length > 0 ? (
        <ul className="blockers">
          {c.blockers.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The candidate the row currently carries (so its button reads "In use"). */
function sameAllocation(c: Candidate, outcome: TransactionDetail['outcome']): boolean {
  if (c.customerId !== outcome.customerId || c.allocations.length !== outcome.allocations.length) return false;
  return c.allocations.every((a, i) => a.invoiceNo === outcome.allocations[i]?.invoiceNo && a.amountCents === outcome.allocations[i]?.amountCents);
}

function History({ entries, zone, currency }: Readonly<{ entries: readonly AuditEntry[]; zone: string; currency: string }>) {
  if (entries.length === 0) return <p className="muted">No actions recorded yet.</p>;
  return (
    <ol className="history">
      {entries.map((h) => (
        // Words, not codes: "Allocation changed by ann: 1004501 $500.00" (shared/audit-labels.ts).
        <li key={h.id} data-testid="history-entry" data-action={h.action}>
          <span className="num muted">{formatDateTimeInZone(h.at, zone)}</span>
          <span>{describeAuditEntry(h, currency)}</span>
        </li>
      ))}
    </ol>
  );
}

function DetailBody({ d, zone }: Readonly<{ d: TransactionDetail; zone: string }>) {
  const [rawOpen, setRawOpen] = useState(false);
  usePanelKeys(d);
  const { row, transaction: t, outcome, invoices, posting } = d;
  const allocated = new Map(outcome.allocations.map((a) => [a.invoiceNo, a.amountCents]));
  return (
    <>
      <div className="dp-header">
        <div className="dp-payer" title={row.payer}>
          {row.payer || 'Unknown payer'}
        </div>
        <div className="dp-amount num">{formatAmount(row.amountCents, row.currency)}</div>
        <div className="dp-meta">
          <span className={`pill pill-${row.status}`} data-testid="detail-status">
            {row.control === 'reversed' ? 'Reversed' : statusLabel(row.status)}
          </span>
          <span className="mono">#{row.transactionId}</span>
          <span className="num">{formatDateTimeInZone(row.createdAt, zone)}</span>
          <span>
            {row.method === 'ach' ? 'ACH' : 'Card'} · {t.type}
          </span>
        </div>
        {isApprovable(row) ? (
          <button type="button" className="btn btn-primary btn-sm" data-testid="detail-approve" onClick={() => void approve([row.transactionId])}>
            Approve match
          </button>
        ) : null}
      </div>
      {d.decision ? (
        // Decided (here or on another workstation): who did what when, instead of an approve button.
        <p className="dp-decision" data-testid="detail-decision">
          {d.decision}
        </p>
      ) : null}

      {row.status === 'failed' ? <FailedPostingSection transactionId={row.transactionId} zone={zone} /> : null}

      <Section title="Why" testId="detail-reason" aside={<span className="num">score {formatScore(outcome.score)}</span>}>
        {rowChips(row).length > 0 ? (
          <div className="chip-row" data-testid="detail-chips">
            {rowChips(row).map((c) => (
              <span key={c.kind} className={`mchip mchip-${c.kind}`} title={c.hint} data-testid="row-chip" data-kind={c.kind}>
                {c.text}
              </span>
            ))}
          </div>
        ) : null}
        <p className="dp-reason">{outcome.reason || row.reason}</p>
        {outcome.exception ? <p className="exception-code">Exception: {exceptionLabel(outcome.exception)}</p> : null}
        {outcome.reasons.length > 0 ? (
          <ul className="reasons">
            {outcome.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
        {outcome.unappliedCents !== 0 ? <p className="muted">Unapplied: {formatAmount(outcome.unappliedCents, row.currency)}</p> : null}
      </Section>

      {d.refundTask ? <RefundTaskCard task={d.refundTask} zone={zone} /> : null}

      {outcome.refundedBy && outcome.refundedBy.length > 0 ? (
        <Section title="Refunds in PayTrace" testId="detail-refunded-by" aside={<span className="num">{formatAmount(outcome.refundedCents ?? null, row.currency)} taken back</span>}>
          <p className="muted small">
            {outcome.exception === 'refunded'
              ? 'Refunded or voided in full: the sale and its take-backs net to nothing, nothing to post.'
              : 'Part of this sale went back to the customer in PayTrace: it is never posted automatically; check the amount before approving.'}
          </p>
          <ul className="refunded-by">
            {outcome.refundedBy.map((id) => (
              <li key={id} data-testid="detail-refunded-by-item" data-transaction-id={id}>
                <span>
                  Refund or void <span className="mono">{id}</span>
                </span>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => focusRow(id)}>
                  Open
                </button>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}

      <Section title="Candidates" testId="detail-candidates" aside={outcome.candidates.length > 0 ? String(outcome.candidates.length) : undefined}>
        {outcome.candidates.length === 0 ? (
          <p className="muted">No ranked candidates for this payment.</p>
        ) : (
          outcome.candidates.map((c, i) => (
            <CandidateCard
              key={i}
              c={c}
              rank={i + 1}
              currency={row.currency}
              action={isReviewable(d) && c.customerId ? <UseCandidateButton transactionId={row.transactionId} index={i} current={sameAllocation(c, outcome)} hotkey={i < 9 ? String(i + 1) : undefined} /> : undefined}
            />
          ))
        )}
      </Section>

      <ReviewSections d={d} />

      <Section title="Matched invoices" testId="detail-invoices">
        {invoices.length === 0 ? (
          <p className="muted">No ERP invoice matched. Reference as sent: <span className="mono">{row.reference || '(empty)'}</span></p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Invoice</th>
                <th>Customer</th>
                <th className="r">Open balance</th>
                <th className="r">Applied</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((inv) => (
                <tr key={inv.invoiceNo}>
                  <td>
                    <div className="mono">{inv.invoiceNo}</div>
                    <div className="muted small">
                      {inv.invoiceDate}
                      {inv.dueDate ? ` · due ${inv.dueDate}` : ''}
                      {inv.poNo ? ` · PO ${inv.poNo}` : ''}
                    </div>
                  </td>
                  <td>
                    <div>{inv.customerName ?? inv.customerId}</div>
                    <div className="muted small mono">{inv.customerId}</div>
                  </td>
                  <td className="r num">{formatAmount(inv.openBalanceCents, inv.currency)}</td>
                  <td className="r num">{formatAmount(allocated.get(inv.invoiceNo) ?? null, inv.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Posting" testId="detail-posting">
        {posting === null ? (
          <p className="muted">Not queued for posting.</p>
        ) : (
          <table className="kv">
            <tbody>
              <tr>
                <td>State</td>
                <td data-testid="detail-posting-state">{humanize(posting.state)}</td>
              </tr>
              <tr>
                <td>Attempts</td>
                <td className="num">{posting.attempts}</td>
              </tr>
              <tr>
                <td>ERP document</td>
                <td className="mono">{posting.erpDocumentId ?? '—'}</td>
              </tr>
              {posting.lastError ? (
                <tr>
                  <td>Last error</td>
                  <td className="error-text">{posting.lastError}</td>
                </tr>
              ) : null}
              <tr>
                <td>Updated</td>
                <td className="num">{formatDateTimeInZone(posting.updatedAt, zone)}</td>
              </tr>
            </tbody>
          </table>
        )}
      </Section>

      <TransactionControls row={row} />

      <TransactionRefunds transactionId={row.transactionId} />

      <section className="dp-section" data-testid="detail-raw">
        <button type="button" className="dp-title dp-toggle" aria-expanded={rawOpen} onClick={() => setRawOpen(!rawOpen)}>
          <ChevronIcon open={rawOpen} /> PayTrace fields
        </button>
        {rawOpen ? (
          <table className="kv raw">
            <tbody>
              {flattenRaw(t.raw).map(([k, v]) => (
                <tr key={k}>
                  <td className="mono">{k}</td>
                  <td className="mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <Section title="History" testId="detail-history">
        <History entries={d.history} zone={zone} currency={d.row.currency} />
      </Section>
    </>
  );
}

export function DetailPanel() {
  const open = useUi((s) => s.panelOpen);
  const focusedId = useUi((s) => s.focusedId);
  const setOpen = useUi((s) => s.setPanelOpen);
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');
  const load = useDetail(open ? focusedId : null);
  usePresenceClaim(open ? focusedId : null);
  if (!open) return null;
  return (
    <aside className="detail-panel" data-testid="detail-panel" data-transaction-id={focusedId ?? ''} aria-label="Transaction detail">
      <div className="dp-bar">
        <span className="dp-bar-title">Transaction detail</span>
        <button
          type="button"
          className="btn btn-icon btn-sm"
          data-testid="detail-close"
          aria-label="Close (Esc)"
          title="Close (Esc)"
          onClick={() => {
            setOpen(false);
            if (focusedId !== null) focusRow(focusedId);
          }}
        >
          <CloseIcon />
        </button>
      </div>
      <div className="dp-scroll">
        {focusedId === null ? <p className="muted pad">Select a row to see how it was matched.</p> : null}
        {load.state === 'loading' ? <p className="muted pad">Loading…</p> : null}
        {load.state === 'error' ? <p className="error-text pad">{load.message}</p> : null}
        {focusedId !== null ? <PresenceMarker transactionId={focusedId} /> : null}
        {load.state === 'ready' ? <DetailBody d={load.detail} zone={zone} /> : null}
      </div>
    </aside>
  );
}
