import type { OfflineConflictChoice, OfflineDecisionState, OfflineReplayConflict } from '@shared/api/workspace-offline';
import { errorMessage } from '../../api/client';
import { useApiMutation, useApiQuery } from '../../api/query';
import { AlertIcon } from '../../components/icons';
import { toast } from '../../state/toast-store';
import { formatAmount, formatClock } from '../../format';
import { offlineBannerText } from './workspace-offline-text';
import './offline.css';

// A workstation joined to a team workspace: while the workspace cannot be
// reached, the grid is this workstation's copy and decisions queue; when it is
// back, a decision a teammate overtook is shown beside theirs for the clerk
// to choose.

function describe(side: OfflineDecisionState | null): string[] {
  if (!side) return ['No longer in the workspace'];
  const lines = [`${side.reviewState === 'pending' ? 'Undecided' : side.reviewState}${side.decidedBy ? ` by ${side.decidedBy}` : ''}${side.decidedAt ? ` at ${formatClock(side.decidedAt)}` : ''}`];
  if (side.pinned) lines.push(`Allocation: customer ${side.pinned.customerId}, ${side.pinned.allocations.map((a) => `${a.invoiceNo} ${formatAmount(a.amountCents)}`).join(', ')}`);
  if (side.clerkException) lines.push(`Exception: ${side.clerkException}`);
  if (side.owner) lines.push(`Owner: ${side.owner}`);
  lines.push(`Note: ${side.note ?? '—'}`);
  return lines;
}

function Side({ title, side, testId }: Readonly<{ title: string; side: OfflineDecisionState | null; testId: string }>) {
  return (
    <div className="conflict-side" data-testid={testId}>
      <h4>{title}</h4>
      {describe(side).map((line) => (
        <div key={line}>{line}</div>
      ))}
    </div>
  );
}

function ReplayConflict({ conflict }: Readonly<{ conflict: OfflineReplayConflict }>) {
  const resolve = useApiMutation('workspace:resolveOfflineConflict', { invalidates: ['workspace:offlineState', 'grid:rows'] });
  const choose = async (choice: OfflineConflictChoice) => {
    try {
      await resolve.mutateAsync({ decisionKey: conflict.decisionKey, choice });
      toast('success', choice === 'keep_theirs' ? `Kept the workspace's decision on ${conflict.transactionId}` : `Applied your decision on ${conflict.transactionId}`);
    } catch (err) {
      toast('error', 'Could not settle the offline decision', [errorMessage(err)]);
    }
  };
  return (
    <div className="conflict" data-testid="offline-replay-conflict" data-transaction-id={conflict.transactionId}>
      <div>
        <strong>{conflict.payer}</strong> · {formatAmount(conflict.amountCents, conflict.currency)} · PayTrace {conflict.transactionId} · decided offline by {conflict.decidedBy} at{' '}
        {formatClock(conflict.decidedOfflineAt)}
      </div>
      <div>{conflict.reasons.join(' ')}</div>
      <div className="conflict-sides conflict-sides-3">
        <Side title="Before (the copy)" side={conflict.base} testId="offline-conflict-base" />
        <Side title="Yours (offline)" side={conflict.mine} testId="offline-conflict-mine" />
        <Side title="Workspace now" side={conflict.theirs} testId="offline-conflict-theirs" />
      </div>
      <div className="conflict-actions">
        <button type="button" className="btn btn-secondary" disabled={resolve.isPending} data-testid="offline-keep-theirs" onClick={() => void choose('keep_theirs')}>
          Keep the workspace's
        </button>
        <button type="button" className="btn btn-secondary" disabled={resolve.isPending} data-testid="offline-apply-mine" onClick={() => void choose('apply_mine')}>
          Apply mine
        </button>
      </div>
    </div>
  );
}

export function WorkspaceOfflineBanner() {
  const state = useApiQuery('workspace:offlineState', {}).data;
  if (!state || state.mode === 'local') return null;
  return (
    <>
      {state.mode === 'offline' || state.unreachableSince ? (
        <div className="banners">
          <div className="banner banner-offline" role="alert" data-testid="workspace-offline-banner" data-queued={state.queued}>
            <AlertIcon />
            <span className="banner-text">{offlineBannerText(state)}</span>
          </div>
        </div>
      ) : null}
      {state.conflicts.length > 0 ? (
        <section className="conflicts" data-testid="offline-replay-conflicts" aria-label="Offline decisions in conflict">
          <div className="conflicts-head">
            <span>
              {state.conflicts.length} decision{state.conflicts.length === 1 ? '' : 's'} made offline overtaken by a teammate: not applied. Choose what to do.
            </span>
          </div>
          {state.conflicts.map((c) => (
            <ReplayConflict key={c.decisionKey} conflict={c} />
          ))}
        </section>
      ) : null}
    </>
  );
}
