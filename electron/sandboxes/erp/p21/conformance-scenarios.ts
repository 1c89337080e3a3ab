import assert from 'node:assert/strict';
import type { ErpDiscoveryFact } from '../../../core/erp/connector';
import type { ConformanceScenario } from '../../conformance/conformance-runner';

// P21-only scenarios: what `tieout erp check` discovers from the real
// definition shape (TransactionDefinition.DataElementDefinitions, names like
// TABPAGE_1.tp_1_dw_1), the payment types and companies, and how an
// unavailable window shows up there.

async function discover(h: Parameters<ConformanceScenario['run']>[0]): Promise<readonly ErpDiscoveryFact[]> {
  const c = h.connector();
  assert.ok(c.discover, 'the P21 connector implements discover()');
  return c.discover();
}

const fact = (facts: readonly ErpDiscoveryFact[], name: string) => facts.find((f) => f.name === name);

export const p21KindScenarios: readonly ConformanceScenario[] = [
  {
    id: 'p21-discover-definition',
    title: "discovery reads the receipt service's real definition shape: its DataElements and fields, the payment types and the companies",
    async run(h) {
      const facts = await discover(h);
      const checks = facts.filter((f) => f.ok === false);
      assert.deepEqual(checks, [], `no CHECK line against a sandbox that speaks the defaults: ${JSON.stringify(checks)}`);
      const header = fact(facts, 'receipt DataElement TABPAGE_1.tp_1_dw_1');
      assert.ok(header, `the header DataElement is listed: ${facts.map((f) => f.name).join(', ')}`);
      assert.match(header.value, /^Form: .*check_number/, 'the header lists its fields from TransactionDefinition');
      assert.match(header.value, /payment_type_id\* \[[^\]]*Credit Card/, "the payment type field carries the site's display values");
      assert.ok(fact(facts, 'receipt DataElement TABPAGE_2.tp_2_dw_2')?.value.startsWith('List'), 'the invoice lines are a List DataElement');
      assert.match(fact(facts, 'payment types')?.value ?? '', /3 = "Credit Card"/, 'payment types list their system-generated numbers');
      assert.match(fact(facts, 'payment type paymentTypeCard')?.value ?? '', /sends "Credit Card" \(UseCodeValues false\)/);
      assert.match(fact(facts, 'services')?.value ?? '', /receipt-like: .*CashReceipt/);
      assert.ok(fact(facts, 'UI server')?.value.includes('/uiserver0'), 'the UI-server URL from the router');
      assert.equal(fact(facts, 'companies')?.ok, true, 'the configured company exists');
    },
  },
  {
    id: 'p21-discover-window-unavailable',
    title: 'an unavailable receipt window shows as a CHECK line in discovery, with P21\'s own "is not available" text',
    requiresRealFailure: 'receipt-service-unavailable',
    async run(h) {
      await h.injectRealFailure('receipt-service-unavailable');
      const facts = await discover(h);
      const def = fact(facts, 'receipt definition');
      assert.equal(def?.ok, false, `the definition is a CHECK line: ${JSON.stringify(def)}`);
      assert.match(def?.value ?? '', /is not available/);
      await h.clearFaults();
      assert.equal(fact(await discover(h), 'receipt definition'), undefined, 'once the window is back the definition is read');
    },
  },
];
