import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ERP_KINDS, type ErpKind } from '../core/erp/connector';
import { createEngine, type Engine } from '../core/engine';
import { resolveDataDir } from '../core/data-dir';
import { writePrivateFile } from '../core/private-files';
import { runDemoSandboxes, type SandboxDescriptor } from '../sandboxes/demo/demo-sandboxes';
import { createLogger, silentLogger } from '../core/log/logger';
import { installCrashLog } from '../core/log/crash-log';
import { gridRows, statusCounts } from '../core/store/queries/matches';
import { outboxCounts } from '../core/posting/outbox-worker';
import { startWebHost } from '../web/host';
import { withReadOnlyFolder } from './read-only';
import { userInfo } from 'node:os';

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

// `tieout`: the engine without Electron. Every command takes --data-dir.

export type Io = Readonly<{ stdout: (s: string) => void; stderr: (s: string) => void }>;

const USAGE = `Usage: tieout <command> [options]

Commands:
  web [--port N] [--erp KIND] [--sandbox-file F] [--undo-window S]
                                                   serve the app to a browser on 127.0.0.1 (prints the URL with its token);
                                                   --undo-window: seconds approvals wait before posting, instead of the setting
  sandbox [--erp KIND] [--describe F] [--port N]   run the PayTrace and ERP sandboxes in the foreground with demo data
  sync --once                                      pull PayTrace and the ERP once, then match
  status [--json]                                  counts by status (read-only)
  approve --status auto [--limit N]                approve undecided matches of a status (auto or review)
  post [--until-done]                              post approved matches now (--until-done: wait out retries)
  match --paytrace F --invoices F [--out F] [--config F]   match files (see docs/matching.md)
  audit verify [--export F]                        check the audit trail (or an export file) against the keychain's key and head (read-only)
  audit verify --workspace URL                     the same for a team workspace (password from PGPASSWORD or this folder's keychain entry)
  audit export --from D --to D [--out F]           entries of a date range as CSV with the sealed head (read-only)
  changes [approve ID | reject ID REASON]          changes to limits and roles waiting for a second admin (the OS user approves as one)
  erp check --erp KIND [--sandbox]                 conformance scenarios (with --sandbox) or read-only checks
  workspace create --url URL --name N [--move-data] [--join-code] [--ssl MODE] [--ca F]
                                                   create a team workspace in an empty PostgreSQL database (docs/team.md)
  workspace migrate --url URL --name N [...]       create, moving this folder's single-user store into it
  workspace join --url URL [--ssl MODE] [--ca F]   join a workspace with the join code its admin issued
  workspace join-code | leave | status [--json]    issue a new join code, leave the workspace, where this folder stands

Read-only commands open the data folder read-only and start nothing: safe while the app runs.

Common options: --data-dir DIR (default $TIEOUT_DATA_DIR or ~/.tieout)
ERP kinds: ${ERP_KINDS.join(', ')}`;

function fail(io: Io, message: string): number {
  io.stderr(`tieout: ${message}\n`);
  return 2;
}

function parseErpKind(value: string | undefined): ErpKind | undefined {
  if (value === undefined) return undefined;
  if (!(ERP_KINDS as readonly string[]).includes(value)) throw new Error(`unknown ERP kind "${value}" (one of ${ERP_KINDS.join(', ')})`);
  return value as ErpKind;
}

function parseUndoWindow(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) throw new Error(`--undo-window takes whole seconds from 0 to 3600, not "${value}"`);
  return seconds;
}

function readDescriptor(file: string | undefined): SandboxDescriptor | undefined {
  if (!file) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxDescriptor;
}

