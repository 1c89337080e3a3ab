import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import type { ErpConnector, ReceiptRequest } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import { optionDefaults, type ErpKindModule } from '../../electron/core/erp/kind-module';
import { abasModule } from '../../electron/core/erp/abas';
import { eclipseModule } from '../../electron/core/erp/eclipse';
import { p21Module } from '../../electron/core/erp/p21';
import { sapEccModule } from '../../electron/core/erp/sap-ecc';
import { buildDemoWorld } from '../../electron/sandboxes/demo/world';
import { startAbasSandbox } from '../../electron/sandboxes/erp/abas/sandbox';
import { startEclipseSandbox } from '../../electron/sandboxes/erp/eclipse/sandbox';
import { startP21Sandbox } from '../../electron/sandboxes/erp/p21/sandbox';
import { startSapEccSandbox } from '../../electron/sandboxes/erp/sap-ecc/sandbox';
import type { RunningErpSandbox } from '../../electron/sandboxes/erp/sandbox-types';
import { assertTyped, asyncOutcomeOf, fuzzParams, isCents, isIsoDate, replySpoiler, RUNS, spoil } from '../support/fuzz-arbitraries';
import { fuzzProxy, type FuzzProxy } from '../support/fuzz-proxy';

// Each HTTP ERP connector (P21 JSON/OData, Eclipse JSON, SAP SOAP-RFC, abas
// objects+json) over real HTTP, with one reply of the call spoiled in flight
// by a loopback proxy in front of the ERP's sandbox: structural JSON mutations,
// byte mutations of JSON or XML, other statuses with junk bodies. Which reply
// (sign-in, first page, look-up, write) is generated too. Invariant: sound
// customers, open items and receipts, or an ErpError; a write answered with a
// spoiled reply is never reported as done with a record that does not hold up.

const SEED = 120_601;
const world = buildDemoWorld({ seed: 17, now: new Date('2026-03-02T15:00:00Z'), customers: 6, payments: 20 });

type Started = Readonly<{ sandbox: { close(): Promise<void> } & Pick<RunningErpSandbox, 'baseUrl' | 'options' | 'credentials'>; module: ErpKindModule }>;

const kinds: Record<string, () => Promise<Started>> = {
  p21: async () => ({ sandbox: await startP21Sandbox({ customers: world.customers, invoices: world.invoices }), module: p21Module }),
  eclipse: async () => ({ sandbox: await startEclipseSandbox({ customers: world.customers, invoices: world.invoices }), module: eclipseModule }),
  'sap-ecc': async () => ({ sandbox: await startSapEccSandbox({ customers: world.customers, invoices: world.invoices }), module: sapEccModule }),
  abas: async () => ({ sandbox: await startAbasSandbox({ customers: world.customers, invoices: world.invoices }), module: abasModule }),
};

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function drain<T>(pages: AsyncIterable<readonly T[]>, max = 4): Promise<T[]> {
  const out: T[] = [];
  let n = 0;
  for await (const page of pages) {
    out.push(...page);
    if (++n >= max) break;
  }
  return out;
}

function checkCustomers(list: readonly Customer[]): void {
  for (const c of list) expect(typeof c.customerId === 'string' && c.customerId !== '').toBe(true);
}

function checkInvoices(list: readonly OpenInvoice[]): void {
  for (const inv of list) {
    expect(isCents(inv.amountCents) && isCents(inv.openBalanceCents)).toBe(true);
    expect(inv.invoiceNo).not.toBe('');
    expect(inv.invoiceDate === '' || isIsoDate(inv.invoiceDate)).toBe(true);
    expect(inv.dueDate === null || isIsoDate(inv.dueDate)).toBe(true);
  }
}

function receiptFor(reference: string): ReceiptRequest {
  const inv = world.invoices.find((i) => i.openBalanceCents > 100)!;
  return {
    reference,
    customerId: inv.customerId,
    date: '2026-03-02',
    amountCents: cents(100),
    currency: 'USD',
    paymentMethod: 'card',
    cardBrand: 'VISA',
    allocations: [{ invoiceNo: inv.invoiceNo, amountCents: cents(100) }],
  };
}

type Call = 'customers' | 'invoices' | 'findReceipt' | 'findCreditMemo' | 'postReceipt';

async function run(connector: ErpConnector, call: Call, reference: string): Promise<void> {
  switch (call) {
    case 'customers':
      return checkCustomers(await drain(connector.listCustomers()));
    case 'invoices':
      return checkInvoices(await drain(connector.listOpenInvoices()));
    case 'findReceipt': {
      const r = await connector.findReceipt('79388123');
      if (r) expect(isCents(r.amountCents)).toBe(true);
      return;
    }
    case 'findCreditMemo': {
      const m = await connector.findCreditMemo('79388123');
      if (m) expect(isCents(m.amountCents)).toBe(true);
      return;
    }
    case 'postReceipt': {
      const r = await connector.postReceipt(receiptFor(reference));
      // Reported as posted: it must carry what the posting pipeline records.
      expect(r.erpDocumentId).not.toBe('');
      expect(isCents(r.amountCents)).toBe(true);
      for (const a of r.allocations) expect(isCents(a.amountCents)).toBe(true);
      return;
    }
  }
}

for (const [kind, start] of Object.entries(kinds)) {
  describe(`${kind} connector over HTTP with one spoiled reply (fuzz seed ${SEED})`, () => {
    let proxy: FuzzProxy;
    let connectorFor: () => ErpConnector;

    it(`reads and writes give sound records or an ErpError`, async () => {
      const { sandbox, module } = await start();
      closers.push(() => sandbox.close());
      const upstream = new URL(sandbox.baseUrl);
      proxy = await fuzzProxy(upstream.origin);
      closers.push(() => proxy.close());
      const baseUrl = `${proxy.url}${upstream.pathname.replace(/\/+$/, '')}${upstream.search}`;
      connectorFor = () => module.createConnector({ baseUrl, options: { ...optionDefaults(module.optionFields), ...sandbox.options }, credentials: sandbox.credentials, timeoutMs: 3_000 });
      let n = 0;
      let typedErrors = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom<Call>('customers', 'invoices', 'findReceipt', 'findCreditMemo', 'postReceipt'), fc.integer({ min: 0, max: 3 }), replySpoiler, async (call, nth, spoiler) => {
          let seen = 0;
          proxy.setRewrite((_req, up) => {
            if (seen++ !== nth) return null;
            const s = spoil(up.text, up.status, spoiler);
            return { status: s.status, contentType: up.contentType, text: s.text };
          });
          const connector = connectorFor();
          try {
            const o = await asyncOutcomeOf(() => run(connector, call, `FZ${kind.toUpperCase().replace(/[^A-Z0-9]/g, '')}${n++}`));
            assertTyped(o, [ErpError]);
            if (!o.ok) typedErrors++;
          } finally {
            await connector.close();
          }
        }),
        fuzzParams(SEED, RUNS.http / 2.5),
      );
      proxy.setRewrite(null);
      expect(typedErrors).toBeGreaterThan(0);
    }, 120_000);
  });
}
