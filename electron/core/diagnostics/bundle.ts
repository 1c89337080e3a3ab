import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { arch, platform, release, type as osType } from 'node:os';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Settings } from '@shared/settings';
import type { AuditVerification } from '../audit/audit-log';
import { logFiles } from '../log/log-files';
import { redactText, redactValue } from '../log/redact';
import type { OutboxCounts } from '../store/queries/outbox';

// The "Save diagnostics" bundle: one gzip'd JSON document support can read
// with any tool. It holds versions, the non-secret settings, counts, the audit
// check's verdict and the tail of the newest log files. Secrets never enter it:
// settings and credential statuses pass the same redaction as the log, and the
// log lines (already redacted when written) are redacted again on the way out,
// which also catches a secret registered after the line was written.

/** The newest log files included, and how much of each (its end: the most recent lines). Limits, not settings: a bundle must stay small enough to e-mail. */
export const DIAGNOSTICS_LOG_FILES = 3;
export const DIAGNOSTICS_LOG_BYTES_PER_FILE = 2 * 1024 * 1024;

export type DiagnosticsInput = Readonly<{
  generatedAt: string;
  app: Readonly<{ version: string; shell: 'electron' | 'web'; mode: 'demo' | 'live' }>;
  schemaVersion: number;
  latestSchemaVersion: number;
  settings: Settings;
  /** Whether each connection has credentials (never the credentials). */
  connectionsConfigured: Readonly<Record<string, 'set' | 'not set'>>;
  counts: Readonly<{ transactions: number; outbox: OutboxCounts; deadLetters: number }>;
  audit: AuditVerification;
  dataDir: string;
}>;

export type DiagnosticsLog = Readonly<{ file: string; bytes: number; truncated: boolean; text: string }>;

/** The end of a file, cut at a line start so no half line (or half secret) is kept. */
function tail(path: string, maxBytes: number): Readonly<{ bytes: number; truncated: boolean; text: string }> {
  const size = statSync(path).size;
  const length = Math.min(size, maxBytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  let text = buffer.toString('utf8');
  if (length < size) text = text.slice(text.indexOf('\n') + 1);
  return { bytes: size, truncated: length < size, text };
}

export function diagnosticsLogs(dataDir: string): DiagnosticsLog[] {
  return logFiles(dataDir)
    .slice(-DIAGNOSTICS_LOG_FILES)
    .map((path) => {
      const t = tail(path, DIAGNOSTICS_LOG_BYTES_PER_FILE);
      return { file: basename(path), bytes: t.bytes, truncated: t.truncated, text: t.text.split('\n').map(redactText).join('\n') };
    });
}

export function diagnosticsDocument(input: DiagnosticsInput): Record<string, unknown> {
  return {
    format: 'tieout-diagnostics/1',
    generatedAt: input.generatedAt,
    app: input.app,
    runtime: {
      node: process.versions.node,
      electron: process.versions['electron'] ?? null,
      chrome: process.versions['chrome'] ?? null,
      v8: process.versions.v8,
      os: { type: osType(), release: release(), platform: platform(), arch: arch() },
    },
    store: { schemaVersion: input.schemaVersion, latestSchemaVersion: input.latestSchemaVersion },
    // URLs and options, with credential-like fields and URL credentials removed.
    settings: redactValue(input.settings),
    connectionsConfigured: input.connectionsConfigured,
    counts: input.counts,
    audit: input.audit,
    logs: diagnosticsLogs(input.dataDir),
  };
}

/** File name safe on every OS: tieout-diagnostics-20261207-163112.json.gz */
export function diagnosticsFileName(generatedAt: string): string {
  return `tieout-diagnostics-${generatedAt.replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-')}.json.gz`;
}

export function diagnosticsBundle(input: DiagnosticsInput): Readonly<{ fileName: string; gzip: Buffer }> {
  return { fileName: diagnosticsFileName(input.generatedAt), gzip: gzipSync(JSON.stringify(diagnosticsDocument(input), null, 2)) };
}
