import { z } from 'zod';
import { defaultErpMapping, erpMappingSchema, type ErpMapping } from '@shared/erp-mapping';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';
import { systemClock } from '../../clock';

// Versioned mapping per ERP kind, kept in the settings table under
// "erp_mapping:<kind>:<version>" so earlier versions stay readable.

export type MappingVersion = Readonly<{ version: number; savedAt: string; savedBy: string; mapping: ErpMapping }>;

const prefix = (kind: string) => `erp_mapping:${kind}:`;

// A mapping saved before a field existed reads with that field's default (erpMappingSchema).
const mappingVersionSchema = z.object({ version: z.number().int(), savedAt: z.string(), savedBy: z.string(), mapping: erpMappingSchema });

export function mappingHistory(db: ReadDb, kind: string): MappingVersion[] {
  const rows = db.prepare('SELECT key, value FROM settings WHERE key LIKE ?').all(`${prefix(kind)}%`) as Array<{ key: string; value: string }>;
  return rows
    .map((r): MappingVersion => parseJsonColumn(mappingVersionSchema, r.value, `settings.value (${r.key})`))
    .sort((a, b) => b.version - a.version);
}

export function currentMapping(db: ReadDb, kind: string): MappingVersion {
  return mappingHistory(db, kind)[0] ?? { version: 0, savedAt: '', savedBy: '', mapping: defaultErpMapping() };
}

export function saveMapping(db: WriteDb, kind: string, mapping: ErpMapping, savedBy: string, now = systemClock.iso()): MappingVersion {
  const valid = erpMappingSchema.parse(mapping);
  return db.transaction(() => {
    const version = currentMapping(db, kind).version + 1;
    const entry: MappingVersion = { version, savedAt: now, savedBy, mapping: valid };
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run(`${prefix(kind)}${String(version).padStart(6, '0')}`, JSON.stringify(entry), now);
    return entry;
  })();
}
