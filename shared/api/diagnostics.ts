import { empty, method } from './define';

// "Save diagnostics": what support needs to see about an installation, with no
// secret in it (electron/core/diagnostics/bundle.ts, docs/security/logs.md).

export type DiagnosticsFile = Readonly<{
  /** tieout-diagnostics-<time>.json.gz */
  fileName: string;
  bytes: number;
  /** The gzip bytes as base64: the browser downloads them (the desktop app asks where to save). */
  base64: string;
}>;

/** Admin only: the bundle carries the whole installation's configuration and log. */
export const diagnosticsMethods = {
  'diagnostics:save': method<typeof empty, DiagnosticsFile>({ role: 'admin', args: empty }),
} as const;
