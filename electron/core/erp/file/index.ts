import { ERP_LABELS } from '../connector';
import type { ErpKindModule } from '../kind-module';
import { createFileConnector } from './connector';
import { FILE_OPTION_FIELDS } from './options';

export const fileModule: ErpKindModule = {
  kind: 'file',
  label: ERP_LABELS.file,
  optionFields: FILE_OPTION_FIELDS,
  createConnector: (config) => createFileConnector(config),
};

export { createFileConnector } from './connector';
export { checkOpenAr, type RowProblem, type OpenArCheck } from './open-ar';
export { DEFAULT_COLUMN_MAPPING, MAPPABLE_FIELDS, REQUIRED_FIELDS, type ColumnMapping } from './mapping';
