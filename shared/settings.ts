import { z } from 'zod';
import { matchConfigOverrideSchema } from './matching-config';

// Non-secret settings (stored in SQLite). Secrets never appear here: the
// renderer only learns whether a credential is set.

export const CONNECTION_IDS = ['paytrace', 'erp'] as const;
export type ConnectionId = (typeof CONNECTION_IDS)[number];

export const ERP_KIND_VALUES = ['p21', 'eclipse', 'sap-ecc', 'sage100', 'abas', 'file'] as const;

export const payTraceSettingsSchema = z.object({
  /** "demo" = the in-process sandbox; "sandbox" = PayTrace's sandbox host; "production". */
  environment: z.enum(['demo', 'sandbox', 'production']),
  baseUrl: z.string().url(),
  integratorId: z.string().max(32),
  /** How far back the first sync reads, in days. */
  lookbackDays: z.number().int().min(1).max(366),
  /** Re-read this many hours before the last successful window, to catch late settlements. */
  overlapHours: z.number().int().min(0).max(24 * 14),
  timeoutSeconds: z.number().int().min(5).max(600),
});
export type PayTraceSettings = z.infer<typeof payTraceSettingsSchema>;

export const erpSettingsSchema = z.object({
  kind: z.enum(ERP_KIND_VALUES),
  /** "demo" = in-process sandbox for the kind. */
  demo: z.boolean(),
  baseUrl: z.string(),
  /** Kind-specific options (service names, company codes, folders...). Documented per ERP in docs/erp/. */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type ErpSettings = z.infer<typeof erpSettingsSchema>;

export const syncSettingsSchema = z.object({
  intervalMinutes: z.number().int().min(1).max(24 * 60),
  merchantZone: z.string().min(1),
  /** Alert the clerk when no sync has succeeded for this long. */
  alertAfterMinutes: z.number().int().min(5).max(7 * 24 * 60).default(30),
});
export type SyncSettings = z.infer<typeof syncSettingsSchema>;

export const settingsSchema = z.object({
  paytrace: payTraceSettingsSchema,
  erp: erpSettingsSchema,
  sync: syncSettingsSchema,
  /**
   * The matching rules that differ from the defaults (DEFAULT_MATCH_CONFIG), the
   * same shape as the CLI's rules.json. Changed only through matching:setRules
   * (admin; re-matches the undecided transactions), never through settings:save.
   */
  matching: matchConfigOverrideSchema.default({}),
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsPatchSchema = z.object({
  paytrace: payTraceSettingsSchema.partial().optional(),
  erp: erpSettingsSchema.partial().optional(),
  sync: syncSettingsSchema.partial().optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export type CredentialStatus = Record<ConnectionId, 'set' | 'not set'>;

export type SettingsView = Readonly<{ settings: Settings; credentials: CredentialStatus }>;

export const PAYTRACE_PRODUCTION_URL = 'https://api.paytrace.com';
export const PAYTRACE_SANDBOX_URL = 'https://api.sandbox.paytrace.com';

export function defaultSettings(): Settings {
  return {
    paytrace: {
      environment: 'demo',
      baseUrl: 'http://127.0.0.1:1',
      integratorId: '9575315uXt4u',
      lookbackDays: 7,
      overlapHours: 48,
      timeoutSeconds: 60,
    },
    erp: { kind: 'p21', demo: true, baseUrl: 'http://127.0.0.1:1', options: {} },
    sync: { intervalMinutes: 5, merchantZone: 'America/Los_Angeles', alertAfterMinutes: 30 },
    matching: {},
  };
}
