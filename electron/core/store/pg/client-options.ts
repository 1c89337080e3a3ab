import type { PgConnectionConfig } from './sync-client';

/**
 * Where to connect, as `pg` options. `pg` lets a connection string override
 * the other settings and parses a URL without a password as password "", so
 * a password given beside the string would be dropped: with one, the string
 * is taken apart (host, port, database, user) and the password goes alone.
 */
export function pgConnectionTarget(config: Pick<PgConnectionConfig, 'connectionString' | 'password'>): Record<string, unknown> {
  if (config.password === undefined) return { connectionString: config.connectionString };
  const u = new URL(config.connectionString);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    user: decodeURIComponent(u.username),
    password: config.password,
  };
}

/** TLS as `pg` (node:tls) takes it: verify-ca checks the chain and not the host name. */
export function pgSslOptions(ssl: PgConnectionConfig['ssl']): false | Record<string, unknown> {
  if (ssl === false || ssl === undefined) return false;
  return { rejectUnauthorized: ssl.rejectUnauthorized, ca: ssl.ca, ...(ssl.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}) };
}

/** Options for the engine's asynchronous clients (sync leader, change listener, offline probe); the store's own connection goes through its worker. */
export function pgClientOptions(config: PgConnectionConfig, applicationName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...pgConnectionTarget(config),
    ssl: pgSslOptions(config.ssl),
    application_name: applicationName.slice(0, 63),
    // A dead network is noticed: the leader's lock must not be believed held on a connection that is gone.
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: 10_000,
    query_timeout: 10_000,
    ...overrides,
  };
}

/**
 * JavaScript source shared by the evaluated worker threads that hold a `pg`
 * connection (store/pg/sync-client.ts, store/workspace-copy-worker.ts): the
 * value types the store reads (integers and numerics as numbers, refused
 * beyond 2^53, booleans as 1/0, as SQLite gives them) and the TLS option a
 * structured clone cannot carry (verify-ca's host-name check switched off).
 * Expects `pg` in scope.
 */
export const PG_WORKER_SUPPORT_JS = `
function safeNumber(text) {
  const n = Number(text);
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) throw new Error('workspace number out of range: ' + text);
  return n;
}
const types = {
  getTypeParser(oid, format) {
    if (oid === 20 || oid === 1700) return safeNumber;
    if (oid === 16) return (v) => (v === 't' ? 1 : 0);
    return pg.types.getTypeParser(oid, format);
  },
};
function withTls(config) {
  if (!config.ssl || config.ssl.verifyHostname !== false) return config;
  const { verifyHostname, ...ssl } = config.ssl;
  return { ...config, ssl: { ...ssl, checkServerIdentity: () => undefined } };
}
`;
