import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { DecisionInput } from '../../ui/decision-input';
import { ListExport } from '../export/ListExport';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { InboxItem } from '@shared/api/inbox';
import { formatMoney } from '@shared/money';
import { errorMessage, invoke } from '../../api/client';
import { invalidateMethods, useApiQuery } from '../../api/query';
import { ErrorText, SubmitButton } from '../../ui/form';
import { hasRole, useUser } from '../auth/session-store';
import { StepUpCodeField, useStepUpCode } from '../auth/StepUpCode';
import { actionsFor, approve, DECISION_INVALIDATES, formatAge, INBOX_SECTIONS, itemLabel, reject } from './inbox-actions';
import { useInboxUi } from './inbox-store';
import './inbox.css';

// The approvals inbox: everything waiting for a supervisor in one queue,
// grouped by kind. Approve re-enters the supervisor's password (and a code when
// enrolled) and goes through the kind's own four-eyes method; the engine
// enforces who may decide what. Keyboard: ↑/↓ move between items, Enter opens
// the password for the focused item, Enter again approves.

type Mode = 'approve' | 'reject';

/** A decision: while it runs the buttons wait; afterwards the inbox, its counts and the kind's queue are read again. */
function useDecision(onDone: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (call: () => Promise<unknown>) => call(),
    onSuccess: () => {
      onDone();
      return invalidateMethods(client, DECISION_INVALIDATES);
    },
  });
}

function DecisionForm({ item, mode, onClose }: Readonly<{ item: InboxItem; mode: Mode; onClose: () => void }>) {
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState('');
  const stepUp = useStepUpCode();
  const decision = useDecision(onClose);
  const error = decision.error ? errorMessage(decision.error) : null;
  return (
    <form
      className="inbox-decision"
      data-testid="inbox-decision"
      onSubmit={(e) => {
        e.preventDefault();
        decision.mutate(() =>
          mode === 'approve'
            ? approve(item, password, stepUp.args()).catch((err: unknown) => {
                stepUp.failed(err);
                throw err;
              })
            : reject(item, reason),
        );
      }}
      onKeyDown={(e) => {
        // Arrow keys type in the fields; Escape leaves the form, back to the list.
        e.stopPropagation();
        if (e.key === 'Escape') onClose();
      }}
    >
      <DecisionInput mode={mode} testIdPrefix="inbox" password={password} onPassword={setPassword} reason={reason} onReason={setReason} />
      {mode === 'approve' ? <StepUpCodeField stepUp={stepUp} testId="inbox-code" /> : null}
      <SubmitButton testId="inbox-confirm" busy={decision.isPending} busyLabel="Working…" disabled={mode === 'approve' ? !password || stepUp.missing : !reason.trim()}>
        {mode === 'approve' ? 'Approve' : 'Reject'}
      </SubmitButton>
      <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
        Cancel
      </button>
      <ErrorText error={error} testId="inbox-error" className="error-text small" />
    </form>
  );
}

/** The buttons for a refund held back (reduce/discard) or a reversal that did not go through (run again). */
function DirectActions({ item }: Readonly<{ item: InboxItem }>) {
  const decision = useDecision(() => undefined);
  const error = decision.error ? errorMessage(decision.error) : null;
  const busy = decision.isPending;
  return (
    <div className="inbox-actions">
      {item.kind === 'refund_conflict' ? (
        <>
          {item.choices.includes('reduce') ? (
            <button type="button" className="btn btn-secondary btn-sm" disabled={busy} data-testid="inbox-reduce" onClick={() => decision.mutate(() => invoke('refunds:resolveConflict', { refundId: item.refundId, action: 'reduce' }))}>
              Reduce
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost btn-sm" disabled={busy} data-testid="inbox-discard" onClick={() => decision.mutate(() => invoke('refunds:resolveConflict', { refundId: item.refundId, action: 'discard' }))}>
            Discard
          </button>
        </>
      ) : null}
      {item.kind === 'reversal' ? (
        <button type="button" className="btn btn-secondary btn-sm" disabled={busy} data-testid="inbox-run" onClick={() => decision.mutate(() => invoke('controls:runReversal', { controlId: item.controlId }))}>
          Run again
        </button>
      ) : null}
      <ErrorText error={error} testId="inbox-error" className="error-text small" />
    </div>
  );
}

function ItemRow({
  item,
  focused,
  canDecide,
  mode,
  setMode,
  onFocus,
}: Readonly<{ item: InboxItem; focused: boolean; canDecide: boolean; mode: Mode | null; setMode: (mode: Mode | null) => void; onFocus: () => void }>) {
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focused && mode === null && !ref.current?.contains(document.activeElement)) ref.current?.focus();
  }, [focused, mode]);
  const actions = actionsFor(item);
  const detail = item.kind === 'refund_conflict' || item.kind === 'reversal' ? item.detail : null;
  return (
    <li ref={ref} className={`inbox-item${focused ? ' inbox-item-focused' : ''}`} tabIndex={focused ? 0 : -1} data-testid="inbox-item" data-kind={item.kind} data-key={item.key} onFocus={onFocus}>
      <div className="inbox-item-main">
        <span className="inbox-kind">{itemLabel(item)}</span>
        <span className="inbox-payer">{item.payer || '—'}</span>
        <span className="mono muted small">#{item.transactionId}</span>
        <span className="num inbox-amount">{formatMoney(item.amountCents, item.currency)}</span>
      </div>
      <div className="inbox-item-meta small">
        <span>
          asked by <strong>{item.requestedBy}</strong>
          {item.mine ? ' (you)' : ''}
        </span>
        <span className="muted" title={item.requestedAt}>
          {formatAge(item.ageMinutes)} ago
        </span>
        <span className="inbox-reason">{item.reason}</span>
        {item.needs ? <span className="muted">Needs: {item.needs}</span> : null}
      </div>
      {detail ? <div className="error-text small">{detail}</div> : null}
      {!canDecide ? (
        <div className="muted small" data-testid="inbox-waiting">
          Waiting for a supervisor
        </div>
      ) : actions !== 'decide' ? (
        <DirectActions item={item} />
      ) : mode ? (
        <DecisionForm item={item} mode={mode} onClose={() => setMode(null)} />
      ) : (
        <div className="inbox-actions">
          <button type="button" className="btn btn-primary btn-sm" data-testid="inbox-approve" onClick={() => setMode('approve')}>
            Approve…
          </button>
          <button type="button" className="btn btn-ghost btn-sm" data-testid="inbox-reject" onClick={() => setMode('reject')}>
            Reject…
          </button>
        </div>
      )}
    </li>
  );
}

