import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HANDOFF_MAX_BASE64_CHARS } from '@shared/handoff-limits';
import { createReadStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { EVENT_NAMES, type Envelope } from '@shared/api-contract';
import type { ClaimedExport } from '@shared/api/export';
import type { Engine } from '../core/engine';
import { contentSecurityPolicy, newStyleNonce, withStyleNonce } from '../shell/csp';
import { sessionCookie, sessionFromCookie, takeSessionToken } from '../shell/session-custody';

// The loopback web host: the same engine and contract as the Electron shell,
// served to a browser on 127.0.0.1 only. Every API request must carry the
// per-launch token, and Host/Origin must name this host (DNS rebinding, CSRF).

export type WebHost = Readonly<{ url: string; port: number; token: string; close(): Promise<void> }>;


const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Largest API request body accepted; larger ones get 413 (configurable per host for tests).
 * The largest legitimate body is a hand-off file uploaded as base64, so the cap is that plus 1 MiB of JSON around it.
 */
export const DEFAULT_MAX_BODY_BYTES = HANDOFF_MAX_BASE64_CHARS + 1024 * 1024;
/** How long an oversized upload may keep streaming after its 413 before the socket is cut. */
const DISCARD_GRACE_MS = 5_000;

class BodyTooLarge extends Error {}
class BodyNotJson extends Error {}

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing (a 400, not a 500). */
export function decodePathPart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) return void chunks.push(c);
      tooLarge = true;
      chunks.length = 0;
      req.off('data', onData);
      reject(new BodyTooLarge());
    };
    req.on('data', onData);
    req.on('end', () => {
      if (tooLarge) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolveBody({});
      try {
        resolveBody(JSON.parse(text));
      } catch {
        reject(new BodyNotJson('request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Answers 413 and then drains what the client is still sending, so it reads
 * the status instead of a connection reset; `Connection: close` ends the
 * socket after the reply, and a client that keeps streaming is cut after a grace period.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', connection: 'close' });
  res.end(JSON.stringify({ error: `Request body larger than ${maxBytes} bytes` }));
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), DISCARD_GRACE_MS);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.once('close', () => clearTimeout(cut));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}

export async function startWebHost(options: { engine: Engine; rendererDir: string; port?: number; maxBodyBytes?: number }): Promise<WebHost> {
  const { engine } = options;
  const token = randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const sockets = new Set<Socket>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer(async (req, res) => {
    try {
      if (!allowedHosts().has(req.headers.host ?? '')) return sendJson(res, 403, { error: 'Host not allowed' });
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins().has(origin)) return sendJson(res, 403, { error: 'Origin not allowed' });
      let url: URL;
      try {
        url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      } catch {
        return sendJson(res, 400, { error: 'Malformed request target' });
      }

      if (url.pathname.startsWith('/api/call/')) {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' }, { allow: 'POST' });
        if (!sameToken(req.headers['x-tieout-token'] as string | undefined, token)) return sendJson(res, 401, { error: 'Missing or wrong token' });
        const name = decodePathPart(url.pathname.slice('/api/call/'.length));
        if (name === null) return sendJson(res, 400, { error: 'Malformed percent-encoding in the method name' });
        let args: unknown;
        try {
          args = await readJson(req, maxBodyBytes);
        } catch (e) {
          if (e instanceof BodyTooLarge) return refuseTooLarge(req, res, maxBodyBytes);
          return sendJson(res, 200, { ok: false, error: { code: 'invalid_args', message: (e as Error).message } });
        }
        // The session rides in an HttpOnly cookie: page script can neither read it nor send it elsewhere.
        const reply = await engine.dispatch(name, args, { sessionToken: sessionFromCookie(req.headers.cookie, port), channel: 'web' });
        const { envelope, change } = takeSessionToken(reply);
        const cookie = sessionCookie(port, change);
        return sendJson(res, 200, envelope, cookie ? { 'set-cookie': cookie } : {});
      }

      if (url.pathname.startsWith('/api/download/')) {
        if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' }, { allow: 'GET' });
        const exportToken = decodePathPart(url.pathname.slice('/api/download/'.length));
        if (exportToken === null) return sendJson(res, 400, { error: 'Malformed percent-encoding in the download token' });
        // The signed-in user's own export, once: the engine checks the session and the token's owner.
        const reply = (await engine.dispatch('export:claim', { token: exportToken }, { sessionToken: sessionFromCookie(req.headers.cookie, port), channel: 'web' })) as Envelope<ClaimedExport>;
        if (!reply.ok) return sendJson(res, reply.error.code === 'unauthenticated' ? 401 : 404, { error: reply.error.message });
        return sendDownload(res, reply.value);
      }

      if (url.pathname === '/api/events') {
        if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' }, { allow: 'GET' });
        if (!sameToken(url.searchParams.get('token'), token)) return sendJson(res, 401, { error: 'Missing or wrong token' });
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        const unsubscribe = engine.events.subscribe((name, payload) => {
          if (EVENT_NAMES.includes(name)) res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
        });
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
        req.on('close', () => {
          clearInterval(keepAlive);
          unsubscribe();
        });
        return;
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Method not allowed' }, { allow: 'GET, HEAD' });
      serveStatic(url.pathname, res);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
    }
  });

  /** Streams an export file as an attachment, then deletes it (it was handed over once). */
  function sendDownload(res: ServerResponse, file: ClaimedExport): void {
    const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': String(file.bytes),
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const stream = createReadStream(file.path);
    const remove = () => rmSync(file.path, { force: true });
    stream.on('error', () => {
      remove();
      res.destroy();
    });
    res.on('close', remove);
    stream.pipe(res);
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    const decoded = decodePathPart(pathname);
    if (decoded === null) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Malformed percent-encoding in the path');
      return;
    }
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    // Every response carries the policy with a nonce of its own; index.html gets the same nonce filled in
    // (its meta tag and the nonce the page hands AG Grid for the <style> elements it injects).
    const nonce = newStyleNonce();
    const isHtml = extname(file) === '.html';
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy(nonce),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': isHtml ? 'no-store' : 'max-age=3600',
    });
    if (isHtml) res.end(withStyleNonce(readFileSync(file, 'utf8'), nonce));
    else createReadStream(file).pipe(res);
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}
