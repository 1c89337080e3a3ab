import type { ErpKindModule } from '../kind-module';
import { createSapEccConnector } from './connector';
import { sapEccOptionFields } from './options';
import { startSapEccSandbox } from './sandbox';

// SAP ECC 6.0 over SOAP-RFC (/sap/bc/soap/rfc). See docs/erp/sap-ecc.md.

export const sapEccModule: ErpKindModule = {
  kind: 'sap-ecc',
  label: 'SAP ECC 6.0',
  optionFields: sapEccOptionFields,
  createConnector: (config) => createSapEccConnector(config),
  async startSandbox(seed) {
    const sandbox = await startSapEccSandbox({ customers: seed.customers, invoices: seed.invoices, port: seed.port });
    return { baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials, close: () => sandbox.close() };
  },
};

export { createSapEccConnector, type SapEccConnector } from './connector';
export { startSapEccSandbox, type SapEccSandbox } from './sandbox';
