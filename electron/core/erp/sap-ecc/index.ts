import type { ErpKindModule } from '../kind-module';
import { createSapEccConnector } from './connector';
import { sapEccOptionFields } from './options';

// SAP ECC 6.0 over SOAP-RFC (/sap/bc/soap/rfc). See docs/erp/sap-ecc.md.

export const sapEccModule: ErpKindModule = {
  kind: 'sap-ecc',
  label: 'SAP ECC 6.0',
  optionFields: sapEccOptionFields,
  createConnector: (config) => createSapEccConnector(config),
};

export { createSapEccConnector, type SapEccConnector } from './connector';
