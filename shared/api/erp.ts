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

export type MappingPreview = Readonly<{ transactionId: number; facts: Readonly<Record<string, string | boolean | null>>; result: MappedPayment }>;

export const erpMethods = {
  'erp:kinds': method<typeof empty, ErpKindInfo[]>({ role: 'clerk', args: empty }),
  'erp:mapping': method<typeof empty, ErpMappingView>({ role: 'clerk', args: empty }),
  'erp:mappingSave': method<z.ZodType<{ mapping: ErpMapping }>, ErpMappingView>({ role: 'admin', args: z.object({ mapping: erpMappingSchema }).strict() }),
  /** Which payment type and GL account a given payment would get under a (possibly unsaved) mapping. */
  'erp:mappingPreview': method<z.ZodType<{ transactionId: number; mapping?: ErpMapping }>, MappingPreview>(
    { role: 'clerk', args: z.object({ transactionId: txnId, mapping: erpMappingSchema.optional() }).strict() },
  ),
} as const;
