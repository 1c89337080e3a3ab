import type { ErpConnector, ErpDiscoveryFact, ErpKind } from '../core/erp/connector';
import { buildConformanceSeed } from '../sandboxes/conformance/conformance-seed';
import { CONFORMANCE_TARGETS } from '../sandboxes/conformance/conformance-targets';
import { formatConformanceLine, runConformance } from '../sandboxes/conformance/conformance-runner';
import { erpModule } from '../core/erp/registry';
import { systemClock } from '../core/clock';
import { loadSettings } from '../core/store/queries/settings';
import { createCredentialVault } from '../core/vault/credential-vault';
import type { Io } from './tieout';
import { withReadOnlyFolder } from './read-only';

// `tieout erp check`: with --sandbox, the shared conformance scenarios against
// that ERP's sandbox; without, read-only checks against the configured connection,
// with the data folder opened read-only (a running app or demo is left as it is).

/** "FOUND  services  CashReceipt, Invoice, …  (setting receiptServiceName)": what the system says about what public evidence left open. */
export function formatDiscoveryLine(f: ErpDiscoveryFact): string {
  const tag = f.ok === false ? 'CHECK' : 'FOUND';
  return `${tag}  ${f.name}  ${f.value}${f.setting ? `  (setting ${f.setting})` : ''}`;
}

async function printDiscovery(connector: ErpConnector, io: Io): Promise<void> {
  if (!connector.discover) return;
  try {
    for (const f of await connector.discover()) io.stdout(`${formatDiscoveryLine(f)}\n`);
  } catch (e) {
    io.stdout(`CHECK  discovery  could not finish: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

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
    // What the discovery prints against a real system, shown here against the sandbox.
    const harness = await target.start(buildConformanceSeed());
    try {
      const connector = harness.connector();
      await printDiscovery(connector, io);
    } finally {
      await harness.close();
    }
    return failed > 0 ? 1 : 0;
  }

  return withReadOnlyFolder(options.dataDir, async ({ db, profileId, secretStore }) => {
    const settings = loadSettings(db).erp;
    if (options.kind && options.kind !== settings.kind) {
      io.stderr(`tieout: this data folder is configured for ${settings.kind}, not ${options.kind} (change it in Settings, or use --sandbox)\n`);
      return 2;
    }
    const credentials = profileId ? await createCredentialVault(secretStore, profileId).get('erp') : null;
    if (!credentials) {
      io.stderr('tieout: no ERP credentials are set for this data folder. Enter them in Settings.\n');
      return 2;
    }
    const connector = erpModule(settings.kind).createConnector({ baseUrl: settings.baseUrl, options: settings.options, credentials, timeoutMs: 60_000, clock: systemClock });
    try {
      const diagnosis = await connector.testConnection();
      for (const c of diagnosis.checks) io.stdout(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}  ${c.detail}\n`);
      io.stdout(`${diagnosis.summary}\n`);
      if (!diagnosis.ok) return 1;
      let invoices = 0;
      for await (const page of connector.listOpenInvoices()) invoices += page.length;
      let customers = 0;
      for await (const page of connector.listCustomers()) customers += page.length;
      io.stdout(`PASS  read  ${invoices} open invoices, ${customers} customers\n`);
      await printDiscovery(connector, io);
      return 0;
    } finally {
      await connector.close().catch(() => {});
    }
  });
}
