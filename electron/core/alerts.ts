import type { Alert, PostingSummary, SyncStatus } from '@shared/api-contract';

// Turns status changes into alerts a clerk must see: a posting landed in the
// dead-letter queue, or sync has been failing for longer than the setting.
// Each condition alerts once until it clears.

export type AlertWatcher = Readonly<{
  onPosting(summary: PostingSummary): void;
  onSync(status: SyncStatus): void;
}>;

export function createAlertWatcher(options: { emit: (alert: Alert) => void; alertAfterMinutes: () => number; now?: () => Date }): AlertWatcher {
  const now = options.now ?? (() => new Date());
  let lastDead: number | null = null;
  let staleAlerted = false;
  let lastConflicts: number | null = null;
  return {
    onPosting(summary) {
      if (lastDead !== null && summary.dead > lastDead) {
        const n = summary.dead - lastDead;
        options.emit({ kind: 'dead-letter', message: `${n} posting${n === 1 ? '' : 's'} failed and need${n === 1 ? 's' : ''} attention in the Failed tab.`, at: now().toISOString() });
      }
      lastDead = summary.dead;
      const conflicts = (summary as { conflicts?: number }).conflicts;
      if (typeof conflicts === 'number') {
        if (lastConflicts !== null && conflicts > lastConflicts) {
          options.emit({ kind: 'conflict', message: `${conflicts - lastConflicts} approved payment(s) no longer fit the ERP and wait in Conflicts.`, at: now().toISOString() });
        }
        lastConflicts = conflicts;
      }
    },
    onSync(status) {
      if (status.state !== 'error') {
        if (status.lastSuccessAt) staleAlerted = false;
        return;
      }
      const since = Date.parse(status.lastSuccessAt ?? status.lastAttemptAt ?? '');
      if (!Number.isFinite(since) || staleAlerted) return;
      const minutes = (now().getTime() - since) / 60_000;
      if (minutes >= options.alertAfterMinutes()) {
        staleAlerted = true;
        options.emit({ kind: 'sync-stale', message: `No successful sync for ${Math.round(minutes)} minutes: ${status.lastError ?? 'see the status bar'}`, at: now().toISOString() });
      }
    },
  };
}
