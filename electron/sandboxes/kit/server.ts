import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultPlan, type Fault, type FaultRule } from './faults';

// A loopback-only HTTP server for sandboxes: routing is the sandbox's own
// handler; this adds body reading, fault injection and a control API under
// /__control/ (faults, plus whatever the sandbox adds).

export type SandboxRequest = Readonly<{
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  bodyText: string;
}>;

export type SandboxResponse = Readonly<{
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}>;

export type SandboxHandler = (req: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;

export type RunningSandbox = Readonly<{
  url: string;
  port: number;
  faults: FaultPlan;
  close(): Promise<void>;
}>;

export type SandboxOptions = Readonly<{
  name: string;
  handler: SandboxHandler;
  /** Extra control routes, keyed by the path after /__control/ (e.g. "settle"). */
  control?: Record<string, (body: unknown, req: SandboxRequest) => Promise<unknown> | unknown>;
  port?: number;
  faultSeed?: number;
  faultRules?: readonly FaultRule[];
  /** The path fault rules are matched against; defaults to the request path. Lets single-endpoint protocols (SOAP) aim faults at one operation. */
  faultPath?: (req: SandboxRequest) => string;
}>;

const MAX_BODY = 20 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: SandboxResponse): void {
  const isText = typeof response.body === 'string';
  const body = response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
  const headers: Record<string, string> = {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...response.headers,
  };
  res.writeHead(response.status, headers);
  res.end(body);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startSandboxServer(options: SandboxOptions): Promise<RunningSandbox> {
  const faults = new FaultPlan(options.faultSeed ?? 1, options.faultRules ?? []);
  const sockets = new Set<Socket>();

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const bodyText = await readBody(req);
      const sreq: SandboxRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, bodyText };

      if (url.pathname.startsWith('/__control/')) {
        send(res, await handleControl(sreq));
        return;
      }

      const drawn: Fault[] = faults.draw(sreq.method, options.faultPath ? options.faultPath(sreq) : sreq.path);
      for (const f of drawn) if (f.kind === 'latency') await sleep(f.ms);
      const terminal = drawn.find((f) => f.kind !== 'latency');
      if (terminal) {
        switch (terminal.kind) {
          case 'reset':
            req.socket.destroy();
            return;
          case 'timeout':
            return; // hold the socket; close() destroys it
          case 'status':
            send(res, {
              status: terminal.status,
              headers: terminal.retryAfterSeconds !== undefined ? { 'retry-after': String(terminal.retryAfterSeconds) } : {},
              body: { error: `sandbox fault: HTTP ${terminal.status}` },
            });
            return;
          case 'malformed':
            res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
            res.end('{"success":tr');
            return;
          case 'commit-then-drop':
            await options.handler(sreq);
            req.socket.destroy();
            return;
          default:
            break;
        }
      }
      send(res, await options.handler(sreq));
    } catch (e) {
      if (!res.headersSent) send(res, { status: 500, body: { error: `${options.name} sandbox error: ${(e as Error).message}` } });
    }
  });

  async function handleControl(req: SandboxRequest): Promise<SandboxResponse> {
    const name = req.path.slice('/__control/'.length);
    const body = req.bodyText ? (JSON.parse(req.bodyText) as unknown) : undefined;
    if (name === 'faults') {
      if (req.method === 'DELETE') {
        faults.reset();
        return { status: 200, body: { ok: true } };
      }
      const plan = body as { seed?: number; rules?: FaultRule[]; append?: boolean };
      if (plan.append) for (const r of plan.rules ?? []) faults.add(r);
      else faults.reset(plan.seed, plan.rules ?? []);
      return { status: 200, body: { ok: true, rules: faults.size } };
    }
    const fn = options.control?.[name];
    if (!fn) return { status: 404, body: { error: `no control route ${name}` } };
    return { status: 200, body: (await fn(body, req)) ?? { ok: true } };
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: sandboxes must never be reachable from the network.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function jsonBody<T = unknown>(req: SandboxRequest): T | undefined {
  if (!req.bodyText) return undefined;
  return JSON.parse(req.bodyText) as T;
}
