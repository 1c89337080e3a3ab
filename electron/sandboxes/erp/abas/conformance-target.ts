import type { ConformanceTarget } from '../../conformance/conformance';
import type { FaultRule } from '../../kit/faults';
import { AbasConnector } from '../../../core/erp/abas/connector';
import { startAbasSandbox } from './sandbox';
import { NO_REAL_FAILURES } from '../../conformance/no-real-failures';

// The abas connector (OAuth2, editor-flow posting) against its sandbox. Write
// faults arrive as path-less POST rules. The write that commits is the Commit,
// a POST to the same working-set URL as the field actions before it, so such
// rules are armed on the sandbox's next Commit(s) rather than left to hit the
// token request or commands/NEW.

export const abasConformanceTarget: ConformanceTarget = {
  kind: 'abas',
  async start(seed) {
    const sandbox = await startAbasSandbox({ customers: seed.customers, invoices: seed.invoices });
    const inject = (rule: FaultRule): void => {
      const write = rule.method?.toUpperCase() === 'POST' || (rule.method === undefined && rule.fault.kind === 'commit-then-drop');
      if (rule.pathPrefix === undefined && write) {
        for (let i = 0; i < (rule.times ?? 1); i++) sandbox.failNextCommit(rule.fault);
      } else sandbox.faults.add(rule);
    };
    return {
      connector: (options = {}) =>
        new AbasConnector({
          baseUrl: sandbox.baseUrl,
          options: { ...sandbox.options, postingMode: 'api' },
          credentials: options.badCredentials ? { username: sandbox.credentials.username, password: 'wrong-secret' } : sandbox.credentials,
          timeoutMs: options.timeoutMs ?? 5_000,
        }),
      injectFault: async (rule) => inject(rule),
      clearFaults: async () => sandbox.resetFaults(),
      expireSessions: async () => sandbox.expireTokens(),
      countReceipts: async (reference) => sandbox.receiptCount(reference),
      openBalance: async (invoiceNo) => sandbox.openBalance(invoiceNo),
      limits: { referenceMaxLength: 30 },
      supports: { credentialRejection: true, httpFaults: true, commitThenDrop: true, malformedReplies: true, sessionExpiry: true },
      ...NO_REAL_FAILURES,
      close: () => sandbox.close(),
    };
  },
};
