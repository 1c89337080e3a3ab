import { describe, expect, it } from 'vitest';
import type { WorkspaceOfflineState } from '@shared/api/workspace-offline';
import { formatClock } from '../../format';
import { offlineBannerText } from './workspace-offline-text';

describe('workspace-offline banner', () => {
  it('says since when, from which copy, and how many decisions wait', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const state: WorkspaceOfflineState = {
      mode: 'offline',
      workspaceName: 'AR',
      unreachableSince: '2026-12-07T10:02:00Z',
      unreachableReason: 'connect ECONNREFUSED',
      reachableAgainAt: null,
      snapshotAt: '2026-12-07T09:58:00Z',
      queued: 3,
      conflicts: [],
      lastReplay: null,
    };
    expect(offlineBannerText(state, now)).toBe(
      `Workspace unreachable since ${formatClock(state.unreachableSince, now)} — working from this workstation's copy of ${formatClock(state.snapshotAt, now)}; decisions are queued (3) and checked when it is back.`,
    );
    expect(formatClock(state.snapshotAt, now)).not.toBe('—');
  });

  it('once the workspace answers again, asks the clerk to reopen so the queued decisions are replayed', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const base: WorkspaceOfflineState = {
      mode: 'offline',
      workspaceName: 'AR',
      unreachableSince: '2026-12-07T10:02:00Z',
      unreachableReason: 'connect ECONNREFUSED',
      reachableAgainAt: '2026-12-07T11:40:00Z',
      snapshotAt: '2026-12-07T09:58:00Z',
      queued: 2,
      conflicts: [],
      lastReplay: null,
    };
    expect(offlineBannerText(base, now)).toBe(
      `The workspace answers again since ${formatClock(base.reachableAgainAt, now)}: reopen Tieout to send the 2 decisions made on this workstation's copy (each is checked first).`,
    );
  });

  it('on the workspace, a connection that stopped answering asks the clerk to reopen on the copy', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const state: WorkspaceOfflineState = {
      mode: 'workspace',
      workspaceName: 'AR',
      unreachableSince: '2026-12-07T11:50:00Z',
      unreachableReason: null,
      reachableAgainAt: null,
      snapshotAt: '2026-12-07T11:45:00Z',
      queued: 0,
      conflicts: [],
      lastReplay: null,
    };
    expect(offlineBannerText(state, now)).toBe(
      `Workspace unreachable since ${formatClock(state.unreachableSince, now)} — changes cannot be saved there; reopen Tieout to work from this workstation's copy of ${formatClock(state.snapshotAt, now)}.`,
    );
  });
});
