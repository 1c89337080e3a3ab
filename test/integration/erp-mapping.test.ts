import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultErpMapping, type ErpMapping } from '../../shared/erp-mapping';
import type { ErpDiscovery, ErpMappingView, MappingPreview } from '../../shared/api/erp';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine, value } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import type { ReceiptRequest } from '../../electron/core/erp/connector';

let demo: RunningDemo;
let engine: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 8, payments: 60 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
});
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('ERP payment mapping', () => {
  it('lists every kind with its option fields', async () => {
    const kinds = value<Array<{ kind: string; optionFields: unknown[] }>>(await engine.dispatch('erp:kinds', {}));
    expect(kinds.map((k) => k.kind).sort()).toEqual(['abas', 'eclipse', 'file', 'p21', 'sage100', 'sap-ecc']);
    for (const k of kinds) expect(k.optionFields.length, k.kind).toBeGreaterThan(0);
  });

  it('saves versions, previews unsaved edits, and stamps approved receipts with the mapping', async () => {
    const mapping: ErpMapping = { ...defaultErpMapping(), defaultGlAccount: '1010', glRules: [{ method: 'ach', glAccount: '1020' }, { method: 'card', glAccount: '1030' }], paymentTypes: { card: 'CARD', ach: 'EFT', byBrand: {} } };
    const v1 = value<ErpMappingView>(await engine.dispatch('erp:mappingSave', { mapping }));
    expect(v1.version).toBe(1);
    const v2 = value<ErpMappingView>(await engine.dispatch('erp:mappingSave', { mapping: { ...mapping, bankCode: 'WF01' } }));
    expect(v2.version).toBe(2);
    expect(v2.history.map((h) => h.version)).toEqual([2, 1]);

    const row = gridRows(engine.db).find((r) => r.status === 'auto' && r.method === 'card')!;
    const preview = value<MappingPreview>(await engine.dispatch('erp:mappingPreview', { transactionId: row.transactionId, mapping: { ...mapping, glRules: [{ method: 'card', glAccount: '1999' }] } }));
    expect(preview.result).toMatchObject({ glAccount: '1999', paymentType: 'CARD', glRule: 0 });

    value(await engine.dispatch('matches:approve', { transactionIds: [row.transactionId] }));
    const payload = JSON.parse((engine.db.prepare('SELECT payload_json FROM outbox WHERE transaction_id = ?').get(row.transactionId) as { payload_json: string }).payload_json) as ReceiptRequest;
    expect(payload).toMatchObject({ glAccount: '1030', paymentTypeCode: 'CARD', bankCode: 'WF01', mappingVersion: 2 });
  });

  it("asks the configured ERP what its settings depend on (erp:discover): the demo P21's services, receipt service and payment types", async () => {
    const d = value<ErpDiscovery>(await engine.dispatch('erp:discover', {}));
    expect(d.kind).toBe('p21');
    const byName = new Map(d.lines.map((l) => [l.name, l]));
    expect(byName.get('services')).toMatchObject({ ok: true, value: expect.stringMatching(/listed; receipt-like: .*CashReceipt/) });
    expect(byName.get('receipt service')).toMatchObject({ ok: true, setting: 'receiptServiceName' });
    expect(byName.get('payment types')?.value).toContain('"Credit Card"');
    expect(JSON.stringify(d)).not.toContain(demo.descriptor.erp.password);
  });

  it('refuses an invalid mapping with the field named', async () => {
    const r = await engine.dispatch('erp:mappingSave', { mapping: { ...defaultErpMapping(), currency: 'DOLLARS' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_args', message: expect.stringContaining('currency') } });
  });
});
