import type { ConformanceTarget } from '../../conformance/conformance';
import type { FaultRule } from '../../kit/faults';
import { AbasConnector } from '../../../core/erp/abas/connector';
import type { RealFailure } from '../../conformance/conformance';
import { ABAS_REFUSAL_TEXT, startAbasSandbox, type AbasRealFailure, type AbasReplyObserver } from './sandbox';
import { ABAS_KIND_SCENARIOS, type AbasHarness } from './conformance-scenarios';

/** Each shared real failure mode as abas sends it (docs/erp/abas.md, "Real failure modes the sandbox reproduces"). */
const REAL_FAILURE_MODES: Readonly<Record<RealFailure, AbasRealFailure | 'expire-token'>> = {
  'receipt-service-unavailable': 'object-unavailable',
  'unknown-read-field': 'unknown-field',
  'accepted-not-booked': 'commit-without-document',
  'partial-booking': 'commit-drops-last-row',
  'business-refusal': 'commit-refused',
  'session-timeout': 'expire-token',
};

// The abas connector (OAuth2, editor-flow posting) against its sandbox. Write
// faults arrive as path-less POST rules. The write that commits is the Commit,
// a POST to the same working-set URL as the field actions before it, so such
// rules are armed on the sandbox's next Commit(s) rather than left to hit the
// token request or commands/NEW.

/** The abas target; `onReply` sees every sandbox reply (test/integration/abas-openapi.test.ts validates them against the OpenAPI). */
export const makeAbasConformanceTarget = (onReply?: AbasReplyObserver): ConformanceTarget => ({
  kind: 'abas',
  kindScenarios: ABAS_KIND_SCENARIOS,
  async start(seed) {
    const sandbox = await startAbasSandbox({ customers: seed.customers, invoices: seed.invoices }, onReply ? { onReply } : {});
    const inject = (rule: FaultRule): void => {
      const write = rule.method?.toUpperCase() === 'POST' || (rule.method === undefined && rule.fault.kind === 'commit-then-drop');
      if (rule.pathPrefix === undefined && write) {
        for (let i = 0; i < (rule.times ?? 1); i++) sandbox.failNextCommit(rule.fault);
      } else sandbox.faults.add(rule);
    };
    const harness: AbasHarness = {
      connectorWith: (extra) =>
        new AbasConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, postingMode: 'api', ...extra }, credentials: sandbox.credentials, timeoutMs: 5_000 }),
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
      realFailures: new Set(Object.keys(REAL_FAILURE_MODES) as RealFailure[]),
      injectRealFailure: async (failure) => {
        const mode = REAL_FAILURE_MODES[failure];
        // An expired OAuth2 token: the middleware answers 401 on the next call.
        if (mode === 'expire-token') sandbox.expireTokens();
        else sandbox.armRealFailure(mode);
        return mode === 'commit-refused' ? { erpText: ABAS_REFUSAL_TEXT } : {};
      },
      armAbasReply: async (mode: AbasRealFailure) => sandbox.armRealFailure(mode),
      refusedParameters: async () => sandbox.refusedParameters(),
      openWorkingSets: async () => sandbox.openWorkingSets(),
      close: () => sandbox.close(),
    };
    return harness;
  },
});

export const abasConformanceTarget: ConformanceTarget = makeAbasConformanceTarget();
