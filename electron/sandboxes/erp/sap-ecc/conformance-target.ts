import type { ConformanceTarget } from '../../conformance/conformance';
import type { FaultRule } from '../../kit/faults';
import { createSapEccConnector } from '../../../core/erp/sap-ecc/connector';
import { DEFAULT_WRAPPER_FUNCTION, referenceMaxLength } from '../../../core/erp/sap-ecc/options';
import { startSapEccSandbox } from './sandbox';
import { NO_REAL_FAILURES } from '../../conformance/no-real-failures';

// SAP ECC in wrapper posting mode against its SOAP-RFC sandbox. Every call goes
// to one URL, so the sandbox matches fault rules against
// /sap/bc/soap/rfc/<function>; a "commit then drop" rule without a path is
// aimed at the wrapper function, the call that commits.
// Session expiry: Basic auth sends the credentials with every call and SAP
// keeps no session for SOAP-RFC, so there is nothing to expire.

export const sapEccConformanceTarget: ConformanceTarget = {
  kind: 'sap-ecc',
  async start(seed) {
    const sandbox = await startSapEccSandbox({ customers: seed.customers, invoices: seed.invoices });
    // The suite's read faults ({method: 'GET'}) hit the read BAPIs; its write
    // faults ({method: 'POST'}) hit the wrapper. Every SOAP call is an HTTP POST.
    const aim = (rule: FaultRule): FaultRule => {
      if (rule.pathPrefix !== undefined) return rule;
      const isWrite = rule.method?.toUpperCase() === 'POST' || (rule.method === undefined && rule.fault.kind === 'commit-then-drop');
      return { ...rule, method: 'POST', pathPrefix: isWrite ? sandbox.functionPath(DEFAULT_WRAPPER_FUNCTION) : sandbox.functionPath('BAPI_') };
    };
    return {
      connector: (options = {}) =>
        createSapEccConnector({
          baseUrl: sandbox.baseUrl,
          options: { ...sandbox.options, postingMode: 'wrapper', customerPageSize: 50 },
          credentials: options.badCredentials ? { username: sandbox.credentials.username, password: 'wrong-password' } : sandbox.credentials,
          timeoutMs: options.timeoutMs ?? 5_000,
        }),
      injectFault: async (rule) => sandbox.faults.add(aim(rule)),
      clearFaults: async () => sandbox.faults.reset(),
      expireSessions: async () => {},
      countReceipts: async (reference) => sandbox.receiptCount(reference),
      openBalance: async (invoiceNo) => sandbox.openBalance(invoiceNo),
      limits: { referenceMaxLength: referenceMaxLength('REF_DOC_NO') },
      supports: { credentialRejection: true, httpFaults: true, commitThenDrop: true, malformedReplies: true, sessionExpiry: false },
      ...NO_REAL_FAILURES,
      close: () => sandbox.close(),
    };
  },
};
