import type { FaultRule } from '../kit/faults';
import type { ErpConnector } from '../../core/erp/connector';

// Fault injection for ERP sandboxes that are not HTTP servers (an ODBC file, a
// folder): a rule is armed for the duration of the next matching connector
// call — GET rules on reads, POST rules on writes — and disarmed afterwards.
// What a fault *becomes* (a locked file, a truncated CSV) is the sandbox's `arm`.

export type ArmFault = (rule: FaultRule) => Promise<() => Promise<void>>;

const READS = new Set(['listCustomers', 'listOpenInvoices', 'findReceipt', 'findCreditMemo', 'testConnection', 'discover']);

export type OperationFaults = Readonly<{
  inject(rule: FaultRule): void;
  clear(): void;
  /** The connector with every call wrapped by the armed faults. */
  wrap(connector: ErpConnector): ErpConnector;
}>;

export function createOperationFaults(arm: ArmFault): OperationFaults {
  let rules: Array<{ rule: FaultRule; remaining: number }> = [];

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

  const armAll = async (operation: string) => {
    const disarms: Array<() => Promise<void>> = [];
    for (const rule of draw(operation)) disarms.push(await arm(rule));
    return async () => {
      for (const disarm of disarms) await disarm();
    };
  };

  const around = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const disarm = await armAll(operation);
    try {
      return await call();
    } finally {
      await disarm();
    }
  };

  async function* aroundPages<T>(operation: string, pages: () => AsyncIterable<readonly T[]>): AsyncIterable<readonly T[]> {
    const disarm = await armAll(operation);
    try {
      yield* pages();
    } finally {
      await disarm();
    }
  }

  return {
    inject: (rule) => {
      rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clear: () => {
      rules = [];
    },
    wrap: (c) => ({
      kind: c.kind,
      capabilities: c.capabilities,
      testConnection: () => around('testConnection', () => c.testConnection()),
      listCustomers: () => aroundPages('listCustomers', () => c.listCustomers()),
      listOpenInvoices: (o) => aroundPages('listOpenInvoices', () => c.listOpenInvoices(o)),
      findReceipt: (ref) => around('findReceipt', () => c.findReceipt(ref)),
      postReceipt: (r) => around('postReceipt', () => c.postReceipt(r)),
      findCreditMemo: (ref) => around('findCreditMemo', () => c.findCreditMemo(ref)),
      postCreditMemo: (m) => around('postCreditMemo', () => c.postCreditMemo(m)),
      ...(c.discover ? { discover: () => around('discover', () => c.discover!()) } : {}),
      close: () => c.close(),
    }),
  };
}
