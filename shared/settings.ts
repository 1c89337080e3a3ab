import { IANAZone } from 'luxon';
import { z } from 'zod';
import { noCardNumbers } from './api/free-text';
import { matchConfigOverrideSchema } from './matching-config';
import { connectionStringProblem, serviceUrlProblem } from './service-url';

// Non-secret settings (stored in SQLite). Secrets never appear here: the
// renderer only learns whether a credential is set.

export const CONNECTION_IDS = ['paytrace', 'erp'] as const;
export type ConnectionId = (typeof CONNECTION_IDS)[number];

export const ERP_KIND_VALUES = ['p21', 'eclipse', 'sap-ecc', 'sage100', 'abas', 'file'] as const;

/** ERP kinds whose base "URL" is a web address (sage100 takes an ODBC connection string, file a folder). */
const URL_ERP_KINDS: ReadonlySet<string> = new Set(['p21', 'eclipse', 'sap-ecc', 'abas']);

function urlIssue(policy: Parameters<typeof serviceUrlProblem>[1]) {
  return (url: string, ctx: z.RefinementCtx) => {
    const message = serviceUrlProblem(url, policy);
    if (message) ctx.addIssue({ code: 'custom', message });
  };
}

export const payTraceSettingsSchema = z.object({
  /** "demo" = the in-process sandbox; "sandbox" = PayTrace's sandbox host; "production". */
  environment: z.enum(['demo', 'sandbox', 'production']),
  /** https:// (http:// only to this computer, and never in production: checked with the environment in settingsSchema). */
  baseUrl: noCardNumbers(z.string().max(2048).superRefine(urlIssue({ allowLoopbackHttp: true }))),
  integratorId: noCardNumbers(z.string().max(32)),
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
  /** A URL, an ODBC connection string or a folder, by kind: checked with the kind in settingsSchema. */
  baseUrl: noCardNumbers(z.string().max(4096)),
  /** Kind-specific options (service names, company codes, folders...). Documented per ERP in docs/erp/. Options named ...Url are checked as URLs in settingsSchema. */
  options: z.record(noCardNumbers(z.string().max(64)), z.union([noCardNumbers(z.string().max(20_000)), z.number(), z.boolean()])),
});
export type ErpSettings = z.infer<typeof erpSettingsSchema>;

/**
 * Whether a zone name is a valid IANA zone, remembered per name: the settings are
 * parsed on every read, and luxon answers by building an Intl.DateTimeFormat
 * each time (about 1.5 ms per posted receipt in the posting bench before this).
 * Zone data does not change while the process runs.
 */
const zoneValidity = new Map<string, boolean>();
function isKnownZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 1_000) zoneValidity.set(zone, valid);
  }
  return valid;
}

/** The undo window of a new installation (issue 15: a controller's minute to take a bulk approval back). */
export const DEFAULT_UNDO_WINDOW_SECONDS = 60;

export const syncSettingsSchema = z.object({
  intervalMinutes: z.number().int().min(1).max(24 * 60),
  merchantZone: noCardNumbers(z.string().min(1).max(64).refine(isKnownZone, { message: 'not a time zone; use an IANA name such as America/Los_Angeles' })),
  /** Alert the clerk when no sync has succeeded for this long. */
  alertAfterMinutes: z.number().int().min(5).max(7 * 24 * 60).default(30),
  /**
   * How long an approval from the work queue waits in the outbox before it is
   * posted, so Ctrl+Z can take the whole batch back with nothing sent to the
   * ERP (0: post at once).
   */
  undoWindowSeconds: z.number().int().min(0).max(3600).default(DEFAULT_UNDO_WINDOW_SECONDS),
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
}).superRefine((settings, ctx) => {
  // Checks that depend on another field: the PayTrace environment, the ERP kind.
  const problem = (path: (string | number)[], message: string | null) => {
    if (message) ctx.addIssue({ code: 'custom', path, message });
  };
  // The field's own check (any environment) has already named a worse problem, if any.
  const paytraceUrl = settings.paytrace.baseUrl;
  if (settings.paytrace.environment === 'production' && serviceUrlProblem(paytraceUrl, { allowLoopbackHttp: true }) === null) {
    problem(['paytrace', 'baseUrl'], serviceUrlProblem(paytraceUrl, { allowLoopbackHttp: false }));
  }
  const erpBase = settings.erp.baseUrl;
  if (erpBase !== '' && URL_ERP_KINDS.has(settings.erp.kind)) problem(['erp', 'baseUrl'], serviceUrlProblem(erpBase, { allowLoopbackHttp: true }));
  if (settings.erp.kind === 'sage100') problem(['erp', 'baseUrl'], connectionStringProblem(erpBase));
  for (const [key, value] of Object.entries(settings.erp.options)) {
    if (/url$/i.test(key) && typeof value === 'string' && value.trim() !== '') problem(['erp', 'options', key], serviceUrlProblem(value.trim(), { allowLoopbackHttp: true }));
  }
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
    sync: { intervalMinutes: 5, merchantZone: 'America/Los_Angeles', alertAfterMinutes: 30, undoWindowSeconds: DEFAULT_UNDO_WINDOW_SECONDS },
    matching: {},
  };
}
