import { parseDecimalToCents } from '@shared/money';
import type { FaultRule } from '../../kit/faults';
import type { ConformanceTarget } from '../../conformance/conformance';
import { createOperationFaults } from '../operation-faults';
import type { ErpConnector } from '../../../core/erp/connector';
import { checkNoForReference } from '../../../core/erp/sage100/check-no';
import { createSage100Connector } from '../../../core/erp/sage100/connector';
import { startSage100Sandbox, type Sage100Sandbox } from './sandbox';
import type { RealFailure } from '../../conformance/conformance';
import { SAGE100_SCENARIOS, type Sage100Harness } from './conformance-scenarios';

// Sage 100 against its ODBC sandbox. An ODBC source has no HTTP, so each
// fault becomes what a ProvideX company really shows, applied for the
// duration of the next matching connector call (GET = reads, POST = posts):
//   status / timeout / reset → the company file is locked ("busy"): typed transient;
//   latency                  → a short lock the driver waits out;
//   commit-then-drop         → the VI job imports, but the file stays locked until the
//                              poster has given up (unknown_outcome); the look-up then finds it;
//   malformed                → unreadable dates in AR_OpenInvoice: typed malformed.
// No HTTP status (so no 429 Retry-After) and no session to expire.

const CONFIRM_TIMEOUT_MS = 3_000;

// The real failure modes this sandbox reproduces, each as the real system shows
// it (docs/erp/sage100.md "Real failure modes the sandbox reproduces"):
//   receipt-service-unavailable → the compiled VI job (MAS90\VI\VIWI0A) is gone: config before any file is written;
//   unknown-read-field          → AR_OpenInvoice lacks a column the read names (the driver's "column not found"): config;
//   accepted-not-booked         → the VI job runs, ends cleanly and imports no record: unknown_outcome;
//   partial-booking             → VI refuses the last detail line, imports the rest and logs the line: partial;
//   business-refusal            → the VI job log refuses the file: validation with the log text.
// session-timeout has no ODBC equivalent here: the ProvideX driver opens company
// files per statement and holds no server session that expires.
const REAL_FAILURES_REPRODUCED: ReadonlySet<RealFailure> = new Set(['receipt-service-unavailable', 'unknown-read-field', 'accepted-not-booked', 'partial-booking', 'business-refusal']);

/** The VI log text of a refused file, in the words of the sandbox's stand-in job (the real log's wording is unconfirmed). */
export const VI_REFUSAL_LOG = 'Record 2 rejected: Customer is on credit hold. Records Imported: 0, Records Failed: 1';
const BUSY_TIMEOUT_MS = 300;

async function arm(sandbox: Sage100Sandbox, rule: FaultRule): Promise<() => Promise<void>> {
  switch (rule.fault.kind) {
    case 'status':
    case 'timeout':
    case 'reset':
      await sandbox.lock();
      return () => sandbox.unlock();
    case 'latency':
      await sandbox.lock(Math.min(rule.fault.ms, BUSY_TIMEOUT_MS - 100));
      return async () => undefined;
    case 'commit-then-drop':
      sandbox.dropNextConfirmation(CONFIRM_TIMEOUT_MS + 5_000);
      return () => sandbox.unlock();
    case 'malformed':
      await sandbox.corruptDates();
      return () => sandbox.restoreDates();
  }
}

export const sage100ConformanceTarget: ConformanceTarget = {
  kind: 'sage100',
  kindScenarios: SAGE100_SCENARIOS,
  async start(seed): Promise<Sage100Harness> {
    const sandbox = await startSage100Sandbox(
      { customers: seed.customers, invoices: seed.invoices },
      { busyTimeoutMs: BUSY_TIMEOUT_MS, confirmTimeoutMs: CONFIRM_TIMEOUT_MS, confirmPollMs: 100, importIntervalMs: 100 },
    );
    const faults = createOperationFaults((rule) => arm(sandbox, rule));

    return {
      connector: (options = {}) => {
        const c: ErpConnector = createSage100Connector({
          // The SQLite driver has no logon, so a refused logon can only be modelled as a company the user cannot open.
          baseUrl: options.badCredentials ? sandbox.baseUrl.replace(/Database=[^;]*/, `Database=${sandbox.dbFile}.no-access`) : sandbox.baseUrl,
          options: sandbox.options,
          credentials: options.badCredentials ? { username: sandbox.credentials.username, password: 'not-the-password' } : sandbox.credentials,
          timeoutMs: options.timeoutMs ?? 5_000,
        });
        // The fault wrapper knows the shared operations only; discovery is read-only and passes straight through.
        return { ...faults.wrap(c), discover: () => c.discover?.() ?? Promise.resolve([]) };
      },
      injectFault: async (rule) => faults.inject(rule),
      clearFaults: async () => {
        faults.clear();
        await sandbox.unlock();
        await sandbox.restoreDates();
        await sandbox.restoreViJob();
        await sandbox.restoreColumns();
      },
      expireSessions: async () => undefined,
      countReceipts: async (reference) => {
        let checkNo: string;
        try {
          checkNo = checkNoForReference(reference);
        } catch {
          return 0; // not representable: nothing can carry it
        }
        const rows = await sandbox.query('SELECT DISTINCT DepositNo, CustomerNo FROM AR_CashReceiptsHistory WHERE CheckNo = ?', [checkNo]);
        return rows.length;
      },
      openBalance: async (invoiceNo) => {
        const rows = await sandbox.query("SELECT Balance FROM AR_OpenInvoice WHERE InvoiceNo = ? AND InvoiceType = 'IN' AND Balance <> 0", [invoiceNo]);
        const row = rows[0];
        return row ? parseDecimalToCents(row['Balance'] as number) : null;
      },
      // CheckNo holds 10 characters; ids up to 64 characters travel as a short form (docs/erp/sage100.md).
      limits: { referenceMaxLength: 64 },
      supports: { credentialRejection: false, httpFaults: false, commitThenDrop: true, malformedReplies: true, sessionExpiry: false },
      realFailures: REAL_FAILURES_REPRODUCED,
      injectRealFailure: async (failure) => {
        switch (failure) {
          case 'receipt-service-unavailable':
            await sandbox.removeViJob();
            return {};
          case 'unknown-read-field':
            await sandbox.renameColumn('AR_OpenInvoice', 'CustomerPONo', 'CustomerPONo_Removed');
            return {};
          case 'accepted-not-booked':
            sandbox.nextImport({ kind: 'nothing' });
            return {};
          case 'partial-booking':
            sandbox.nextImport({ kind: 'drop-last-line' });
            return {};
          case 'business-refusal':
            sandbox.nextImport({ kind: 'refuse', log: VI_REFUSAL_LOG });
            return { erpText: VI_REFUSAL_LOG };
          case 'session-timeout':
            throw new Error('Sage 100 (ProvideX ODBC) has no session that expires: the driver opens company files per statement');
        }
      },
      close: () => sandbox.close(),
      sandbox,
      password: sandbox.credentials.password,
    };
  },
};
