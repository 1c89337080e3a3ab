import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type { ErpConnector, ReceiptRequest } from '../../electron/core/erp/connector';
import type { ErpOptionValue } from '../../electron/core/erp/kind-module';
import { createP21Connector } from '../../electron/core/erp/p21/connector';
import { startP21Sandbox, type P21Sandbox } from '../../electron/sandboxes/erp/p21/sandbox';

// The small P21 world the posting and fidelity tests share: two customers,
// three open invoices, a receipt paying the first in full and half the second,
// and a sandbox per test whose connectors are closed with it.

export const P21_CUSTOMERS: Customer[] = [
  { customerId: '10001', name: 'Apex Plumbing' },
  { customerId: '10002', name: 'Granite Supply' },
];

const inv = (no: string, customerId: string, amount: number): OpenInvoice => ({
  invoiceNo: no, customerId, invoiceDate: '2026-01-05', dueDate: null, amountCents: cents(amount), openBalanceCents: cents(amount), currency: 'USD', poNo: '',
});
export const P21_INVOICES = [inv('1000001', '10001', 10000), inv('1000002', '10001', 5000), inv('1000003', '10002', 7000)];

export const p21Receipt = (reference: string, over: Partial<ReceiptRequest> = {}): ReceiptRequest => ({
  reference,
  customerId: '10001',
  date: '2026-03-02',
  amountCents: cents(12500),
  currency: 'USD',
  paymentMethod: 'card',
  allocations: [
    { invoiceNo: '1000001', amountCents: cents(10000) },
    { invoiceNo: '1000002', amountCents: cents(2500) },
  ],
  ...over,
});

/** One sandbox at a time (start in beforeEach, stop in afterEach); connectors made here are closed by stop(). */
export function p21TestWorld() {
  let current: P21Sandbox | null = null;
  const open: ErpConnector[] = [];
  return {
    get sandbox(): P21Sandbox {
      if (!current) throw new Error('the P21 sandbox is not running (start it in beforeEach)');
      return current;
    },
    async start(options: Readonly<{ decoys?: boolean }> = {}): Promise<void> {
      current = await startP21Sandbox({ customers: P21_CUSTOMERS, invoices: P21_INVOICES, ...options });
    },
    async stop(): Promise<void> {
      for (const c of open.splice(0)) await c.close();
      await current?.close();
      current = null;
    },
    /** Closed by stop(). */
    track<C extends ErpConnector>(c: C): C {
      open.push(c);
      return c;
    },
    connector(options: Record<string, ErpOptionValue> = {}): ErpConnector {
      const s = this.sandbox;
      return this.track(createP21Connector({ baseUrl: s.baseUrl, options: { ...s.options, ...options }, credentials: s.credentials, timeoutMs: 5000 }));
    },
  };
}
