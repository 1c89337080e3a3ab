import { ApiFailure } from '@shared/api-contract';
import type { erpMethods, ErpDiscovery, ErpKindInfo, ErpMappingView } from '@shared/api/erp';
import { applyErpMapping, cardBrandOf } from '@shared/erp-mapping';
import { appendAudit } from '../audit/audit-log';
import { ERP_LABELS } from '../erp/connector';
import { availableErpKinds, erpModule } from '../erp/registry';
import { currentMapping, mappingHistory, saveMapping } from '../store/queries/erp-mappings';
import { getTransaction } from '../store/queries/transactions';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

export function erpHandlers(d: HandlerDeps): DomainHandlers<keyof typeof erpMethods> {
  const view = (): ErpMappingView => {
    const kind = d.settings().erp.kind;
    const current = currentMapping(d.db, kind);
    return { kind, ...current, history: mappingHistory(d.db, kind).map(({ version, savedAt, savedBy }) => ({ version, savedAt, savedBy })) };
  };
  return {
    'erp:kinds': (): ErpKindInfo[] =>
      availableErpKinds().map((kind) => {
        const m = erpModule(kind);
        return {
          kind,
          label: ERP_LABELS[kind],
          optionFields: m.optionFields.map((f) => ({ key: f.key, label: f.label, default: f.default, help: f.help, unconfirmed: !!f.unconfirmed, choices: f.choices ?? null })),
          postsBy: 'unknown',
        };
      }),
    'erp:mapping': view,
    'erp:discover': async (): Promise<ErpDiscovery> => {
      const kind = d.settings().erp.kind;
      try {
        const connector = await d.erpConnector();
        if (!connector.discover) return { kind, lines: [{ name: 'discovery', value: `${ERP_LABELS[kind]} has nothing to discover`, setting: null, ok: true }] };
        const facts = await connector.discover();
        return { kind, lines: facts.map((f) => ({ name: f.name, value: f.value, setting: f.setting ?? null, ok: f.ok !== false })) };
      } catch (e) {
        // Like a connection test: the admin reads why, the dialog stays usable.
        return { kind, lines: [{ name: 'discovery', value: `could not finish: ${(e as Error).message}`, setting: null, ok: false }] };
      }
    },
    'erp:mappingSave': ({ mapping }, ctx) => {
      const before = currentMapping(d.db, d.settings().erp.kind);
      const saved = saveMapping(d.db, d.settings().erp.kind, mapping, d.actor(ctx));
      appendAudit(d.db, { actor: d.actor(ctx), action: 'erp_mapping.save', objectType: 'erp_mapping', objectId: `${d.settings().erp.kind}:${saved.version}`, before: before.mapping, after: mapping });
      return view();
    },
    'erp:mappingPreview': ({ transactionId, mapping }) => {
      const t = getTransaction(d.db, transactionId);
      if (!t) throw new ApiFailure('not_found', `Transaction ${transactionId} is not in the local store`);
      const facts = { transactionType: t.type, method: t.method, cardBrand: cardBrandOf(t.maskedCard) ?? null, customerClass: null, settled: t.settledAt !== null };
      return { transactionId, facts, result: applyErpMapping(mapping ?? currentMapping(d.db, d.settings().erp.kind).mapping, facts) };
    },
  };
}
