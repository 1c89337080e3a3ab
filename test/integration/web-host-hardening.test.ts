import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxDescriptor, StartDemo } from '../../electron/core/demo-mode';
import { createEngine, type Engine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/log/logger';
import { contentSecurityPolicy, HEADER_ONLY_DIRECTIVES, parsePolicy, STYLE_NONCE_PLACEHOLDER } from '../../electron/shell/csp';
import { SessionCustody } from '../../electron/shell/session-custody';
import { DEFAULT_MAX_BODY_BYTES, startWebHost, type WebHost } from '../../electron/web/host';
import { tempDir, testSecretStore } from './support/engine';

// The loopback web host over real HTTP, with a real engine (demo users seeded,
// the demo's upstreams pointed at a closed port; nothing here syncs): what an
// oversized body, a malformed path, a wrong method or a caller without the
// role gets back, and that the session token never reaches page script.

import { DEMO_PASSWORD } from '../../electron/core/auth/auth-service';
const unreachable: SandboxDescriptor = {
  paytrace: { url: 'http://127.0.0.1:9/paytrace', username: 'demo', password: 'pt-secret' },
  erp: { kind: 'p21', baseUrl: 'http://127.0.0.1:9/p21', options: {}, username: 'erp-user', password: 'erp-secret' },
};
const startDemo: StartDemo = async () => ({ descriptor: unreachable, close: async () => undefined });

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

let engine: Engine;
let host: WebHost;
let dataDir: string;

/** One HTTP request to the host, as a browser on this origin would send it (Host and Origin right, the launch token attached). */
function send(method: string, path: string, options: { body?: Buffer | string; headers?: Record<string, string>; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolveReply, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${host.port}`, 'x-tieout-token': host.token, ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = request({ host: '127.0.0.1', port: host.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveReply({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body === undefined) return void req.end();
    if (!options.chunked) return void req.end(options.body);
    // Stream in 64 KiB pieces without a Content-Length, as an upload of unknown size arrives.
    const body = Buffer.from(options.body);
    let at = 0;
    const pump = (): void => {
      while (at < body.length) {
        const piece = body.subarray(at, at + 64 * 1024);
        at += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function call(name: string, args: unknown, cookie?: string): Promise<Reply & { json: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  const r = await send('POST', `/api/call/${encodeURIComponent(name)}`, { body: JSON.stringify(args), headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } });
  return { ...r, json: JSON.parse(r.body) as { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
}

/** The cookie pair (name=value) a Set-Cookie header sets. */
function cookiePair(reply: Reply): string {
  const set = reply.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error('no Set-Cookie in the reply');
  return first.split(';')[0]!;
}

async function signIn(userName: string): Promise<{ cookie: string; reply: Reply & { json: { ok: boolean; value?: unknown } } }> {
  const reply = await call('auth:signIn', { userName, password: DEMO_PASSWORD });
  expect(reply.json.ok).toBe(true);
  return { cookie: cookiePair(reply), reply };
}

beforeAll(async () => {
  dataDir = tempDir('web-host');
  engine = await createEngine({ dataDir, shell: 'web', background: false, logger: silentLogger, secretStore: testSecretStore(), startDemo });
  const rendererDir = tempDir('web-host-renderer');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startWebHost({ engine, rendererDir });
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
});

describe('web host: request limits and malformed requests', () => {
  it('answers an oversized body with 413 and Connection: close, not a connection reset (declared length)', async () => {
    const reply = await send('POST', '/api/call/auth%3Astatus', { body: Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1024 * 1024, 0x20), headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
  });

  it('answers an oversized streamed body (no Content-Length) with 413, not a connection reset', async () => {
    const reply = await send('POST', '/api/call/auth%3Astatus', { body: Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1024 * 1024, 0x20), headers: { 'content-type': 'application/json' }, chunked: true });
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
  });

  it('still answers a body just under the limit (as invalid JSON, not 413)', async () => {
    const reply = await send('POST', '/api/call/auth%3Astatus', { body: Buffer.alloc(1024 * 1024, 0x78), headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });

  it('answers malformed percent-encoding in the API method name with 400, not 500', async () => {
    const reply = await send('POST', '/api/call/auth%E0%A4%A', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(400);
  });

  it('answers malformed percent-encoding in a static path with 400, not 500', async () => {
    expect((await send('GET', '/assets/%E0%A4%A.js')).status).toBe(400);
    expect((await send('GET', '/%')).status).toBe(400);
  });

  it('answers the event stream to GET only: 405 with Allow: GET otherwise', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const reply = await send(method, `/api/events?token=${host.token}`, { body: '' });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET');
    }
  });
});

describe('web host: authorization before argument validation', () => {
  it('tells a caller without a session that it must sign in, and nothing about the arguments', async () => {
    const reply = await call('auth:createUser', { userName: 42, role: 'emperor', extra: true });
    expect(reply.json.error?.code).toBe('unauthenticated');
    expect(reply.json.error?.message).not.toMatch(/userName|role|password|Invalid arguments/);
  });

  it('tells a clerk the method needs admin, and nothing about the arguments', async () => {
    const { cookie } = await signIn('clerk');
    const reply = await call('auth:createUser', { userName: 42, role: 'emperor', extra: true }, cookie);
    expect(reply.json.error?.code).toBe('forbidden');
    expect(reply.json.error?.message).not.toMatch(/Invalid arguments|expected/);
  });

  it('still validates the arguments of a caller who has the role', async () => {
    const { cookie } = await signIn('admin');
    const reply = await call('auth:createUser', { userName: 42 }, cookie);
    expect(reply.json.error?.code).toBe('invalid_args');
  });
});

describe('web host: the session token never reaches page script', () => {
  it('sets the session as an HttpOnly, SameSite=Strict cookie and leaves it out of the sign-in reply body', async () => {
    const { reply, cookie } = await signIn('clerk');
    expect(reply.body).not.toContain(cookie.split('=')[1]);
    expect((reply.json.value as Record<string, unknown>).sessionToken).toBeUndefined();
    const setCookie = String(reply.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect((await call('grid:rows', {}, cookie)).json.ok).toBe(true);
  });

  it('does not take a session from a header page script could set', async () => {
    const { cookie } = await signIn('clerk');
    const token = cookie.split('=')[1]!;
    const reply = await send('POST', '/api/call/grid%3Arows', { body: '{}', headers: { 'content-type': 'application/json', 'x-tieout-session': token } });
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('still requires the launch token with the cookie (a cookie alone, sent to another port of 127.0.0.1, is not enough)', async () => {
    const { cookie } = await signIn('clerk');
    const reply = await send('POST', '/api/call/grid%3Arows', { body: '{}', headers: { 'content-type': 'application/json', cookie, 'x-tieout-token': 'wrong' } });
    expect(reply.status).toBe(401);
  });
});

describe('web host: sign-out', () => {
  it('clears the cookie, and a call with the old session is told "Signed out", not that Tieout locked for inactivity', async () => {
    const { cookie } = await signIn('clerk');
    const out = await call('auth:signOut', {}, cookie);
    expect(out.json.ok).toBe(true);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    const stale = await call('grid:rows', {}, cookie);
    expect(stale.json.error?.code).toBe('unauthenticated');
    expect(stale.json.error?.message).toMatch(/^Signed out/);
    expect(stale.json.error?.message).not.toMatch(/without activity|locked/i);
    const status = await call('auth:status', {}, cookie);
    expect(status.json.value).toMatchObject({ endedBy: 'sign-out' });
  });
});

describe('Electron IPC: the main process holds the session', () => {
  it('keeps the token from the reply the page sees, attaches it to later calls and drops it on sign-out', async () => {
    const custody = new SessionCustody<number>();
    const window = 7;
    const signedIn = custody.settle(window, await engine.dispatch('auth:signIn', { userName: 'clerk', password: DEMO_PASSWORD }, { sessionToken: null, channel: 'electron' }));
    expect(signedIn).toMatchObject({ ok: true });
    expect(JSON.stringify(signedIn)).not.toContain('sessionToken');
    const held = custody.tokenFor(window);
    expect(held).toBeTruthy();
    expect(JSON.stringify(signedIn)).not.toContain(held!);
    expect(await engine.dispatch('grid:rows', {}, { sessionToken: custody.tokenFor(window), channel: 'electron' })).toMatchObject({ ok: true });
    custody.settle(window, await engine.dispatch('auth:signOut', {}, { sessionToken: custody.tokenFor(window), channel: 'electron' }));
    expect(custody.tokenFor(window)).toBeNull();
  });
});

describe('one Content-Security-Policy: the built page and the header', () => {
  const builtRenderer = resolve(import.meta.dirname, '../../out/renderer');

  function getIndex(port: number): Promise<Reply> {
    return new Promise<Reply>((done, fail) => {
      request({ host: '127.0.0.1', port, path: '/', headers: { host: `127.0.0.1:${port}` }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      })
        .on('error', fail)
        .end();
    });
  }

  it('serves the built index.html with a meta policy equal to the header policy (less what a meta tag cannot carry), with one fresh style nonce per response', async () => {
    if (!existsSync(join(builtRenderer, 'index.html'))) throw new Error('out/renderer/index.html is missing: run `npm run build` first');
    const built = await startWebHost({ engine, rendererDir: builtRenderer });
    try {
      const nonces: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const reply = await getIndex(built.port);
        expect(reply.status).toBe(200);
        const header = String(reply.headers['content-security-policy']);
        const nonce = /'nonce-([\w-]+)'/.exec(header)?.[1];
        expect(nonce, 'the header carries a style nonce').toBeTruthy();
        expect(header).toBe(contentSecurityPolicy(nonce!));
        expect(parsePolicy(header).get('style-src')).not.toContain("'unsafe-inline'");
        const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(reply.body)?.[1];
        expect(meta, 'the built page has a CSP meta tag').toBeTruthy();
        const headerDirectives = parsePolicy(header);
        for (const name of HEADER_ONLY_DIRECTIVES) headerDirectives.delete(name);
        expect(Object.fromEntries(parsePolicy(meta!))).toEqual(Object.fromEntries(headerDirectives));
        // The page hands the grid the same nonce; no placeholder is left in what is served.
        expect(/<meta name="tieout-style-nonce" content="([^"]*)"/.exec(reply.body)?.[1]).toBe(nonce);
        expect(reply.body).not.toContain(STYLE_NONCE_PLACEHOLDER);
        // The header-only part is what keeps the page out of frames; it must be there.
        expect(parsePolicy(header).get('frame-ancestors')).toBe("'none'");
        nonces.push(nonce!);
      }
      expect(nonces[0]).not.toBe(nonces[1]);
      expect(readFileSync(join(builtRenderer, 'index.html'), 'utf8')).toContain(STYLE_NONCE_PLACEHOLDER);
    } finally {
      await built.close();
    }
  });
});

describe('web host: export downloads', () => {
  const exportCsv = async (cookie: string): Promise<{ token: string; fileName: string }> => {
    const reply = await call('export:grid', { view: { tab: 'all', search: '', filters: [], sort: [] }, columns: ['transactionId', 'payer'], format: 'csv' }, cookie);
    expect(reply.json.ok).toBe(true);
    return reply.json.value as { token: string; fileName: string };
  };
  const pendingFiles = () => readdirSync(join(dataDir, 'exports-pending'));

  it('serves an export once, as an attachment, to the signed-in user who made it, then deletes it', async () => {
    const { cookie } = await signIn('clerk');
    const { cookie: other } = await signIn('supervisor');
    const { token, fileName } = await exportCsv(cookie);
    expect(pendingFiles()).toHaveLength(1);

    expect((await send('GET', `/api/download/${token}`)).status).toBe(401);
    expect((await send('GET', `/api/download/${token}`, { headers: { cookie: other } })).status).toBe(404);
    expect((await send('POST', `/api/download/${token}`, { body: '', headers: { cookie } })).status).toBe(405);

    const reply = await send('GET', `/api/download/${token}`, { headers: { cookie } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(reply.headers['content-disposition']).toBe(`attachment; filename="${fileName}"; filename*=UTF-8''${fileName}`);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('Transaction,Payer');
    await expect.poll(() => pendingFiles().length).toBe(0);

    expect((await send('GET', `/api/download/${token}`, { headers: { cookie } })).status).toBe(404);
  });

  it("exports a queue's list only to a role that may see the queue", async () => {
    const { cookie } = await signIn('clerk');
    const refused = await call('export:list', { kind: 'pendingChanges', format: 'csv' }, cookie);
    expect(refused.json.error?.code).toBe('forbidden');
    expect(pendingFiles()).toHaveLength(0);
    const { cookie: admin } = await signIn('admin');
    const allowed = await call('export:list', { kind: 'pendingChanges', format: 'xlsx' }, admin);
    expect(allowed.json.ok).toBe(true);
  });
});
