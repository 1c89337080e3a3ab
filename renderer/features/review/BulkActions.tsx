import { useCallback, useState } from 'react';
import { useCloseOnOutsideClick } from '../../ui/use-outside-click';
import { EXCEPTION_CODES, type ExceptionCode } from '@shared/domain';
import { EXCLUDE_REASON_LABELS, EXCLUDE_REASONS, type BulkAction, type ExcludeReason } from '@shared/api/bulk-review';
import type { RowSelection } from '@shared/grid-view';
import { errorMessage, invoke } from '../../api/client';
import { useApiQuery } from '../../api/query';
import { exceptionLabel } from '../../labels';
import { refreshRows, useData } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { currentSelection, useUi } from '../../state/ui-store';
import { hasRole, useUser } from '../auth/session-store';
import '../views/views.css';

// Bulk review actions on the selection (toolbar, while rows are ticked). The
// engine resolves the selection, skips rows that cannot take the action and
// records the whole action as one undo step (Ctrl+Z).

const LINES = 6;

/** The selection on screen: ticked rows, or every row of the view but some (the engine resolves it). */
function selection(): RowSelection {
  return currentSelection();
}

export async function runBulk(action: BulkAction, what: string): Promise<boolean> {
  try {
    const result = await invoke('matches:bulk', { selection: selection(), action });
    if (result.changed.length > 0) toast('success', `${what}: ${result.changed.length} ${result.changed.length === 1 ? 'payment' : 'payments'}`, ['Ctrl+Z undoes.']);
    if (result.skipped.length > 0) {
      const lines = result.skipped.slice(0, LINES).map((s) => `${s.transactionId}: ${s.reason}`);
      if (result.skipped.length > LINES) lines.push(`…and ${result.skipped.length - LINES} more`);
      toast('warning', `Skipped ${result.skipped.length}`, lines);
    }
    await refreshRows();
    return true;
  } catch (e) {
    toast('error', `${what} failed`, [errorMessage(e)]);
    return false;
  }
}

type Panel = 'assign' | 'exception' | 'exclude';
const PANELS: ReadonlyArray<readonly [Panel, string]> = [
  ['assign', 'Assign to…'],
  ['exception', 'Mark exception'],
  ['exclude', 'Exclude'],
];

/** One toolbar button for the selection's actions (the toolbar stays narrow); the chosen action's form opens below it. */
function BulkMenu({ count }: Readonly<{ count: number }>) {
  const [open, setOpen] = useState(false);
  const [panel, setPanel] = useState<Panel>('assign');
  const closeMenu = useCallback(() => setOpen(false), []);
  const box = useCloseOnOutsideClick(open, closeMenu);
  const close = () => setOpen(false);
  return (
    <div className="bulk-item" ref={box}>
      <button type="button" className="btn btn-secondary" data-testid="bulk-open" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)}>
        Act on {count.toLocaleString('en-US')} ▾
      </button>
      {open ? (
        <div
          className="bulk-pop"
          data-testid="bulk-pop"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          <div className="bulk-switch" role="tablist" aria-label="Bulk action">
            {PANELS.map(([id, label]) => (
              <button key={id} type="button" role="tab" aria-selected={panel === id} className={`btn btn-sm ${panel === id ? 'btn-primary' : 'btn-ghost'}`} data-testid={`bulk-${id}`} onClick={() => setPanel(id)}>
                {label}
              </button>
            ))}
          </div>
          {panel === 'assign' ? <AssignForm close={close} /> : panel === 'exception' ? <ExceptionForm close={close} /> : <ExcludeForm close={close} />}
        </div>
      ) : null}
    </div>
  );
}

