import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { ConnectionDiagnosis } from '../connector';
import { isErpError } from '../errors';
import type { OdbcSession } from './odbc-session';
import type { Sage100Options } from './options';
import { viJobPresent } from './vi-command';

// testConnection: each step names what a site admin would fix.

type Check = { name: string; ok: boolean; detail: string };

function explain(e: unknown): string {
  if (!isErpError(e)) return e instanceof Error ? e.message : String(e);
  switch (e.kind) {
    case 'auth':
      return `Logon refused: check the Sage user name and password (${e.erpMessage ?? e.message})`;
    case 'config':
      return e.message;
    case 'transient':
      return `Busy or unreachable, try again: ${e.message}`;
    default:
      return e.message;
  }
}

export async function diagnoseSage100(session: OdbcSession, options: Sage100Options): Promise<ConnectionDiagnosis> {
  const checks: Check[] = [];
  const tables: Array<[string, string, string]> = [
    ['customers', 'SELECT CustomerNo FROM AR_Customer WHERE ARDivisionNo = ?', 'AR_Customer'],
    ['open invoices', 'SELECT InvoiceNo FROM AR_OpenInvoice WHERE ARDivisionNo = ?', 'AR_OpenInvoice'],
    ['receipt history', 'SELECT CheckNo FROM AR_CashReceiptsHistory WHERE ARDivisionNo = ?', 'AR_CashReceiptsHistory'],
  ];
  let connected = false;
  try {
    await session.query('SELECT CustomerNo FROM AR_Customer WHERE ARDivisionNo = ?', [options.divisionNo], 1);
    connected = true;
    checks.push({ name: 'connect', ok: true, detail: 'ODBC driver loaded and company data opened' });
  } catch (e) {
    const missingTable = isErpError(e) && e.kind === 'config' && /table or column missing/.test(e.message);
    if (missingTable) {
      connected = true;
      checks.push({ name: 'connect', ok: true, detail: 'ODBC driver loaded and company data opened' });
    } else {
      const name = isErpError(e) && e.kind === 'auth' ? 'logon' : 'connect';
      checks.push({ name, ok: false, detail: explain(e) });
    }
  }
  if (connected) {
    for (const [name, sql, table] of tables) {
      try {
        await session.query(sql, [options.divisionNo], 1);
        checks.push({ name, ok: true, detail: `${table} is readable` });
      } catch (e) {
        checks.push({ name, ok: false, detail: `${table}: ${explain(e)}` });
      }
    }
  }
  if (!options.viFolder) {
    checks.push({ name: 'VI import folder', ok: false, detail: 'Setting viFolder is empty: receipts cannot be posted' });
  } else {
    try {
      const s = await stat(options.viFolder);
      if (!s.isDirectory()) throw new Error('not a folder');
      await access(options.viFolder, constants.W_OK);
      checks.push({ name: 'VI import folder', ok: true, detail: `${options.viFolder} is writable` });
    } catch (e) {
      checks.push({ name: 'VI import folder', ok: false, detail: `${options.viFolder}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  // Only when the site named its job: without the settings the wrapper is the site's own (docs/erp/sage100.md).
  const job = viJobPresent(options);
  if (job !== null) {
    checks.push(
      job
        ? { name: 'VI job', ok: true, detail: `${options.viJobProgram} is compiled in the VI folder beside ${options.sageHomeFolder}` }
        : { name: 'VI job', ok: false, detail: `${options.viJobProgram} is not in the VI folder beside ${options.sageHomeFolder}: nothing would import the receipts` },
    );
  }
  const ok = checks.every((c) => c.ok);
  const firstBad = checks.find((c) => !c.ok);
  return {
    ok,
    summary: ok ? `Sage 100 company readable over ODBC (division ${options.divisionNo}); VI folder ready.` : `${firstBad?.name}: ${firstBad?.detail}`,
    checks,
  };
}
