import { ERP_LABELS } from '../connector';
import type { ErpKindModule } from '../kind-module';
import { AbasConnector } from './connector';
import { ABAS_OPTION_FIELDS } from './options';
import { startAbasSandbox } from './sandbox';

export const abasModule: ErpKindModule = {
  kind: 'abas',
  label: ERP_LABELS.abas,
  optionFields: ABAS_OPTION_FIELDS,
  createConnector: (config) => new AbasConnector(config),
  startSandbox: (seed) => startAbasSandbox(seed),
};

export { AbasConnector } from './connector';
export { startAbasSandbox, ABAS_SANDBOX_CLIENT, ABAS_SANDBOX_PASSWORD, ABAS_SANDBOX_TENANT, type AbasSandbox } from './sandbox';