function AssignForm({ close }: Readonly<{ close: () => void }>) {
  const user = useUser();
  const supervisor = hasRole(user, 'supervisor');
  const people = useApiQuery('matches:assignees', {}, { enabled: supervisor });
  const [owner, setOwner] = useState(user?.userName ?? '');
  const go = (o: string | null) => void runBulk({ kind: 'assign', owner: o }, o === null ? 'Released' : `Assigned to ${o}`).then((ok) => ok && close());
  if (!supervisor) {
    // A clerk takes rows for themselves or releases their own (docs/work-queue.md).
    return (
      <>
        <button type="button" className="btn btn-primary btn-sm" data-testid="bulk-take" onClick={() => go(user?.userName ?? null)}>
          Take them (assign to me)
        </button>
        <button type="button" className="btn btn-ghost btn-sm" data-testid="bulk-release" onClick={() => go(null)}>
          Release mine
        </button>
        <p className="muted small">Only a supervisor assigns rows to someone else.</p>
      </>
    );
  }
  return (
    <>
      <select data-testid="bulk-assignee" aria-label="Assign to" value={owner} onChange={(e) => setOwner(e.target.value)}>
        {(people.data ?? (user ? [{ userName: user.userName, displayName: user.displayName }] : [])).map((p) => (
          <option key={p.userName} value={p.userName}>
            {p.displayName ? `${p.displayName} (${p.userName})` : p.userName}
          </option>
        ))}
      </select>
      <button type="button" className="btn btn-primary btn-sm" data-testid="bulk-assign-go" disabled={owner === ''} onClick={() => go(owner)}>
        Assign
      </button>
      <button type="button" className="btn btn-ghost btn-sm" data-testid="bulk-unassign" onClick={() => go(null)}>
        Clear owner
      </button>
    </>
  );
}

function ExceptionForm({ close }: Readonly<{ close: () => void }>) {
  const [reason, setReason] = useState<ExceptionCode | ''>('');
  const [note, setNote] = useState('');
  return (
    <>
      <select data-testid="bulk-exception-reason" aria-label="Exception reason" value={reason} onChange={(e) => setReason(e.target.value as ExceptionCode | '')}>
        <option value="">Choose a reason…</option>
        {EXCEPTION_CODES.filter((c) => c !== 'excluded').map((c) => (
          <option key={c} value={c}>
            {exceptionLabel(c)}
          </option>
        ))}
      </select>
      <input aria-label="Note" placeholder="Note (optional)" maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      <button
        type="button"
        className="btn btn-primary btn-sm"
        data-testid="bulk-exception-go"
        disabled={reason === ''}
        onClick={() => reason !== '' && void runBulk({ kind: 'exception', reason, ...(note.trim() ? { note: note.trim() } : {}) }, 'Marked exception').then((ok) => ok && close())}
      >
        Mark exception
      </button>
    </>
  );
}

function ExcludeForm({ close }: Readonly<{ close: () => void }>) {
  const [reason, setReason] = useState<ExcludeReason>('personal');
  const [note, setNote] = useState('');
  return (
    <>
      <p className="small">Not AR cash: never posted, until included again.</p>
      <select data-testid="bulk-exclude-reason" aria-label="Why it is not AR cash" value={reason} onChange={(e) => setReason(e.target.value as ExcludeReason)}>
        {EXCLUDE_REASONS.map((r) => (
          <option key={r} value={r}>
            {EXCLUDE_REASON_LABELS[r]}
          </option>
        ))}
      </select>
      <input aria-label="Note" placeholder="Note (optional)" maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      <button
        type="button"
        className="btn btn-primary btn-sm"
        data-testid="bulk-exclude-go"
        onClick={() => void runBulk({ kind: 'exclude', reason, ...(note.trim() ? { note: note.trim() } : {}) }, 'Excluded').then((ok) => ok && close())}
      >
        Exclude
      </button>
      <button type="button" className="btn btn-ghost btn-sm" data-testid="bulk-include-go" onClick={() => void runBulk({ kind: 'include' }, 'Included again').then((ok) => ok && close())}>
        Include again
      </button>
    </>
  );
}

export function BulkActions() {
  const selected = useUi((s) => s.selection);
  const summary = useData((s) => s.selectionSummary);
  const total = useData((s) => s.viewTotal);
  const count = selected.kind === 'ids' ? selected.ids.length : (summary?.count ?? Math.max(0, total - selected.exceptIds.length));
  if (count === 0) return null;
  return (
    <div className="bulk-bar" data-testid="bulk-actions">
      <BulkMenu count={count} />
    </div>
  );
}
