import type { diagnosticsMethods } from '@shared/api/diagnostics';
import { appendAudit, verifyAudit } from '../audit/audit-log';
import { diagnosticsBundle } from '../diagnostics/bundle';
import { currentVersion, migrations } from '../store/migrations';
import { deadLetters } from '../store/queries/dead-letters';
import { outboxCounts } from '../store/queries/outbox';
import { transactionCount } from '../store/queries/transactions';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// "Save diagnostics" (Settings): the bundle is built here and returned as
// bytes; the renderer offers them as a download, which the desktop app turns
// into a save dialog. Saving one is audited: it takes the log off the machine.

export function diagnosticsHandlers(d: HandlerDeps): DomainHandlers<keyof typeof diagnosticsMethods> {
  return {
    'diagnostics:save': async (_args, ctx) => {
      const { fileName, gzip } = diagnosticsBundle({
        generatedAt: d.clock.iso(),
        app: { version: d.version, shell: d.shell, mode: d.isDemo() ? 'demo' : 'live' },
        schemaVersion: currentVersion(d.db),
        latestSchemaVersion: migrations[migrations.length - 1]!.version,
        settings: d.settings(),
        connectionsConfigured: await d.vault.status(),
        counts: { transactions: transactionCount(d.db), outbox: outboxCounts(d.db), deadLetters: deadLetters(d.db).length },
        audit: verifyAudit(d.db),
        dataDir: d.dataDir,
      });
      appendAudit(d.db, { actor: d.actor(ctx), action: 'diagnostics.save', objectType: 'app', objectId: 'diagnostics', after: { fileName, bytes: gzip.length } }, d.clock);
      return { fileName, bytes: gzip.length, base64: gzip.toString('base64') };
    },
  };
}
