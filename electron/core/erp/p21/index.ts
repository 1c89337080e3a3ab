import type { ErpKindModule } from '../kind-module';
import { createP21Connector } from './connector';
import { P21_OPTION_FIELDS } from './options';

export const p21Module: ErpKindModule = {
  kind: 'p21',
  label: 'Epicor Prophet 21',
  optionFields: P21_OPTION_FIELDS,
  createConnector: createP21Connector,
};

export { createP21Connector, P21Connector } from './connector';
export { P21_OPTION_FIELDS, P21_REFERENCE_MAX_LENGTH, resolveP21Options, type P21Options } from './options';