/** Mounted while the inbox is open: every opening reads it again, and rows:changed keeps it current. */
function InboxModal() {
  const setOpen = useInboxUi((s) => s.setOpen);
  const user = useUser();
  const inbox = useApiQuery('inbox:list', {}, { refetchOnMount: 'always' });
  const items = inbox.data?.items ?? [];
  const canDecide = inbox.data?.scope === 'all' && hasRole(user, 'supervisor');
  // In the order shown (grouped by kind), so the arrow keys follow the screen.
  const ordered = INBOX_SECTIONS.flatMap((s) => items.filter((i) => i.kind === s.kind));
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ key: string; mode: Mode } | null>(null);
  const focusIndex = Math.max(0, ordered.findIndex((i) => i.key === focusKey));
  const focused = ordered[focusIndex] ?? null;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      if (editing) setEditing(null);
      else setOpen(false);
      return;
    }
    if (ordered.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.min(ordered.length - 1, Math.max(0, focusIndex + (e.key === 'ArrowDown' ? 1 : -1)));
      setFocusKey(ordered[next]!.key);
      setEditing(null);
    } else if (e.key === 'Enter' && focused && canDecide && actionsFor(focused) === 'decide' && (e.target as HTMLElement).tagName === 'LI') {
      e.preventDefault();
      setEditing({ key: focused.key, mode: 'approve' });
    }
  };

  return (
    <div className="modal-overlay" onClick={(e) => e.target === e.currentTarget && setOpen(false)}>
      <div className="modal inbox-modal" role="dialog" aria-label={canDecide ? 'Approvals' : 'My requests'} data-testid="inbox-panel" onKeyDown={onKeyDown}>
        <div className="modal-head">
          <h2>{canDecide ? 'Approvals' : 'My requests'}</h2>
          <span className="muted small">↑/↓ move · Enter approve · Esc close</span>
          <ListExport kind="inbox" what="approvals inbox" />
          <button type="button" className="btn btn-ghost btn-sm" data-testid="inbox-close" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
        <div className="modal-body">
          <ErrorText error={inbox.error ? errorMessage(inbox.error) : null} />
          {inbox.data && items.length === 0 ? (
            <p className="muted pad" data-testid="inbox-empty">
              {canDecide ? 'Nothing is waiting for a supervisor.' : 'None of your requests is waiting for a supervisor.'}
            </p>
          ) : null}
          {INBOX_SECTIONS.map((section) => {
            const inSection = ordered.filter((i) => i.kind === section.kind);
            if (inSection.length === 0) return null;
            return (
              <section key={section.kind} className="inbox-section" data-testid={`inbox-section-${section.kind}`}>
                <h3>
                  {section.title} <span className="inbox-count">{inSection.length}</span>
                </h3>
                <ul className="inbox-list" aria-label={section.title}>
                  {inSection.map((item) => (
                    <ItemRow
                      key={item.key}
                      item={item}
                      focused={focused?.key === item.key}
                      canDecide={canDecide}
                      mode={editing?.key === item.key ? editing.mode : null}
                      setMode={(mode) => setEditing(mode ? { key: item.key, mode } : null)}
                      onFocus={() => setFocusKey(item.key)}
                    />
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/**
 * The top bar's entry: "Approvals" with the count of what waits, for
 * supervisors and admins; a clerk sees "My requests" only while one of theirs waits.
 */
export function ApprovalsButton() {
  const open = useInboxUi((s) => s.open);
  const setOpen = useInboxUi((s) => s.setOpen);
  const user = useUser();
  const counts = useApiQuery('inbox:counts', {}, { enabled: user !== null });
  // Signed out (the app unmounts): the next user does not find this one's inbox open.
  useEffect(() => () => setOpen(false), [setOpen]);
  const total = counts.data?.total ?? 0;
  const supervisor = hasRole(user, 'supervisor');
  if (!user || (!supervisor && total === 0 && !open)) return null;
  const label = supervisor ? 'Approvals' : 'My requests';
  return (
    <>
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="inbox-open"
        data-count={total}
        title={supervisor ? `${total} waiting for a supervisor` : `${total} of your requests waiting for a supervisor`}
        onClick={() => setOpen(true)}
      >
        {label}
        {total > 0 ? (
          <span className="count-badge" data-testid="inbox-count">
            {total}
          </span>
        ) : null}
      </button>
      {open ? <InboxModal /> : null}
    </>
  );
}
