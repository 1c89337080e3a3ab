import type { ConformanceTarget, RealFailure } from '../../conformance/conformance';
import type { FaultRule } from '../../kit/faults';
import { createSapEccConnector } from '../../../core/erp/sap-ecc/connector';
import { DEFAULT_WRAPPER_FUNCTION, referenceMaxLength } from '../../../core/erp/sap-ecc/options';
import { startSapEccSandbox, type SapRealFailure } from './sandbox';
import { SAP_ECC_SCENARIOS } from './conformance-scenarios';

// SAP ECC in wrapper posting mode against its SOAP-RFC sandbox. Every call goes
// to one URL, so the sandbox matches fault rules against
// /sap/bc/soap/rfc/<function>; a "commit then drop" rule without a path is
// aimed at the wrapper function, the call that commits.
// Session expiry: Basic auth sends the credentials with every call and SAP
// keeps no session for SOAP-RFC, so there is nothing to expire; the real
// signal of an expired logon in front of SAP is a 401 (session-timeout).

/** Each shared real failure mode and the SAP failure that reproduces it (docs/erp/sap-ecc.md, "Real failure modes"). */
const REAL_FAILURE_MODES: Readonly<Record<RealFailure, SapRealFailure>> = {
  'receipt-service-unavailable': 'wrapper-missing',
  'unknown-read-field': 'line-item-field-missing',
  'accepted-not-booked': 'accepted-not-booked',
  'partial-booking': 'partial-clearing',
  'business-refusal': 'posting-period-closed',
  'session-timeout': 'logon-expired',
};

export const sapEccConformanceTarget: ConformanceTarget = {
  kind: 'sap-ecc',
  kindScenarios: SAP_ECC_SCENARIOS,
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
      clearFaults: async () => {
        sandbox.faults.reset();
        sandbox.clearRealFailures();
      },
      expireSessions: async () => {},
      countReceipts: async (reference) => sandbox.receiptCount(reference),
      openBalance: async (invoiceNo) => sandbox.openBalance(invoiceNo),
      limits: { referenceMaxLength: referenceMaxLength('REF_DOC_NO') },
      supports: { credentialRejection: true, httpFaults: true, commitThenDrop: true, malformedReplies: true, sessionExpiry: false },
      realFailures: new Set(Object.keys(REAL_FAILURE_MODES) as RealFailure[]),
      injectRealFailure: async (failure) => sandbox.injectRealFailure(REAL_FAILURE_MODES[failure]),
      close: () => sandbox.close(),
    };
  },
};
