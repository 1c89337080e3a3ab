import { createServer, type IncomingMessage, type Server } from 'node:http';

// A loopback HTTP proxy in front of a real sandbox that can rewrite replies:
// the client under test talks real HTTP to it, the sandbox does the real work,
// and a fuzz test swaps the body (or status) of the replies it aims at for a
// generated malformed one. The sandboxes have no "answer with this body" hook;
// rewriting their genuine replies also keeps the mutations close to real shapes.

export type UpstreamReply = Readonly<{ status: number; contentType: string; text: string }>;
export type ProxiedRequest = Readonly<{ method: string; path: string; body: string }>;
/** Returns the reply to send instead, or null to pass the sandbox's reply through. */
export type Rewrite = (req: ProxiedRequest, upstream: UpstreamReply) => UpstreamReply | null;

export type FuzzProxy = Readonly<{
  url: string;
  setRewrite(rewrite: Rewrite | null): void;
  /** How many replies were rewritten since the last reset. */
  rewritten(): number;
  close(): Promise<void>;
}>;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function fuzzProxy(target: string): Promise<FuzzProxy> {
  const base = target.replace(/\/+$/, '');
  let rewrite: Rewrite | null = null;
  let count = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && typeof v === 'string') headers[k] = v;
        const method = req.method ?? 'GET';
        const upstream = await fetch(`${base}${req.url ?? '/'}`, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
        const reply: UpstreamReply = { status: upstream.status, contentType: upstream.headers.get('content-type') ?? 'application/json', text: await upstream.text() };
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const replaced = rewrite?.({ method, path, body }, reply) ?? null;
        if (replaced) count++;
        const out = replaced ?? reply;
        const retryAfter = upstream.headers.get('retry-after');
        res.writeHead(out.status, { 'content-type': out.contentType, ...(retryAfter && !replaced ? { 'retry-after': retryAfter } : {}) });
        res.end(out.text);
      } catch {
        res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setRewrite: (r) => {
      rewrite = r;
      count = 0;
    },
    rewritten: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
