import { basename } from 'node:path';
import type { ErpDiscoveryFact } from '../connector';
import { isErpError } from '../errors';
import { MAPPABLE_FIELDS, REQUIRED_FIELDS } from './mapping';
import type { FileOptions } from './options';
import { readRows } from './row-source';

// `tieout erp check` for a File connection: the open AR file's real header
// next to what the column mapping expects, so a site sees a renamed or missing
// column before the first sync refuses the file.

async function headerOf(options: FileOptions): Promise<readonly string[] | null> {
  for await (const row of readRows(options.openArPath, options.format, { delimiter: options.csvDelimiter, sheetName: options.sheetName })) {
    return row.cells.map((c) => c.trim());
  }
  return null;
}

export async function discoverFile(options: FileOptions): Promise<readonly ErpDiscoveryFact[]> {
  const file = basename(options.openArPath);
  let header: readonly string[] | null;
  try {
    header = await headerOf(options);
  } catch (e) {
    return [{ name: 'open AR header', value: `${file}: ${isErpError(e) ? e.message : String(e)}`, ok: false, setting: 'openArFile' }];
  }
  if (!header) return [{ name: 'open AR header', value: `${file} is empty`, ok: false, setting: 'openArFile' }];
  const present = new Set(header.map((h) => h.toLowerCase()));
  const facts: ErpDiscoveryFact[] = [{ name: 'open AR header', value: `${file}: ${header.join(', ')}` }];
  for (const field of MAPPABLE_FIELDS) {
    const column = options.mapping[field];
    if (!column) continue;
    const found = present.has(column.trim().toLowerCase());
    const required = REQUIRED_FIELDS.includes(field);
    if (found || required) facts.push({ name: `column ${field}`, value: found ? `"${column}" found` : `"${column}" missing (required)`, ok: found, setting: 'columnMapping' });
  }
  facts.push({ name: 'receipts folder', value: options.outputFolder, setting: 'outputFolder' });
  return facts;
}
