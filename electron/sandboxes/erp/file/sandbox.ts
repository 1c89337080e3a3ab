import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { OpenInvoice } from '@shared/domain';
import { centsToDecimalString, parseDecimalToCents } from '@shared/money';
import type { ErpSandboxSeed, RunningErpSandbox } from '../sandbox-types';
import { formatTerms } from '../../../core/erp/terms';

// The File connector's sandbox: a temp folder holding open-ar.csv written
// from the seed, and a receipts/ folder. Ground truth is computed by reading
// the exported files independently, as the receiving ERP's import would.

export const OPEN_AR_HEADER = ['invoice_no', 'customer_id', 'customer_name', 'invoice_date', 'due_date', 'amount', 'open_balance', 'currency', 'po_no', 'terms'] as const;

export function renderOpenArCsv(invoices: readonly OpenInvoice[]): string {
  return stringify(
    [
      [...OPEN_AR_HEADER],
      ...invoices.map((i) => [
        i.invoiceNo, i.customerId, i.customerName ?? '', i.invoiceDate, i.dueDate ?? '',
        centsToDecimalString(i.amountCents), centsToDecimalString(i.openBalanceCents), i.currency, i.poNo,
        // Terms as a clerk's export writes them; an open credit is just a negative open_balance.
        i.terms ? formatTerms(i.terms) : i.openBalanceCents > 0 ? 'Net 30' : '',
      ]),
    ],
    { record_delimiter: '\n' },
  );
}

export type FileSandbox = RunningErpSandbox &
  Readonly<{
    folder: string;
    openArPath: string;
    receiptsFolder: string;
    /** Cuts open-ar.csv in the middle of a row until restoreOpenAr(). */
    truncateOpenAr(): Promise<void>;
    restoreOpenAr(): Promise<void>;
    /** Renames a header column of open-ar.csv (a site's export layout changed) until restoreOpenAr(). */
    renameOpenArColumn(from: string, to: string): Promise<void>;
    /** Replaces the receipts folder with a plain file (a setting pointing at a file) until restoreReceiptsFolder(). */
    breakReceiptsFolder(): Promise<void>;
    /**
     * Makes the receipts folder unresolvable (a symlink to itself: ELOOP, standing in for the
     * EIO/ENOENT of a share that went away) until restoreReceiptsFolder().
     */
    dropReceiptsShare(): Promise<void>;
    restoreReceiptsFolder(): Promise<void>;
    /** Exported receipt files that carry this reference (read independently of the connector). */
    countReceipts(reference: string): Promise<number>;
    /** Seed balance minus what exported receipts apply: what the ERP holds after importing them. */
    openBalance(invoiceNo: string): Promise<number | null>;
  }>;

export async function startFileSandbox(seed: ErpSandboxSeed): Promise<FileSandbox> {
  const ownDir = seed.workDir === undefined;
  const folder = seed.workDir ?? (await mkdtemp(join(tmpdir(), 'tieout-file-erp-')));
  const openArPath = join(folder, 'open-ar.csv');
  const receiptsFolder = join(folder, 'receipts');
  const pristine = join(folder, '.open-ar.pristine.csv');
  const parked = join(folder, '.receipts.parked');
  await writeFile(openArPath, renderOpenArCsv(seed.invoices));
  await copyFile(openArPath, pristine);
  let broken = false;
  const balances = new Map(seed.invoices.map((i) => [i.invoiceNo, i.openBalanceCents as number]));

  async function exportedRows(): Promise<Array<Record<string, string>>> {
    // While the folder is broken, ground truth is what the parked folder holds.
    const folderNow = broken ? parked : receiptsFolder;
    if (!existsSync(folderNow)) return [];
    const names = (await readdir(folderNow)).filter((n) => n.startsWith('receipt-') && n.endsWith('.csv'));
    const rows: Array<Record<string, string>> = [];
    for (const n of names) rows.push(...(parse(await readFile(join(folderNow, n), 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>));
    return rows;
  }

  return {
    baseUrl: folder,
    options: { openArFile: 'open-ar.csv', outputFolder: 'receipts' },
    credentials: { username: '', password: '' },
    folder,
    openArPath,
    receiptsFolder,
    truncateOpenAr: async () => {
      const text = await readFile(pristine, 'utf8');
      await writeFile(openArPath, text.slice(0, Math.floor(text.length / 2)));
    },
    restoreOpenAr: () => copyFile(pristine, openArPath),
    renameOpenArColumn: async (from, to) => {
      const text = await readFile(pristine, 'utf8');
      const newline = text.indexOf('\n');
      const header = text.slice(0, newline).split(',').map((c) => (c === from ? to : c));
      await writeFile(openArPath, `${header.join(',')}${text.slice(newline)}`);
    },
    breakReceiptsFolder: async () => {
      if (broken) return;
      broken = true;
      if (existsSync(receiptsFolder)) await rename(receiptsFolder, parked);
      await writeFile(receiptsFolder, 'not a folder');
    },
    dropReceiptsShare: async () => {
      if (broken) return;
      broken = true;
      if (existsSync(receiptsFolder)) await rename(receiptsFolder, parked);
      await symlink('receipts', receiptsFolder);
    },
    restoreReceiptsFolder: async () => {
      if (!broken) return;
      broken = false;
      await rm(receiptsFolder, { force: true });
      if (existsSync(parked)) await rename(parked, receiptsFolder);
    },
    countReceipts: async (reference) => {
      const refs = new Set((await exportedRows()).filter((r) => r['reference'] === reference).map((r) => r['reference']));
      return refs.size;
    },
    openBalance: async (invoiceNo) => {
      const start = balances.get(invoiceNo);
      if (start === undefined) return null;
      let open = start;
      // What the receiving ERP's import does: the cash, the discount and the write-off all close the invoice;
      // a negative line uses up the credit memo it names.
      const amount = (v: string | undefined): number => (v ? parseDecimalToCents(v) : 0);
      for (const r of await exportedRows()) {
        if (r['invoice_no'] === invoiceNo) open -= amount(r['applied_amount']) + amount(r['discount_amount']) + amount(r['write_off_amount']);
      }
      return open === 0 ? null : open;
    },
    close: async () => {
      if (ownDir) await rm(folder, { recursive: true, force: true });
    },
  };
}
