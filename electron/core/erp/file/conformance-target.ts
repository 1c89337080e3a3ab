import type { FaultRule } from '../../sandbox-kit/faults';
import type { ConformanceTarget } from '../conformance';
import type { ErpConnector } from '../connector';
import { createFileConnector } from './connector';
import { startFileSandbox, type FileSandbox } from './sandbox';

// The File connector against a temp folder. Faults become what files do,
// for the duration of the next matching call (GET = reads, POST = exports):
//   malformed                → open-ar.csv cut mid-row: typed malformed, nothing exported;
//   status / timeout / reset → the receipts folder is gone (a dropped share): typed
//                              transient, nothing written.
// There is no HTTP, no commit that could lose its reply (a local write either
// happened or not) and no session.

type Armed = { rule: FaultRule; remaining: number };

const READS = new Set(['listCustomers', 'listOpenInvoices', 'findReceipt', 'findCreditMemo', 'testConnection']);

async function arm(sandbox: FileSandbox, rule: FaultRule): Promise<() => Promise<void>> {
  switch (rule.fault.kind) {
    case 'malformed':
      await sandbox.truncateOpenAr();
      return () => sandbox.restoreOpenAr();
    case 'status':
    case 'timeout':
    case 'reset':
      await sandbox.breakReceiptsFolder();
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
    let rules: Armed[] = [];

    const draw = (operation: string): FaultRule[] => {
      const method = READS.has(operation) ? 'GET' : 'POST';
      const hits: FaultRule[] = [];
      for (const entry of rules) {
        if (entry.rule.method && entry.rule.method.toUpperCase() !== method) continue;
        entry.remaining -= 1;
        hits.push(entry.rule);
      }
      rules = rules.filter((e) => e.remaining > 0);
      return hits;
    };
    const around = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
      const disarms: Array<() => Promise<void>> = [];
      for (const rule of draw(operation)) disarms.push(await arm(sandbox, rule));
      try {
        return await call();
      } finally {
        for (const d of disarms) await d();
      }
    };
    async function* aroundPages<T>(operation: string, pages: () => AsyncIterable<readonly T[]>): AsyncIterable<readonly T[]> {
      const disarms: Array<() => Promise<void>> = [];
      for (const rule of draw(operation)) disarms.push(await arm(sandbox, rule));
      try {
        yield* pages();
      } finally {
        for (const d of disarms) await d();
      }
    }

    return {
      connector: (options = {}) => {
        // A folder has no logon; "bad credentials" can only be a file the user cannot reach.
        const c: ErpConnector = createFileConnector({
          baseUrl: sandbox.baseUrl,
          options: options.badCredentials ? { ...sandbox.options, openArFile: 'no-access/open-ar.csv' } : sandbox.options,
          credentials: sandbox.credentials,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        });
        return {
          kind: c.kind,
          capabilities: c.capabilities,
          testConnection: () => around('testConnection', () => c.testConnection()),
          listCustomers: () => aroundPages('listCustomers', () => c.listCustomers()),
          listOpenInvoices: (o) => aroundPages('listOpenInvoices', () => c.listOpenInvoices(o)),
          findReceipt: (ref) => around('findReceipt', () => c.findReceipt(ref)),
          postReceipt: (r) => around('postReceipt', () => c.postReceipt(r)),
          findCreditMemo: (ref) => around('findCreditMemo', () => c.findCreditMemo(ref)),
          postCreditMemo: (m) => around('postCreditMemo', () => c.postCreditMemo(m)),
          close: () => c.close(),
        };
      },
      injectFault: async (rule) => {
        rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
      },
      clearFaults: async () => {
        rules = [];
        await sandbox.restoreOpenAr();
        await sandbox.restoreReceiptsFolder();
      },
      expireSessions: async () => undefined,
      countReceipts: (reference) => sandbox.countReceipts(reference),
      openBalance: (invoiceNo) => sandbox.openBalance(invoiceNo),
      limits: { referenceMaxLength: 30 },
      supports: { credentialRejection: false, httpFaults: false, commitThenDrop: false, malformedReplies: true, sessionExpiry: false },
      close: () => sandbox.close(),
    };
  },
};
