import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../../electron/core/engine';
import type { Envelope } from '../../../shared/api-contract';
import type { SandboxDescriptor } from '../../../electron/sandboxes/demo/demo-sandboxes';
import { silentLogger } from '../../../electron/core/log/logger';
import { keytarSecretStore } from '../../../electron/core/vault/keytar-store';
import type { SecretStore } from '../../../electron/core/vault/secret-store';

/** The real OS keychain under a service name of this test run's own. */
export function testSecretStore(): SecretStore {
  return keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `tieout-${label}-`));
}

/** An engine on a data folder, connected to sandboxes already running, with no background loops. */
export function openTestEngine(
  sandbox: SandboxDescriptor,
  options: Partial<EngineOptions> & { dataDir?: string; secretStore?: SecretStore } = {},
): Promise<Engine> {
  return createEngine({
    dataDir: options.dataDir ?? tempDir('engine'),
    shell: 'cli',
    background: false,
    logger: silentLogger,
    secretStore: options.secretStore ?? testSecretStore(),
    // Approvals post at once unless a test sets the undo window (or passes undefined: the stored setting decides).
    undoWindowSeconds: 0,
    ...options,
    sandbox,
  });
}

/** Unwraps an API envelope, failing the test with the error's code and message. */
export function value<T>(reply: Awaited<ReturnType<Engine['dispatch']>>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value as T;
}

/**
 * Calls through the dispatcher as signed-in users of the web channel, the way
 * two browser tabs would: each user's session token is attached to their calls.
 * `user` null (or unknown) calls without a session.
 */
export function signedInCalls(engine: () => Engine) {
  const tokens: Record<string, string> = {};
  const call = async <T>(user: string | null, name: string, args: unknown): Promise<Envelope<T>> =>
    (await engine().dispatch(name, args, { sessionToken: user ? (tokens[user] ?? null) : null, channel: 'web' })) as Envelope<T>;
  const ok = async <T>(user: string | null, name: string, args: unknown): Promise<T> => {
    const r = await call<T>(user, name, args);
    if (!r.ok) throw new Error(`${name} as ${user}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  const signIn = async (users: readonly string[], password: string): Promise<void> => {
    for (const u of users) tokens[u] = (await ok<{ sessionToken: string }>(null, 'auth:signIn', { userName: u, password })).sessionToken;
  };
  return { call, ok, signIn };
}

/** Approves every automatic match and posts it: the starting point of tests about what happens after posting. */
export async function approveAndPostAllAuto(engine: Engine): Promise<number[]> {
  const { gridRows } = await import('../../../electron/core/store/queries/matches');
  const auto = gridRows(engine.db).filter((r) => r.status === 'auto').map((r) => r.transactionId);
  const reply = await engine.dispatch('matches:approve', { transactionIds: auto });
  if (!reply.ok) throw new Error(`approve failed: ${reply.error.message}`);
  await engine.worker.drain();
  return auto;
}

/** Prophet 21 credit memos carrying this reference, straight from the sandbox's OData API (not through Tieout's connector). */
export async function p21CreditMemoCount(erp: SandboxDescriptor['erp'], reference: string): Promise<number> {
  const { default: axios } = await import('axios');
  const token = await axios.post(`${erp.baseUrl}/api/security/token/v2`, { username: erp.username, password: erp.password }, { headers: { Accept: 'application/json' }, responseType: 'text' });
  const access = /AccessToken"?\s*[:>]\s*"?([^"<\s]+)/.exec(String(token.data))?.[1] ?? '';
  const res = await axios.get(`${erp.baseUrl}/odataservice/odata/table/invoice_hdr`, {
    params: { $filter: `po_no eq '${reference}' and total_amount lt 0` },
    headers: { Accept: 'application/json', Authorization: `Bearer ${access}` },
  });
  return (res.data as { value: unknown[] }).value.length;
}
