import { ERP_LABELS } from '../connector';
import type { ErpKindModule } from '../kind-module';
import { EclipseConnector } from './connector';
import { ECLIPSE_OPTION_FIELDS } from './options';

export const eclipseModule: ErpKindModule = {
  kind: 'eclipse',
  label: ERP_LABELS.eclipse,
  optionFields: ECLIPSE_OPTION_FIELDS,
  createConnector: (config) => new EclipseConnector(config),
};

export { EclipseConnector } from './connector';
