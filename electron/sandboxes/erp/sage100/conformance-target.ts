import { parseDecimalToCents } from '@shared/money';
import type { FaultRule } from '../../kit/faults';
import type { ConformanceTarget } from '../../conformance/conformance';
import { createOperationFaults } from '../operation-faults';
import type { ErpConnector } from '../../../core/erp/connector';
import { checkNoForReference } from '../../../core/erp/sage100/check-no';
import { createSage100Connector } from '../../../core/erp/sage100/connector';
import { startSage100Sandbox, type Sage100Sandbox } from './sandbox';
import { NO_REAL_FAILURES } from '../../conformance/no-real-failures';

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
  async start(seed) {
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
        return faults.wrap(c);
      },
      injectFault: async (rule) => faults.inject(rule),
      clearFaults: async () => {
        faults.clear();
        await sandbox.unlock();
        await sandbox.restoreDates();
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
      ...NO_REAL_FAILURES,
      close: () => sandbox.close(),
    };
  },
};
