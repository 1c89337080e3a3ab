import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import odbc from 'odbc';
import type { ErpSandboxSeed, RunningErpSandbox } from '../sandbox-types';
import { createSandboxCompany } from './sandbox-db';
import { importWaitingFiles, type ImportBehaviour, type ImportResult } from '../../../core/erp/sage100/vi-importer';

// A real ODBC data source standing in for a Sage 100 company: unixODBC + the
// Debian SQLite ODBC driver over a seeded SQLite file, plus a timer that plays
// the site's Visual Integrator job. Faults are what an ODBC source can really
// do: a locked company file (busy → transient) and a confirmation that never
// arrives although the import happened (→ unknown_outcome).

export const SQLITE_ODBC_DRIVER = 'SQLite3';

/** The compiled VI job the sandbox company has (Import Job Maintenance names compiled jobs VIWIxx). */
export const VI_JOB = 'VIWI0A';

/** True when unixODBC knows the SQLite3 driver (CI installs libsqliteodbc). */
export function sqliteOdbcDriverInstalled(): boolean {
  for (const file of ['/etc/odbcinst.ini', '/usr/local/etc/odbcinst.ini']) {
    try {
      if (readFileSync(file, 'utf8').includes(`[${SQLITE_ODBC_DRIVER}]`)) return true;
    } catch {
      // try the next location
    }
  }
  return false;
}

export type Sage100SandboxOptions = Readonly<{
  divisionNo?: string;
  importIntervalMs?: number;
  /** Busy timeout the connector's driver waits on a locked file (SQLite ODBC "Timeout", ms). */
  busyTimeoutMs?: number;
  confirmTimeoutMs?: number;
  confirmPollMs?: number;
}>;

export type Sage100Sandbox = RunningErpSandbox &
  Readonly<{
    dbFile: string;
    viFolder: string;
    /** Stops/starts the simulated VI job (files then wait in the folder); resolves once an import already running has finished. */
    pauseImports(paused: boolean): Promise<void>;
    /** Runs the VI job now instead of waiting for the timer. */
    importNow(): Promise<ImportResult[]>;
    /** Holds an exclusive lock on the company file until unlock() or holdMs. */
    lock(holdMs?: number): Promise<void>;
    unlock(): Promise<void>;
    /** The next import commits, but the company file stays locked (up to holdMs, or until unlock()) so the poster never sees it. */
    dropNextConfirmation(holdMs: number): void;
    /** Ground truth through the sandbox's own ODBC connection. */
    query(sql: string, params?: Array<string | number>): Promise<Array<Record<string, unknown>>>;
    /** How the next receipt import behaves (VI imported nothing, refused a line, refused the file, left it unposted). */
    nextImport(behaviour: ImportBehaviour): void;
    /** Deletes / puts back the compiled VI job (MAS90\VI\VIWI0A): without it nothing imports. */
    removeViJob(): Promise<void>;
    restoreViJob(): Promise<void>;
    /** Renames a column, so a statement naming it fails as on a company whose layout lacks it; restoreColumns() undoes it. */
    renameColumn(table: string, from: string, to: string): Promise<void>;
    restoreColumns(): Promise<void>;
    /** Overwrites every InvoiceDate with garbage until restoreDates(). */
    corruptDates(): Promise<void>;
    restoreDates(): Promise<void>;
  }>;

