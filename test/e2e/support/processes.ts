import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Starts the built CLI (out/engine/tieout.js) as real processes: the sandboxes
// in one, the web host in another, so the host can be restarted on the same
// data folder while the ERP keeps its state.

const root = resolve(__dirname, '../../..');
const cli = join(root, 'out/engine/tieout.js');

export type Proc = Readonly<{ child: ChildProcess; output: () => string; stop(): Promise<void> }>;

function startCli(args: string[], readyPattern: RegExp, env: Record<string, string> = {}): Promise<{ proc: Proc; match: RegExpMatchArray }> {
  if (!existsSync(cli)) throw new Error('out/engine/tieout.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const proc: Proc = {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${readyPattern}: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(readyPattern);
      if (m) {
        clearTimeout(timer);
        resolveStart({ proc, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tieout ${args[0]} exited with ${code}: ${out}`));
    });
  });
}

export type Sandboxes = Readonly<{ proc: Proc; file: string; erpUrl: string; payments: number }>;

export async function startSandboxes(erp = 'p21'): Promise<Sandboxes> {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-e2e-sb-'));
  const file = join(dir, 'sandboxes.json');
  const { proc, match } = await startCli(['sandbox', '--erp', erp, '--describe', file], /Demo data: (\d+) payments[\s\S]*written to/);
  const descriptor = JSON.parse(readFileSync(file, 'utf8')) as { erp: { baseUrl: string } };
  return { proc, file, erpUrl: descriptor.erp.baseUrl, payments: Number(match[1]) };
}

export type Host = Readonly<{ proc: Proc; url: string }>;

/**
 * A web host. Approvals post at once (`--undo-window 0`) unless `extra` says
 * otherwise: the specs about posting do not wait out the undo window; the bulk
 * approval spec passes its own.
 */
export async function startHost(dataDir: string, extra: string[] = []): Promise<Host> {
  const window = extra.includes('--undo-window') ? [] : ['--undo-window', '0'];
  const { proc, match } = await startCli(['web', '--data-dir', dataDir, ...window, ...extra], /Tieout web: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/);
  return { proc, url: match[1]! };
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tieout-e2e-data-'));
}
