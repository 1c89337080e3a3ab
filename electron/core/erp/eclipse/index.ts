import { ERP_LABELS } from '../connector';
import type { ErpKindModule } from '../kind-module';
import { EclipseConnector } from './connector';
import { ECLIPSE_OPTION_FIELDS } from './options';
import { startEclipseSandbox } from './sandbox';

export const eclipseModule: ErpKindModule = {
  kind: 'eclipse',
  label: ERP_LABELS.eclipse,
  optionFields: ECLIPSE_OPTION_FIELDS,
  createConnector: (config) => new EclipseConnector(config),
  startSandbox: (seed) => startEclipseSandbox(seed),
};

export { EclipseConnector } from './connector';
export { startEclipseSandbox, ECLIPSE_SANDBOX_USER, ECLIPSE_SANDBOX_VIEWER, type EclipseSandbox } from './sandbox';
