import { ERP_LABELS } from '../connector';
import type { ErpKindModule } from '../kind-module';
import { createSage100Connector } from './connector';
import { SAGE100_OPTION_FIELDS } from './options';

export const sage100Module: ErpKindModule = {
  kind: 'sage100',
  label: ERP_LABELS.sage100,
  optionFields: SAGE100_OPTION_FIELDS,
  createConnector: (config) => createSage100Connector(config),
};

export { createSage100Connector } from './connector';
export { checkNoForReference, creditMemoNoForReference, batchNoForDate } from './check-no';
