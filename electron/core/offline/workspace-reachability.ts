import pg from 'pg';
import { pgClientOptions } from '../store/pg/client-options';
import { PgStoreError, type PgConnectionConfig } from '../store/pg/sync-client';

// Whether the workspace database answers, asked without the engine's
// connection (that one blocks the engine's thread on every statement and has
// no connect limit): a fresh asynchronous connection with a time limit.

/**
 * A failure to reach the server, as opposed to one the server reported: no
 * SQLSTATE (a socket error such as ECONNREFUSED, a connection that ended), or
 * class 08 (connection exception) / 57P01-03 (the server shutting down or starting).
 */
export function isWorkspaceUnreachable(e: unknown): boolean {
  if (!(e instanceof PgStoreError)) return false;
  const code = e.code;
  if (code === undefined) return true;
  const sqlState = /^[0-9A-Z]{5}$/.test(code) && /\d/.test(code);
  if (!sqlState) return true;
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** How often an engine working from the copy checks whether the workspace is back. */
export const PROBE_INTERVAL_MS = 15_000;
const PROBE_TIMEOUT_MS = 5_000;

/** Connects once, asynchronously and with a time limit, and runs one statement: null when it answered, else the failure (as the bridge reports one). */
export async function probeFailure(config: PgConnectionConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<PgStoreError | null> {
  const client = new pg.Client(pgClientOptions(config, config.applicationName ?? 'tieout probe', { connectionTimeoutMillis: timeoutMs, keepAlive: false }));
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    const err = e as { message?: string; code?: string; detail?: string; constraint?: string };
    return new PgStoreError(String(err.message ?? e), err.code, err.detail, err.constraint);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function probeWorkspace(config: PgConnectionConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return (await probeFailure(config, timeoutMs)) === null;
}

/** How long start-up waits for the workspace before opening on the copy (the engine's own connection has no connect limit). */
export const START_PROBE_TIMEOUT_MS = 10_000;
