import type { ConformanceTarget, RealFailure } from '../../conformance/conformance';
import type { FaultRule } from '../../kit/faults';
import { EclipseConnector } from '../../../core/erp/eclipse/connector';
import { ECLIPSE_OPTION_FIELDS } from '../../../core/erp/eclipse/options';
import { startEclipseSandbox } from './sandbox';
import { ECLIPSE_KIND_SCENARIOS } from './conformance-scenarios';

// The Eclipse connector in API posting mode against its sandbox. Write
// faults arrive as path-less POST rules; they are aimed at the cash-receipt
// resource so they hit the write, never POST /Sessions (the sign-in). Every
// real failure mode is reproduced in Eclipse's shape (docs/erp/eclipse.md,
// "Real failure modes the sandbox reproduces").

const receiptsPath = String(ECLIPSE_OPTION_FIELDS.find((f) => f.key === 'cashReceiptsPath')!.default);

const REAL_FAILURES: ReadonlySet<RealFailure> = new Set(['receipt-service-unavailable', 'unknown-read-field', 'accepted-not-booked', 'partial-booking', 'business-refusal', 'session-timeout']);

export const eclipseConformanceTarget: ConformanceTarget = {
  kind: 'eclipse',
  kindScenarios: ECLIPSE_KIND_SCENARIOS,
  async start(seed) {
    const sandbox = await startEclipseSandbox({ customers: seed.customers, invoices: seed.invoices });
    const aim = (rule: FaultRule): FaultRule =>
      rule.pathPrefix === undefined && (rule.method?.toUpperCase() === 'POST' || (rule.method === undefined && rule.fault.kind === 'commit-then-drop'))
        ? { ...rule, method: 'POST', pathPrefix: receiptsPath }
        : rule;
    return {
      connector: (options = {}) =>
        new EclipseConnector({
          baseUrl: sandbox.baseUrl,
          options: { ...sandbox.options, postingMode: 'api' },
          credentials: options.badCredentials ? { username: sandbox.credentials.username, password: 'wrong-password' } : sandbox.credentials,
          timeoutMs: options.timeoutMs ?? 5_000,
        }),
      injectFault: async (rule) => sandbox.faults.add(aim(rule)),
      clearFaults: async () => {
        sandbox.faults.reset();
        sandbox.clearRealFailures();
      },
      expireSessions: async () => sandbox.expireSessions(),
      countReceipts: async (reference) => sandbox.receiptCount(reference),
      openBalance: async (invoiceNo) => sandbox.openBalance(invoiceNo),
      limits: { referenceMaxLength: Number(sandbox.options.referenceMaxLength) },
      supports: { credentialRejection: true, httpFaults: true, commitThenDrop: true, malformedReplies: true, sessionExpiry: true },
      realFailures: REAL_FAILURES,
      injectRealFailure: async (failure) => sandbox.realFailure(failure),
      close: () => sandbox.close(),
    };
  },
};
