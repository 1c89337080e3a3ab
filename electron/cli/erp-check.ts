import type { ErpKind } from '../core/erp/connector';
import { CONFORMANCE_TARGETS } from '../sandboxes/conformance/conformance-targets';
import { formatConformanceLine, runConformance } from '../sandboxes/conformance/conformance-runner';
import { createEngine } from '../core/engine';
import { resolveDataDir } from '../core/data-dir';
import { silentLogger } from '../core/log/logger';
import { runDemoSandboxes } from '../sandboxes/demo/demo-sandboxes';
import type { Io } from './tieout';

// `tieout erp check`: with --sandbox, the shared conformance scenarios against
// that ERP's sandbox; without, read-only checks against the configured connection.


export async function runErpCheck(options: { kind: ErpKind | undefined; sandbox: boolean; dataDir: string | undefined }, io: Io): Promise<number> {
  if (options.sandbox) {
    if (!options.kind) {
      io.stderr('tieout: erp check --sandbox needs --erp <kind>\n');
      return 2;
    }
    const target = CONFORMANCE_TARGETS.find((t) => t.kind === options.kind);
    if (!target) {
      io.stderr(`tieout: no conformance target for ${options.kind}\n`);
      return 2;
    }
    const results = await runConformance(target, { onResult: (r) => io.stdout(`${formatConformanceLine(r)}\n`) });
    const failed = results.filter((r) => r.status === 'fail').length;
    io.stdout(`${results.length - failed} of ${results.length} scenarios passed or skipped; ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
  }

  const engine = await createEngine({ dataDir: resolveDataDir(options.dataDir), shell: 'cli', background: false, logger: silentLogger, startDemo: runDemoSandboxes, ...(options.kind ? { erpKind: options.kind } : {}) });
  try {
    const connector = await engine.erpConnector();
    const diagnosis = await connector.testConnection();
    for (const c of diagnosis.checks) io.stdout(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}  ${c.detail}\n`);
    io.stdout(`${diagnosis.summary}\n`);
    if (!diagnosis.ok) return 1;
    let invoices = 0;
    for await (const page of connector.listOpenInvoices()) invoices += page.length;
    let customers = 0;
    for await (const page of connector.listCustomers()) customers += page.length;
    io.stdout(`PASS  read  ${invoices} open invoices, ${customers} customers\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
