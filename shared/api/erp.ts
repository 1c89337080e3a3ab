import { z } from 'zod';
import { erpMappingSchema, type ErpMapping, type MappedPayment } from '../erp-mapping';
import { ERP_KIND_VALUES } from '../settings';
import { empty, method, txnId } from './define';

// What the settings screen needs to configure any ERP kind: its option
// fields (with documented defaults) and the versioned payment mapping.

export type ErpOptionFieldInfo = Readonly<{
  key: string;
  label: string;
  default: string | number | boolean;
  help: string;
  unconfirmed: boolean;
  choices: readonly string[] | null;
}>;

export type ErpKindInfo = Readonly<{
  kind: (typeof ERP_KIND_VALUES)[number];
  label: string;
  optionFields: readonly ErpOptionFieldInfo[];
  postsBy: 'api' | 'file' | 'none' | 'unknown';
}>;

export type ErpMappingView = Readonly<{
  kind: string;
  version: number;
  savedAt: string;
  savedBy: string;
  mapping: ErpMapping;
  history: ReadonlyArray<Readonly<{ version: number; savedAt: string; savedBy: string }>>;
}>;

/** One line of what the ERP itself says about what its settings depend on (`tieout erp check` prints the same). */
export type ErpDiscoveryLine = Readonly<{ name: string; value: string; setting: string | null; ok: boolean }>;

export type ErpDiscovery = Readonly<{ kind: string; lines: readonly ErpDiscoveryLine[] }>;

export type MappingPreview = Readonly<{ transactionId: number; facts: Readonly<Record<string, string | boolean | null>>; result: MappedPayment }>;

export const erpMethods = {
  'erp:kinds': method<typeof empty, ErpKindInfo[]>({ role: 'clerk', args: empty }),
  'erp:mapping': method<typeof empty, ErpMappingView>({ role: 'clerk', args: empty }),
  'erp:mappingSave': method<z.ZodType<{ mapping: ErpMapping }>, ErpMappingView>({ role: 'admin', args: z.object({ mapping: erpMappingSchema }).strict() }),
  /**
   * Read-only: asks the configured ERP for what public evidence could not
   * settle (services, definitions, reply forms, columns, object ids). Admin:
   * it shows the ERP's configuration to whoever configures the connection.
   */
  'erp:discover': method<typeof empty, ErpDiscovery>({ role: 'admin', args: empty }),
  /** Which payment type and GL account a given payment would get under a (possibly unsaved) mapping. */
  'erp:mappingPreview': method<z.ZodType<{ transactionId: number; mapping?: ErpMapping }>, MappingPreview>(
    { role: 'clerk', args: z.object({ transactionId: txnId, mapping: erpMappingSchema.optional() }).strict() },
  ),
} as const;
