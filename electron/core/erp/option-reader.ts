import { serviceUrlProblem } from '@shared/service-url';
import { ErpError } from './errors';
import type { ErpOptionField, ErpOptionValue } from './kind-module';

// How each kind reads its saved settings: a setting not saved takes its
// field's default; a key no field declares is a programming error, not a
// setting to report; a bad value is ErpError('config') naming the ERP.

export type RawOptions = Readonly<Record<string, ErpOptionValue>>;

export function optionReader(fields: readonly ErpOptionField[], erp: string) {
  const value = (options: RawOptions, key: string): ErpOptionValue => {
    const field = fields.find((f) => f.key === key);
    if (!field) throw new Error(`unknown ${erp} option ${key}`);
    return options[key] ?? field.default;
  };
  return {
    value,
    /** The setting as text, trimmed. */
    str: (options: RawOptions, key: string): string => String(value(options, key)).trim(),
    positiveInt(options: RawOptions, key: string): number {
      const v = value(options, key);
      // A boolean is not a count (Number(true) would read as 1).
      const n = typeof v === 'boolean' ? Number.NaN : Number(v);
      if (!Number.isSafeInteger(n) || n <= 0) throw new ErpError('config', `${erp} setting ${key} must be a positive whole number`);
      return n;
    },
    /** A web address setting, trimmed; "" when not set. The same rule as the settings (shared/service-url.ts), again here for settings saved before it. */
    url(options: RawOptions, key: string): string {
      const url = String(value(options, key)).trim();
      const problem = url === '' ? null : serviceUrlProblem(url, { allowLoopbackHttp: true });
      if (problem) throw new ErpError('config', `${erp} setting ${key}: ${problem}`);
      return url;
    },
  };
}

/** A setting an earlier version saved under a name it no longer reads, and the value it took by default. */
export type RetiredOption = Readonly<{ key: string; oldDefault: ErpOptionValue; replacedBy: string; why: string }>;

/**
 * A retired setting still holding the site's own value is refused (config),
 * never silently dropped: the site chose it, and the new setting must be
 * chosen again. One left at its old default is ignored.
 */
export function refuseRetiredOptions(options: RawOptions, retired: readonly RetiredOption[], erp: string): void {
  for (const r of retired) {
    const v = options[r.key];
    if (v === undefined || String(v).trim() === String(r.oldDefault).trim()) continue;
    throw new ErpError('config', `${erp} setting ${r.key} (saved as "${String(v)}") is no longer read: ${r.why} Set ${r.replacedBy} in Settings, then clear ${r.key}.`);
  }
}
