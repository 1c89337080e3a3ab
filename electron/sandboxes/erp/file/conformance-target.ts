import type { FaultRule } from '../../kit/faults';
import type { ConformanceTarget } from '../../conformance/conformance';
import { createOperationFaults } from '../operation-faults';
import type { ErpConnector } from '../../../core/erp/connector';
import { createFileConnector } from '../../../core/erp/file/connector';
import { startFileSandbox, type FileSandbox } from './sandbox';
import type { RealFailure } from '../../conformance/conformance';

// The File connector against a temp folder. Faults become what files do,
// for the duration of the next matching call (GET = reads, POST = exports):
//   malformed                → open-ar.csv cut mid-row: typed malformed, nothing exported;
//   status / timeout / reset → the receipts folder cannot be resolved (a dropped share):
//                              typed transient, nothing written.
// There is no HTTP, no commit that could lose its reply (a local write either
// happened or not) and no session.
//
// Real failures (docs/erp/file.md, "Real failure modes"): the receipts folder
// is a file (a mistyped setting, a share mapped over it) → config; the site's
// export renamed a column the mapping needs → config. The other modes need an
// ERP that acknowledges or books: a folder does neither (the read-back is the
// exported file itself, written under its real name in one link), so they are
// skipped with that reason.
const FILE_REAL_FAILURES: ReadonlySet<RealFailure> = new Set(['receipt-service-unavailable', 'unknown-read-field']);

async function arm(sandbox: FileSandbox, rule: FaultRule): Promise<() => Promise<void>> {
  switch (rule.fault.kind) {
    case 'malformed':
      await sandbox.truncateOpenAr();
      return () => sandbox.restoreOpenAr();
    case 'status':
    case 'timeout':
    case 'reset':
      await sandbox.dropReceiptsShare();
      return () => sandbox.restoreReceiptsFolder();
    case 'latency':
    case 'commit-then-drop':
      return async () => undefined;
  }
}

export const fileConformanceTarget: ConformanceTarget = {
  kind: 'file',
  async start(seed) {
    const sandbox = await startFileSandbox({ customers: seed.customers, invoices: seed.invoices });
    const faults = createOperationFaults((rule) => arm(sandbox, rule));

    return {
      connector: (options = {}) => {
        // A folder has no logon; "bad credentials" can only be a file the user cannot reach.
        const c: ErpConnector = createFileConnector({
          baseUrl: sandbox.baseUrl,
          options: options.badCredentials ? { ...sandbox.options, openArFile: 'no-access/open-ar.csv' } : sandbox.options,
          credentials: sandbox.credentials,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        });
        return faults.wrap(c);
      },
      injectFault: async (rule) => faults.inject(rule),
      clearFaults: async () => {
        faults.clear();
        await sandbox.restoreOpenAr();
        await sandbox.restoreReceiptsFolder();
      },
      expireSessions: async () => undefined,
      countReceipts: (reference) => sandbox.countReceipts(reference),
      openBalance: (invoiceNo) => sandbox.openBalance(invoiceNo),
      limits: { referenceMaxLength: 30 },
      supports: { credentialRejection: false, httpFaults: false, commitThenDrop: false, malformedReplies: true, sessionExpiry: false },
      realFailures: FILE_REAL_FAILURES,
      injectRealFailure: async (failure) => {
        if (failure === 'receipt-service-unavailable') await sandbox.breakReceiptsFolder();
        else if (failure === 'unknown-read-field') await sandbox.renameOpenArColumn('open_balance', 'balance_open');
        else throw new Error(`the File sandbox does not reproduce "${failure}"`);
        return {};
      },
      close: () => sandbox.close(),
    };
  },
};