export async function startSage100Sandbox(seed: ErpSandboxSeed, sandboxOptions: Sage100SandboxOptions = {}): Promise<Sage100Sandbox> {
  const division = sandboxOptions.divisionNo ?? '00';
  const ownDir = seed.workDir === undefined;
  const workDir = seed.workDir ?? (await mkdtemp(join(tmpdir(), 'tieout-sage100-')));
  const dbFile = join(workDir, 'ABC.sqlite');
  const viFolder = join(workDir, 'vi-import');
  await mkdir(viFolder, { recursive: true });
  // A Sage install's shape where Tieout looks for the VI job: MAS90\Home beside MAS90\VI.
  const homeFolder = join(workDir, 'MAS90', 'Home');
  const jobFile = join(workDir, 'MAS90', 'VI', `${VI_JOB}.M4P`);
  await mkdir(homeFolder, { recursive: true });
  await mkdir(join(workDir, 'MAS90', 'VI'), { recursive: true });
  await writeFile(jobFile, 'sandbox stand-in for the compiled VI cash-receipt job\n');
  if (existsSync(dbFile)) await rm(dbFile);
  createSandboxCompany(dbFile, division, seed.customers, seed.invoices);

  const busy = sandboxOptions.busyTimeoutMs ?? 500;
  // NoCreat=1: a wrong path is an error, not a fresh empty company.
  // StepAPI=1: the driver steps rows instead of materialising whole results, as a cursor should.
  const connectionString = `Driver=${SQLITE_ODBC_DRIVER};Database=${dbFile};NoCreat=1;StepAPI=1;Timeout=${busy}`;
  const importer = await odbc.connect(`Driver=${SQLITE_ODBC_DRIVER};Database=${dbFile};NoCreat=1;Timeout=${busy}`);
  let locker: odbc.Connection | null = null;
  let lockTimer: NodeJS.Timeout | undefined;
  let dropHoldMs: number | null = null;
  let importerHoldsCommit = false;
  let running: Promise<ImportResult[]> | null = null;
  let closed = false;
  let paused = false;
  const behaviours: ImportBehaviour[] = [];
  const nextBehaviour = (): ImportBehaviour => behaviours.shift() ?? { kind: 'post' };
  const renamed: Array<{ table: string; from: string; to: string }> = [];

  async function lock(holdMs?: number): Promise<void> {
    if (!locker) {
      locker = await odbc.connect(connectionString);
      await locker.query('BEGIN EXCLUSIVE TRANSACTION');
    }
    clearTimeout(lockTimer);
    if (holdMs !== undefined) lockTimer = setTimeout(() => void unlock(), holdMs);
  }

  async function unlock(): Promise<void> {
    clearTimeout(lockTimer);
    const l = locker;
    locker = null;
    if (l) {
      await l.query('COMMIT').catch(() => undefined);
      await l.close().catch(() => undefined);
    }
    if (importerHoldsCommit) {
      importerHoldsCommit = false;
      await importer.query('COMMIT').catch(() => undefined);
    }
  }

  async function runImport(): Promise<ImportResult[]> {
    if (locker || importerHoldsCommit || closed || paused || !existsSync(jobFile)) return [];
    if (dropHoldMs === null) return importWaitingFiles(importer, viFolder, 'rejected', true, nextBehaviour);
    // Reply lost after commit: import inside an exclusive transaction and keep
    // it open, so nobody but the sandbox sees the rows until unlock(); there is
    // no gap between "committed" and "locked" for a poller to slip through.
    await importer.query('BEGIN EXCLUSIVE TRANSACTION');
    let results: ImportResult[];
    try {
      results = await importWaitingFiles(importer, viFolder, 'rejected', false, nextBehaviour);
    } catch (e) {
      await importer.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    if (!results.some((r) => r.ok)) {
      await importer.query('COMMIT');
      return results;
    }
    const hold = dropHoldMs;
    dropHoldMs = null;
    importerHoldsCommit = true;
    clearTimeout(lockTimer);
    lockTimer = setTimeout(() => void unlock(), hold);
    return results;
  }

  function importNow(): Promise<ImportResult[]> {
    // One import at a time; a caller arriving mid-run waits for it, then runs again.
    const previous = running ?? Promise.resolve([]);
    const next = previous.catch(() => []).then(() => runImport());
    running = next;
    return next.finally(() => {
      if (running === next) running = null;
    });
  }

  const interval = sandboxOptions.importIntervalMs ?? 250;
  const timer = setInterval(() => {
    importNow().catch(() => undefined); // a locked file: the next tick tries again
  }, interval);
  timer.unref();

  async function query(sql: string, params: Array<string | number> = []): Promise<Array<Record<string, unknown>>> {
    // While a fault holds the lock, the holder's connection is the only one that can read.
    const connection = locker ?? importer;
    return Array.from(await connection.query<Record<string, unknown>>(sql, params));
  }

  async function corruptDates(): Promise<void> {
    await query('CREATE TABLE IF NOT EXISTS _SavedDates AS SELECT rowid AS rid, InvoiceDate FROM AR_OpenInvoice');
    await query("UPDATE AR_OpenInvoice SET InvoiceDate = 'not-a-date'");
  }

  async function restoreDates(): Promise<void> {
    const saved = await query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_SavedDates'");
    if (saved.length === 0) return;
    await query('UPDATE AR_OpenInvoice SET InvoiceDate = (SELECT InvoiceDate FROM _SavedDates WHERE rid = AR_OpenInvoice.rowid)');
    await query('DROP TABLE _SavedDates');
  }

  async function renameColumn(table: string, from: string, to: string): Promise<void> {
    await query(`ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`);
    renamed.push({ table, from, to });
  }

  async function restoreColumns(): Promise<void> {
    for (let r = renamed.pop(); r; r = renamed.pop()) await query(`ALTER TABLE ${r.table} RENAME COLUMN ${r.to} TO ${r.from}`);
  }

  return {
    baseUrl: connectionString,
    options: {
      divisionNo: division,
      viFolder,
      sageHomeFolder: homeFolder,
      viJobProgram: VI_JOB,
      companyCode: 'ABC',
      confirmTimeoutMs: sandboxOptions.confirmTimeoutMs ?? 10_000,
      confirmPollMs: sandboxOptions.confirmPollMs ?? 100,
    },
    // The SQLite driver ignores UID/PWD; they are passed as a real site's would be.
    credentials: { username: 'tieout', password: 'sandbox' },
    dbFile,
    viFolder,
    pauseImports: async (p) => {
      paused = p;
      // An import that started before the pause may still pick up a file written now: wait it out.
      await running?.catch(() => undefined);
    },
    importNow,
    lock,
    unlock,
    dropNextConfirmation: (holdMs) => {
      dropHoldMs = holdMs;
    },
    query,
    nextImport: (b) => {
      behaviours.push(b);
    },
    removeViJob: () => rename(jobFile, `${jobFile}.bak`),
    restoreViJob: async () => {
      if (existsSync(`${jobFile}.bak`)) await rename(`${jobFile}.bak`, jobFile);
    },
    renameColumn,
    restoreColumns,
    corruptDates,
    restoreDates,
    close: async () => {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      await unlock();
      await importer.close().catch(() => undefined);
      if (ownDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}