async function withEngine<T>(values: Record<string, unknown>, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine({
    dataDir: resolveDataDir(values['data-dir'] as string | undefined),
    shell: 'cli',
    background: false,
    logger: values.verbose ? createLogger('tieout') : silentLogger,
    erpKind: parseErpKind(values.erp as string | undefined),
    sandbox: readDescriptor(values['sandbox-file'] as string | undefined),
    startDemo: runDemoSandboxes,
    posting: postingOverrides(values),
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

function postingOverrides(values: Record<string, unknown>) {
  const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
  return {
    ...(num('max-attempts') ? { maxAttempts: num('max-attempts') } : {}),
    ...(num('backoff-ms') !== undefined ? { backoffBaseMs: num('backoff-ms') } : {}),
    ...(num('erp-timeout-ms') ? { erpTimeoutMs: num('erp-timeout-ms') } : {}),
    ...(num('concurrency') ? { concurrency: num('concurrency') } : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitForSignal = () =>
  new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'match') {
    const { runMatchCommand } = await import('./match-command');
    return runMatchCommand(rest, io);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        erp: { type: 'string' },
        'sandbox-file': { type: 'string' },
        'undo-window': { type: 'string' },
        describe: { type: 'string' },
        'renderer-dir': { type: 'string' },
        once: { type: 'boolean' },
        json: { type: 'boolean' },
        sandbox: { type: 'boolean' },
        verbose: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        export: { type: 'string' },
        seed: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        'until-done': { type: 'boolean' },
        'max-attempts': { type: 'string' },
        'backoff-ms': { type: 'string' },
        'erp-timeout-ms': { type: 'string' },
        concurrency: { type: 'string' },
        url: { type: 'string' },
        name: { type: 'string' },
        ssl: { type: 'string' },
        ca: { type: 'string' },
        'move-data': { type: 'boolean' },
        'join-code': { type: 'boolean' },
        workspace: { type: 'string' },
      },
    });
  } catch (e) {
    return fail(io, `${(e as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;

  try {
    switch (command) {
      case 'web': {
        const engine = await createEngine({
          dataDir: resolveDataDir(values['data-dir']),
          shell: 'web',
          logger: createLogger('tieout-web'),
          erpKind: parseErpKind(values.erp),
          sandbox: readDescriptor(values['sandbox-file']),
          startDemo: runDemoSandboxes,
          ...(values['undo-window'] !== undefined ? { undoWindowSeconds: parseUndoWindow(values['undo-window']) } : {}),
        });
        // A crash of the long-running host leaves its reason in the data folder's log.
        if (engine.log) installCrashLog(engine.log);
        const host = await startWebHost({
          engine,
          rendererDir: values['renderer-dir'] ?? resolve(__dirname, '..', 'renderer'),
          ...(values.port ? { port: Number(values.port) } : {}),
        });
        io.stdout(`Tieout web: ${host.url}\n`);
        await waitForSignal();
        await host.close();
        await engine.close();
        return 0;
      }
      case 'sandbox': {
        const kind = parseErpKind(values.erp) ?? 'p21';
        const demo = await runDemoSandboxes({ erpKind: kind, seed: values.seed ? Number(values.seed) : 42, ...(values.port ? { port: Number(values.port) } : {}) });
        if (values.describe) writePrivateFile(values.describe, JSON.stringify(demo.descriptor, null, 2));
        io.stdout(`PayTrace sandbox: ${demo.descriptor.paytrace.url}\n${kind} sandbox: ${demo.descriptor.erp.baseUrl}\n`);
        io.stdout(`Demo data: ${demo.world.payments.length} payments, ${demo.world.invoices.length} open invoices, ${demo.world.customers.length} customers\n`);
        if (values.describe) io.stdout(`Connection details written to ${values.describe}\n`);
        await waitForSignal();
        await demo.close();
        return 0;
      }
      case 'sync': {
        if (!values.once) return fail(io, 'sync needs --once (the app itself polls on a schedule)');
        return withEngine(values, async (engine) => {
          const status = await engine.sync.runOnce();
          const counts = statusCounts(gridRows(engine.db));
          io.stdout(`${JSON.stringify({ state: status.state, lastError: status.lastError, counts })}\n`);
          return status.state === 'error' ? 1 : 0;
        });
      }
      case 'status':
        return await withReadOnlyFolder(values['data-dir'], async ({ db }) => {
          const counts = statusCounts(gridRows(db));
          const posting = outboxCounts(db);
          if (values.json) io.stdout(`${JSON.stringify({ counts, posting })}\n`);
          else for (const [k, v] of Object.entries(counts)) io.stdout(`${k.padEnd(10)} ${v}\n`);
          return 0;
        });
      case 'approve': {
        const wanted = values.status === 'review' ? 'review' : values.status === 'auto' ? 'auto' : null;
        if (!wanted) return fail(io, 'approve needs --status auto or --status review');
        return withEngine(values, async (engine) => {
          const ids = gridRows(engine.db)
            .filter((r) => r.status === wanted)
            .map((r) => r.transactionId)
            .sort((a, b) => a - b)
            .slice(0, values.limit ? Number(values.limit) : undefined);
          if (ids.length === 0) {
            io.stdout('{"approved":0,"skipped":0}\n');
            return 0;
          }
          // The app's approval; posting is left to `tieout post` or the app.
          const v = await engine.approval.approve({ transactionIds: ids, actor: `cli:${userName()}`, post: 'later' });
          io.stdout(`${JSON.stringify({ approved: v.approved.length, skipped: v.skipped.length })}\n`);
          return 0;
        });
      }
      case 'post':
        return withEngine(values, async (engine) => {
          const total = { posted: 0, retrying: 0, dead: 0, unknown: 0 };
          for (;;) {
            const r = await engine.worker.drain();
            for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k];
            const next = engine.worker.nextDueAt();
            if (!values['until-done'] || next === null) break;
            await sleep(Math.min(5_000, Math.max(20, Date.parse(next) - Date.now())));
          }
          io.stdout(`${JSON.stringify({ ...total, counts: outboxCounts(engine.db) })}\n`);
          return outboxCounts(engine.db).dead > 0 ? 1 : 0;
        });
      case 'audit': {
        const { runAuditCommand } = await import('./audit-command');
        return await runAuditCommand({ sub: positionals[0], dataDir: values['data-dir'], from: values.from, to: values.to, out: values.out, exportFile: values.export, workspaceUrl: values.workspace }, io);
      }
      case 'workspace': {
        const { runWorkspaceCommand } = await import('./workspace-command');
        return await runWorkspaceCommand(
          { sub: positionals[0], dataDir: values['data-dir'], url: values.url, name: values.name, ssl: values.ssl, ca: values.ca, moveData: values['move-data'], joinCode: values['join-code'], json: values.json },
          io,
        );
      }
      case 'changes': {
        // A second admin for a loosening change (docs/users-and-refunds.md): the CLI acts as the OS user,
        // so a single-admin installation can still approve one; the admin who asked cannot.
        const [sub, id, reason] = positionals;
        const call = sub === 'approve' ? { name: 'admin:approveChange', args: { changeId: Number(id), password: 'not-asked-on-the-cli' } }
          : sub === 'reject' ? { name: 'admin:rejectChange', args: { changeId: Number(id), reason: reason ?? '' } }
          : sub === undefined || sub === 'list' ? { name: 'admin:pendingChanges', args: {} } : null;
        if (!call) return fail(io, 'changes needs nothing, "list", "approve ID" or "reject ID REASON"');
        return withEngine(values, async (engine) => {
          const reply = await engine.dispatch(call.name, call.args);
          if (!reply.ok) return fail(io, reply.error.message);
          io.stdout(`${JSON.stringify(reply.value, null, 2)}\n`);
          return 0;
        });
      }
      case 'erp': {
        const { runErpCheck } = await import('./erp-check');
        return await runErpCheck({ kind: parseErpKind(values.erp), sandbox: !!values.sandbox, dataDir: values['data-dir'] }, io);
      }
      default:
        return fail(io, `unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    return fail(io, (e as Error).message);
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`tieout: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
