import { ERP_LABELS } from '../connector';
import type { ErpKindModule } from '../kind-module';
import { AbasConnector } from './connector';
import { ABAS_OPTION_FIELDS } from './options';

export const abasModule: ErpKindModule = {
  kind: 'abas',
  label: ERP_LABELS.abas,
  optionFields: ABAS_OPTION_FIELDS,
  createConnector: (config) => new AbasConnector(config),
};

export { AbasConnector } from './connector';
