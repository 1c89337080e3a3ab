import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { EVENT_NAMES } from '@shared/api-contract';
import type { Engine } from '../core/engine';

// The loopback web host: the same engine and contract as the Electron shell,
// served to a browser on 127.0.0.1 only. Every API request must carry the
// per-launch token, and Host/Origin must name this host (DNS rebinding, CSRF).

export type WebHost = Readonly<{ url: string; port: number; token: string; close(): Promise<void> }>;

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

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

const MAX_BODY = 5 * 1024 * 1024;

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolveBody({});
      try {
        resolveBody(JSON.parse(text));
      } catch {
        reject(new Error('request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

export async function startWebHost(options: { engine: Engine; rendererDir: string; port?: number }): Promise<WebHost> {
  const { engine } = options;
  const token = randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const sockets = new Set<Socket>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer(async (req, res) => {
    try {
      if (!allowedHosts().has(req.headers.host ?? '')) return sendJson(res, 403, { error: 'Host not allowed' });
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins().has(origin)) return sendJson(res, 403, { error: 'Origin not allowed' });
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

      if (url.pathname.startsWith('/api/call/')) {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
        if (!sameToken(req.headers['x-tieout-token'] as string | undefined, token)) return sendJson(res, 401, { error: 'Missing or wrong token' });
        let args: unknown;
        try {
          args = await readJson(req);
        } catch (e) {
          return sendJson(res, 200, { ok: false, error: { code: 'invalid_args', message: (e as Error).message } });
        }
        const session = req.headers['x-tieout-session'];
        const envelope = await engine.dispatch(decodeURIComponent(url.pathname.slice('/api/call/'.length)), args, {
          sessionToken: typeof session === 'string' && session ? session : null,
          channel: 'web',
        });
        return sendJson(res, 200, envelope);
      }

      if (url.pathname === '/api/events') {
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

      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Method not allowed' });
      serveStatic(url.pathname, res);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
    }
  });

  function serveStatic(pathname: string, res: ServerResponse): void {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': extname(file) === '.html' ? 'no-store' : 'max-age=3600',
    });
    createReadStream(file).pipe(res);
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
