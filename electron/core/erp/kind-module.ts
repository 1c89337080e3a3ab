import type { Clock } from '../clock';
import type { ErpConnector, ErpKind } from './connector';

// What each ERP kind contributes to the app: its settings and a connector
// factory. electron/core/erp/registry.ts collects one per kind; the kind's
// sandbox lives outside the core, in electron/sandboxes/erp/registry.ts.

export type ErpOptionValue = string | number | boolean;

export type ErpOptionField = Readonly<{
  key: string;
  label: string;
  default: ErpOptionValue;
  help: string;
  /** True where the reference marks the fact unconfirmed: the site must check it. */
  unconfirmed?: boolean;
  choices?: readonly string[];
}>;

export type ErpCredentials = Readonly<{ username: string; password: string }>;

export type ErpConnectionConfig = Readonly<{
  /** URL for HTTP ERPs; a connection string for ODBC; a folder for file-based kinds. */
  baseUrl: string;
  options: Readonly<Record<string, ErpOptionValue>>;
  credentials: ErpCredentials;
  timeoutMs?: number;
  /** The engine's clock (token lifetimes); the system clock when absent. */
  clock?: Clock;
}>;

export type ErpKindModule = Readonly<{
  kind: ErpKind;
  label: string;
  optionFields: readonly ErpOptionField[];
  createConnector(config: ErpConnectionConfig): ErpConnector;
}>;

export function optionDefaults(fields: readonly ErpOptionField[]): Record<string, ErpOptionValue> {
  return Object.fromEntries(fields.map((f) => [f.key, f.default]));
}
