import assert from 'node:assert/strict';
import { collectPages } from '../../../core/erp/connector';
import { ErpError } from '../../../core/erp/errors';
import { PASSWORD_PLACEHOLDER } from '../../../core/erp/sage100/vi-command';
import type { ConformanceHarness } from '../../conformance/conformance';
import type { ConformanceScenario } from '../../conformance/conformance-runner';
import { fullPaymentReceipt } from '../../conformance/conformance-receipts';
import type { Sage100Sandbox } from './sandbox';

// Scenarios only Sage 100 has (issue 13, docs/erp/sage100.md): paging open
// items without OR across every customer boundary, a receipt imported but not
// yet posted (found in AR_CashReceiptsDetail, never posted twice), and the
// discovery's VI command line carrying a placeholder instead of the password.

/** The sage100 harness also hands its sandbox to the kind scenarios. */
export type Sage100Harness = ConformanceHarness & Readonly<{ sandbox: Sage100Sandbox; password: string }>;

function sage(h: ConformanceHarness): Sage100Harness {
  assert.ok('sandbox' in h, 'a Sage 100 scenario needs the sage100 harness');
  return h as Sage100Harness;
}


export const SAGE100_SCENARIOS: readonly ConformanceScenario[] = [
  {
    id: 'sage100-paging-without-or',
    title: 'open items paged with AND-only key ranges, two rows a page: every open item once, across every customer boundary',
    async run(h, seed) {
      const c = h.connector();
      const all = await collectPages(c.listOpenInvoices({ pageSize: 2 }));
      assert.equal(all.length, seed.invoices.length, 'every seeded open item is read');
      assert.equal(new Set(all.map((i) => `${i.customerId}/${i.invoiceNo}`)).size, all.length, 'no open item twice');
    },
  },
  {
    id: 'sage100-unposted-receipt',
    title: 'a receipt imported but not yet posted is found in AR_CashReceiptsDetail and never posted twice',
    async run(h, seed) {
      const s = sage(h);
      const c = h.connector();
      const request = fullPaymentReceipt(seed, '400100091', { paymentMethod: 'ach' });
      s.sandbox.nextImport({ kind: 'unposted' });
      const first = await c.postReceipt(request).then(() => null, (e: unknown) => e);
      assert.ok(first instanceof ErpError && first.kind === 'unknown_outcome', `not in history until the journal update: ${String(first)}`);
      const found = await c.findReceipt(request.reference);
      assert.ok(found, 'the look-up finds the unposted receipt');
      assert.equal(found.amountCents, request.amountCents, 'AmountPosted adds up to the receipt');
      const again = await c.postReceipt(request).then(() => null, (e: unknown) => e);
      assert.ok(again instanceof ErpError && again.kind === 'duplicate', `a second post is refused: ${String(again)}`);
    },
  },
  {
    id: 'sage100-vi-command-line',
    title: "discovery shows the documented VI command line with a placeholder, never the password, and the ODBC catalog's columns",
    async run(h) {
      const s = sage(h);
      const facts = (await h.connector().discover?.()) ?? [];
      const line = facts.find((f) => f.name === 'VI command line');
      assert.ok(line && line.ok !== false, 'the command line is generated from the settings');
      assert.match(line.value, /Pvxwin32\.exe .*-ARG DIRECT UIOFF \S+ ".+" [A-Z0-9]{3} VIWI[A-Z0-9]{2} AUTO$/);
      assert.ok(line.value.includes(PASSWORD_PLACEHOLDER), 'the password is a placeholder');
      assert.ok(!JSON.stringify(facts).includes(s.password), 'no fact carries the password');
      assert.ok(facts.some((f) => f.name === 'columns AR_OpenInvoice' && f.ok !== false), 'AR_OpenInvoice has every column Tieout reads');
    },
  },
];
