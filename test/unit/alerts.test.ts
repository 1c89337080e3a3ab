import { describe, expect, it } from 'vitest';
import type { Alert, PostingSummary, SyncStatus } from '../../shared/api-contract';
import { createAlertWatcher } from '../../electron/core/alerts';

const posting = (dead: number): PostingSummary => ({ queued: 0, sending: 0, retrying: 0, unknownOutcome: 0, posted: 0, dead, paused: null });
const remote = { reachability: 'offline' as const, message: null, asOf: null };
const sync = (state: SyncStatus['state'], lastSuccessAt: string | null): SyncStatus => ({
  state, phase: null, progress: null, lastSuccessAt, lastAttemptAt: '2026-11-21T12:00:00Z', lastError: 'ERP cannot be reached', nextRunAt: null, intervalMinutes: 5, paytrace: remote, erp: remote,
});

describe('alerts', () => {
  it('alerts once per new dead letter, not for the ones already there at start', () => {
    const alerts: Alert[] = [];
    const w = createAlertWatcher({ emit: (a) => alerts.push(a), alertAfterMinutes: () => 30 });
    w.onPosting(posting(2));
    w.onPosting(posting(2));
    expect(alerts).toEqual([]);
    w.onPosting(posting(3));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'dead-letter', message: expect.stringContaining('1 posting failed') });
  });

  it('alerts when sync has failed for longer than the setting, once until it recovers', () => {
    const alerts: Alert[] = [];
    let now = new Date('2026-11-21T12:10:00Z');
    const w = createAlertWatcher({ emit: (a) => alerts.push(a), alertAfterMinutes: () => 30, now: () => now });
    w.onSync(sync('error', '2026-11-21T12:00:00Z'));
    expect(alerts).toHaveLength(0);
    now = new Date('2026-11-21T12:45:00Z');
    w.onSync(sync('error', '2026-11-21T12:00:00Z'));
    w.onSync(sync('error', '2026-11-21T12:00:00Z'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.kind).toBe('sync-stale');
    w.onSync(sync('idle', '2026-11-21T12:46:00Z'));
    now = new Date('2026-11-21T13:30:00Z');
    w.onSync(sync('error', '2026-11-21T12:46:00Z'));
    expect(alerts).toHaveLength(2);
  });
});
