import type { Customer, OpenInvoice } from '@shared/domain';
import type { ErpCredentials, ErpOptionValue } from '../../core/erp/kind-module';

// What every ERP sandbox takes and gives back, whatever the kind: seeded with
// customers and open items, it answers where a connector should point.

export type RunningErpSandbox = Readonly<{
  /** What a connector should be configured with to reach this sandbox. */
  baseUrl: string;
  options: Readonly<Record<string, ErpOptionValue>>;
  credentials: ErpCredentials;
  close(): Promise<void>;
}>;

export type ErpSandboxSeed = Readonly<{
  customers: readonly Customer[];
  invoices: readonly OpenInvoice[];
  port?: number;
  /** Folder the sandbox may use for files (import drops, ODBC database). */
  workDir?: string;
}>;
