import type { WorkspaceOfflineState } from '@shared/api/workspace-offline';
import { formatClock } from '../../format';

/** The workspace-offline banner's sentence: since when, from which copy, how many decisions wait. */
export function offlineBannerText(state: WorkspaceOfflineState, now: Date = new Date()): string {
  if (state.reachableAgainAt) {
    const what = state.queued === 1 ? 'the decision' : `the ${state.queued} decisions`;
    return `The workspace answers again since ${formatClock(state.reachableAgainAt, now)}: reopen Tieout to send ${what} made on this workstation's copy (each is checked first).`;
  }
  if (state.mode === 'workspace') {
    return `Workspace unreachable since ${formatClock(state.unreachableSince, now)} — changes cannot be saved there; reopen Tieout to work from this workstation's copy of ${formatClock(state.snapshotAt, now)}.`;
  }
  const queued = `decisions are queued (${state.queued}) and checked when it is back`;
  return `Workspace unreachable since ${formatClock(state.unreachableSince, now)} — working from this workstation's copy of ${formatClock(state.snapshotAt, now)}; ${queued}.`;
}
