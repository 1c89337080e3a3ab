import type { FaultRule } from '../../kit/faults';
import type { ErpConnector } from '../../../core/erp/connector';
import type { ConformanceHarness, ConformanceTarget } from '../../conformance/conformance';
import { createP21Connector } from '../../../core/erp/p21/connector';
import { P21_REFERENCE_MAX_LENGTH } from '../../../core/erp/p21/options';
import { startP21Sandbox } from './sandbox';
import { REAL_FAILURES, type RealFailure } from '../../conformance/conformance';
import { p21KindScenarios } from './conformance-scenarios';

// The suite speaks of reads (GET) and writes (POST) without paths; on P21 a
// bare POST would also hit the token endpoint, so writes are pinned to the
// Transaction API and reads to OData.
function pinRule(rule: FaultRule): FaultRule {
  if (rule.pathPrefix) return rule;
  const method = rule.method?.toUpperCase();
  if (method === 'POST') return { ...rule, pathPrefix: '/uiserver0/api/v2/transaction' };
  if (method === 'GET') return { ...rule, pathPrefix: '/odataservice/' };
  return rule;
}

export const p21ConformanceTarget: ConformanceTarget = {
  kind: 'p21',
  kindScenarios: p21KindScenarios,
  async start(seed) {
    const sandbox = await startP21Sandbox({ customers: seed.customers, invoices: seed.invoices, decoys: true });
    const connectors: ErpConnector[] = [];
    const control = async <T>(name: string, body?: unknown, method = 'POST'): Promise<T> => {
      const res = await fetch(`${sandbox.url}/__control/${name}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`P21 sandbox control ${name} answered HTTP ${res.status}`);
      return (await res.json()) as T;
    };
    const harness: ConformanceHarness = {
      connector(options = {}) {
        const c = createP21Connector({
          baseUrl: sandbox.baseUrl,
          options: sandbox.options,
          credentials: options.badCredentials ? { username: sandbox.credentials.username, password: 'not-the-password' } : sandbox.credentials,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        });
        connectors.push(c);
        return c;
      },
      injectFault: async (rule) => {
        await control('faults', { append: true, rules: [pinRule(rule)] });
      },
      clearFaults: async () => {
        await control('faults', undefined, 'DELETE');
        await control('real-failure', undefined, 'DELETE');
      },
      expireSessions: async () => {
        await control('expire-tokens');
      },
      countReceipts: async (reference) => (await control<{ count: number }>('count-receipts', { reference })).count,
      openBalance: async (invoiceNo) => (await control<{ openBalanceCents: number | null }>('open-balance', { invoiceNo })).openBalanceCents,
      limits: { referenceMaxLength: P21_REFERENCE_MAX_LENGTH },
      supports: { credentialRejection: true, httpFaults: true, commitThenDrop: true, malformedReplies: true, sessionExpiry: true },
      // All six modes have a real P21 counterpart (docs/erp/p21.md "Real failure modes the sandbox reproduces").
      realFailures: new Set<RealFailure>(REAL_FAILURES),
      injectRealFailure: async (mode) => control<{ erpText?: string }>('real-failure', { mode }),
      async close() {
        for (const c of connectors) await c.close();
        await sandbox.close();
      },
    };
    return harness;
  },
};
