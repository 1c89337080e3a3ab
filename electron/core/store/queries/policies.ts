import { z } from 'zod';
import { cents } from '@shared/money';
import type { ReadDb, WriteDb } from '../db';
import { systemClock, type Clock } from '../../clock';
import { parseJsonColumn, StoredDataError } from '../json-column';

// The admin-set rules (table policies, migration 8), one JSON row per policy.
// A stored policy may predate a field: readers merge what is stored over the
// code's defaults, so every field is optional here.

const centsField = z.number().int().transform(cents);

const storedPolicySchemas = {
  controls: z
    .object({
      reasonCodes: z.array(z.string()).readonly(),
      approvalAboveCents: centsField,
      toleranceCents: centsField,
      secondApproverAboveCents: centsField,
      adminAboveCents: centsField,
    })
    .partial(),
  refunds: z
    .object({
      reasonCodes: z.array(z.string()).readonly(),
      secondApproverAboveCents: centsField,
      adminAboveCents: centsField,
    })
    .partial(),
  /** The idle lock (minutes without activity before a session locks). */
  session: z.object({ idleMinutes: z.number().positive() }).partial(),
} as const;

export type PolicyName = keyof typeof storedPolicySchemas;
export type StoredPolicy<N extends PolicyName> = z.infer<(typeof storedPolicySchemas)[N]>;

/** The stored policy, or null when none was ever saved. Throws StoredDataError when the row does not parse. */
export function readPolicy<N extends PolicyName>(db: ReadDb, name: N): StoredPolicy<N> | null {
  const row = db.prepare('SELECT json FROM policies WHERE name = ?').get(name) as { json: string } | undefined;
  if (!row) return null;
  return parseJsonColumn(storedPolicySchemas[name], row.json, `policies.json (${name})`) as StoredPolicy<N>;
}

export function writePolicy<N extends PolicyName>(db: WriteDb, name: N, policy: StoredPolicy<N>, at: string, by: string | null): void {
  db.prepare(
    `INSERT INTO policies (name, json, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(name, JSON.stringify(policy), at, by);
}

/**
 * A policy read over its defaults and saved whole: what every admin-set policy
 * with defaults in code does. A damaged stored policy falls back to the
 * defaults rather than blocking the work it limits (approvals, refunds).
 */
export function storedPolicy<N extends PolicyName, P extends StoredPolicy<N>>(name: N, defaults: P) {
  return {
    defaults,
    load(db: ReadDb): P {
      try {
        return { ...defaults, ...readPolicy(db, name) };
      } catch (e) {
        if (e instanceof StoredDataError) return defaults;
        throw e;
      }
    },
    save(db: WriteDb, policy: P, by: string | null = null, clock: Clock = systemClock): void {
      writePolicy(db, name, policy, clock.iso(), by);
    },
  };
}
