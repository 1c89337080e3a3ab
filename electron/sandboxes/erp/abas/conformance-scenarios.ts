import assert from 'node:assert/strict';
import type { ConformanceHarness } from '../../conformance/conformance';
import type { ConformanceScenario } from '../../conformance/conformance-runner';
import { expectErpError, twoInvoiceReceipt } from '../../conformance/conformance-receipts';
import { AbasConnector } from '../../../core/erp/abas/connector';
import { ABAS_DIALOG, type AbasRealFailure } from './sandbox';

// abas-only conformance scenarios: abas answers every edit call with HTTP 200
// and puts the verdict in the body (abas ERP REST OpenAPI v1.2.0), so a field
// error, a locked record and a dialog each arrive as "200 OK" and must stop
// the edit before anything is committed (docs/erp/abas.md).

/** The abas harness: the shared one plus abas's own replies to arm and the sandbox's ground truth. */
export type AbasHarness = ConformanceHarness &
  Readonly<{
    armAbasReply(mode: AbasRealFailure): Promise<void>;
    refusedParameters(): Promise<readonly string[]>;
    openWorkingSets(): Promise<number>;
    /** A connector with extra abas settings (e.g. dialogAnswers). */
    connectorWith(options: Readonly<Record<string, string>>): AbasConnector;
  }>;

const abas = (h: ConformanceHarness): AbasHarness => h as AbasHarness;



async function nothingLeft(h: AbasHarness, reference: string, when: string): Promise<void> {
  assert.equal(await h.countReceipts(reference), 0, `receipts carrying ${reference} ${when}`);
  assert.equal(await h.openWorkingSets(), 0, `open editors ${when} (the editor must be cancelled)`);
}

export const ABAS_KIND_SCENARIOS: readonly ConformanceScenario[] = [
  {
    id: 'abas-row-field-refused-200',
    title: "a line's SetFieldValue refused with HTTP 200 + EditErrorResponse: the editor is cancelled, nothing committed, never a partial payment",
    async run(h, seed) {
      const a = abas(h);
      const c = a.connector();
      const request = twoInvoiceReceipt(seed, '400200001').request;
      await a.armAbasReply('row-field-refused');
      const e = await expectErpError(c.postReceipt(request), ['validation'], 'post whose row amount abas refused');
      assert.ok(/nicht zulässig/.test(e.erpMessage ?? ''), `the error carries abas's text: ${e.erpMessage ?? ''}`);
      await nothingLeft(a, request.reference, 'after the refused row');
      await c.postReceipt(request);
      assert.equal(await a.countReceipts(request.reference), 1, 'the next post books once');
    },
  },
  {
    id: 'abas-record-locked-200',
    title: 'a Commit answered HTTP 200 + RECORD_LOCKED is transient: cancelled, nothing committed, the retry books once',
    async run(h, seed) {
      const a = abas(h);
      const c = a.connector();
      const request = twoInvoiceReceipt(seed, '400200002').request;
      await a.armAbasReply('record-locked');
      const e = await expectErpError(c.postReceipt(request), ['transient'], 'post whose Commit met a locked record');
      assert.ok(e.message.includes('RECORD_LOCKED'), e.message);
      await nothingLeft(a, request.reference, 'after the locked record');
      await c.postReceipt(request);
      assert.equal(await a.countReceipts(request.reference), 1, 'the retry books once');
    },
  },
  {
    id: 'abas-dialog-unanswered',
    title: 'a dialog on the Commit without a configured safe answer cancels with abas\'s question, nothing committed',
    async run(h, seed) {
      const a = abas(h);
      const request = twoInvoiceReceipt(seed, '400200003').request;
      await a.armAbasReply('commit-dialog');
      const e = await expectErpError(a.connector().postReceipt(request), ['validation'], 'post that met an unanswered dialog');
      assert.ok(e.message.includes(ABAS_DIALOG.id) && e.message.includes(ABAS_DIALOG.prompt), `the error names the dialog and its question: ${e.message}`);
      await nothingLeft(a, request.reference, 'after the unanswered dialog');
    },
  },
  {
    id: 'abas-dialog-answered',
    title: 'a dialog whose safe answer is configured (dialogAnswers) is answered on the remaining actions and the payment books once',
    async run(h, seed) {
      const a = abas(h);
      const request = twoInvoiceReceipt(seed, '400200004').request;
      await a.armAbasReply('commit-dialog');
      const posted = await a.connectorWith({ dialogAnswers: `${ABAS_DIALOG.id}=no` }).postReceipt(request);
      assert.equal(posted.reference, request.reference);
      assert.equal(await a.countReceipts(request.reference), 1, 'booked once after the answer');
      assert.equal(await a.openWorkingSets(), 0, 'the working set is closed');
    },
  },
  {
    id: 'abas-documented-parameters-only',
    title: 'every query parameter the connector sends is one the OpenAPI documents (the sandbox refuses others, like the real middleware)',
    async run(h, seed) {
      const a = abas(h);
      const c = a.connector();
      await c.testConnection();
      for await (const page of c.listOpenInvoices({ pageSize: 2_000 })) void page;
      await c.postReceipt(twoInvoiceReceipt(seed, '400200005').request);
      await c.discover?.();
      assert.deepEqual(await a.refusedParameters(), [], 'parameters the sandbox refused');
    },
  },
];
