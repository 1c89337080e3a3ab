import assert from 'node:assert/strict';
import { collectPages } from '../../../core/erp/connector';
import { createSapEccConnector } from '../../../core/erp/sap-ecc/connector';
import type { ConformanceScenario, ConformanceSeed } from '../../conformance/conformance-runner';
import { fullPaymentReceipt } from '../../conformance/conformance-receipts';
import { startSapEccSandbox, type SapEccSandbox, type SapEccSandboxOptions } from './sandbox';

// SAP-only conformance scenarios (docs/erp/sap-ecc.md): the two reply element
// forms, customer paging when SAP does not return customers in key order, and
// STFC_CONNECTION / discovery. Each starts its own sandbox with the setting it
// is about, seeded like the shared scenarios.

async function withSandbox(seed: ConformanceSeed, options: Omit<SapEccSandboxOptions, 'customers' | 'invoices'>, run: (sandbox: SapEccSandbox) => Promise<void>): Promise<void> {
  const sandbox = await startSapEccSandbox({ customers: seed.customers, invoices: seed.invoices, ...options });
  try {
    await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

function connect(sandbox: SapEccSandbox, options: Readonly<Record<string, string | number>> = {}) {
  return createSapEccConnector({ baseUrl: sandbox.baseUrl, options: { ...sandbox.options, postingMode: 'wrapper', ...options }, credentials: sandbox.credentials, timeoutMs: 5_000 });
}


export const SAP_ECC_SCENARIOS: readonly ConformanceScenario[] = [
  {
    id: 'sap-reply-form-plain',
    title: 'replies named FMResponse (SOA Manager) are read like FM.Response; discovery names the form; a switch mid-run changes nothing',
    async run(_h, seed) {
      await withSandbox(seed, { replyForm: 'plain' }, async (sandbox) => {
        const c = connect(sandbox);
        const facts = await c.discover!();
        assert.match(facts.find((f) => f.name === 'reply form')?.value ?? '', /^FMResponse/, 'discovery prints the plain form');
        assert.equal((await collectPages(c.listOpenInvoices())).length, seed.invoices.length, 'every open item read through FMResponse replies');
        const request = fullPaymentReceipt(seed, '400100031');
        const posted = await c.postReceipt(request);
        assert.equal(posted.amountCents, request.amountCents, 'the read-back shows the receipt');
        sandbox.setReplyForm('dotted');
        assert.equal((await c.findReceipt(request.reference))?.erpDocumentId, posted.erpDocumentId, 'found again through FM.Response replies');
        assert.equal(sandbox.receiptCount(request.reference), 1, 'booked once');
      });
    },
  },
  {
    id: 'sap-unsorted-customer-pages',
    title: 'customer pages that SAP returns in database order, not by number: every customer exactly once, in number order',
    async run(_h, seed) {
      await withSandbox(seed, { customerOrder: 'unsorted' }, async (sandbox) => {
        for (const pageSize of [1, 2, 3]) {
          const customers = await collectPages(connect(sandbox, { customerPageSize: pageSize }).listCustomers());
          const ids = customers.map((c) => c.customerId);
          assert.equal(new Set(ids).size, ids.length, `page size ${pageSize}: no customer twice`);
          assert.deepEqual(new Set(ids), new Set(seed.customers.map((c) => c.customerId)), `page size ${pageSize}: every customer`);
          const padded = ids.map((id) => id.padStart(10, '0'));
          assert.deepEqual(padded, [...padded].sort(), `page size ${pageSize}: in customer-number order`);
        }
        const facts = await connect(sandbox).discover!();
        assert.match(facts.find((f) => f.name === 'customer list order')?.value ?? '', /^not by customer number/, 'discovery says the order is not by number');
      });
    },
  },
  {
    id: 'sap-stfc-connection',
    title: 'the connection test calls STFC_CONNECTION; discovery reports system id and release, the wrapper, and the reply form',
    async run(_h, seed) {
      await withSandbox(seed, { systemId: 'PRD', release: '731' }, async (sandbox) => {
        const c = connect(sandbox);
        const diagnosis = await c.testConnection();
        assert.ok(diagnosis.ok, diagnosis.summary);
        assert.equal(diagnosis.checks[0]?.name, 'connection test (STFC_CONNECTION)');
        assert.match(diagnosis.checks[0]?.detail ?? '', /SAP system PRD release 731/);
        const facts = await c.discover!();
        const value = (name: string) => facts.find((f) => f.name === name);
        assert.match(value('STFC_CONNECTION')?.value ?? '', /PRD release 731/);
        assert.match(value('system (RFC_SYSTEM_INFO)')?.value ?? '', /system id PRD, release 731/);
        assert.match(value('reply form')?.value ?? '', /^FM\.Response/);
        assert.equal(value(`function ${String(sandbox.options['wrapperFunction'])}`)?.value, 'remote-enabled');
        assert.ok(facts.every((f) => f.ok !== false), `no CHECK lines: ${JSON.stringify(facts.filter((f) => f.ok === false))}`);
      });
    },
  },
];
