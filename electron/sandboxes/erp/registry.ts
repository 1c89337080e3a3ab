import type { ErpKind } from '../../core/erp/connector';
import { startAbasSandbox } from './abas/sandbox';
import { startEclipseSandbox } from './eclipse/sandbox';
import { startFileSandbox } from './file/sandbox';
import { startP21Sandbox } from './p21/sandbox';
import type { ErpSandboxSeed, RunningErpSandbox } from './sandbox-types';
import { startSage100Sandbox } from './sage100/sandbox';
import { startSapEccSandbox } from './sap-ecc/sandbox';

// The sandbox of every ERP kind, apart from the production registry
// (electron/core/erp/registry.ts) so the core ships without knowing them:
// demo mode, `tieout erp check` and the tests start them from here.

export type StartErpSandbox = (seed: ErpSandboxSeed) => Promise<RunningErpSandbox>;

const sandboxes: Partial<Record<ErpKind, StartErpSandbox>> = {
  p21: (seed) => startP21Sandbox({ customers: seed.customers, invoices: seed.invoices, ...(seed.port === undefined ? {} : { port: seed.port }) }),
  eclipse: (seed) => startEclipseSandbox(seed),
  abas: (seed) => startAbasSandbox(seed),
  sage100: (seed) => startSage100Sandbox(seed),
  file: (seed) => startFileSandbox(seed),
  'sap-ecc': async (seed) => {
    const sandbox = await startSapEccSandbox({ customers: seed.customers, invoices: seed.invoices, port: seed.port });
    return { baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: sandbox.credentials, close: () => sandbox.close() };
  },
};

export function erpSandbox(kind: ErpKind): StartErpSandbox {
  const start = sandboxes[kind];
  if (!start) throw Object.assign(new Error(`No ${kind} sandbox in this build`), { kind: 'config' });
  return start;
}

export type { ErpSandboxSeed, RunningErpSandbox } from './sandbox-types';
