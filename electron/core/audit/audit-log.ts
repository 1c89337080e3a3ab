import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry } from '@shared/domain';
import { systemClock, type Clock } from '../clock';
import type { ReadDb, WriteDb } from '../store/db';
import {
  auditEntriesBetween,
  auditEntriesFor,
  auditRowById,
  firstAuditRowWithAction,
  insertAuditRow,
  iterateAuditRows,
  lastAuditHead,
  type AuditRow,
} from '../store/queries/audit';
import type { AuditHead, AuditKey } from '../vault/audit-secrets';

// Append-only audit trail, chained and keyed. Each entry carries the previous
// entry's MAC; from the `audit.keyed` seal on, its own MAC is an HMAC-SHA256
// under a key held in the OS keychain (never in SQLite), so whoever can edit
// the database file but not the keychain can neither alter an entry nor
// re-chain the trail after one. Entries written before the key existed keep
// their plain sha256 chain (the legacy prefix); the seal's MAC covers the last
// legacy hash, so rewriting that prefix breaks the keyed part too. The newest
// head is anchored in the keychain as well (audit-anchor.ts), which is what
// catches truncation and a restored older copy. What each check proves:
// docs/security/audit.md. Callers must never put secrets or card numbers in
// `before`/`after`.

export type AuditInput = Readonly<{
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  before?: unknown;
  after?: unknown;
  at?: string;
}>;

/** The seal entry: the first keyed entry (entries before it are the legacy sha256 chain). */
export const AUDIT_KEYED_ACTION = 'audit.keyed';
/** Recorded by the engine when the keychain anchor does not match the trail it opens. */
export const AUDIT_HEAD_MISMATCH_ACTION = 'audit.head_mismatch';

const GENESIS = '0'.repeat(64);

type RowContent = Omit<AuditRow, 'hash' | 'prev_hash'>;

export function legacyHash(prevHash: string, row: RowContent): string {
  const canonical = JSON.stringify([prevHash, row.at, row.actor, row.action, row.object_type, row.object_id, row.before_json, row.after_json]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The keyed MAC of one entry: its number, the previous MAC and every field. */
export function entryMac(key: Buffer, prevMac: string, row: RowContent): string {
  const canonical = JSON.stringify(['tieout-audit-hmac-v1', row.id, prevMac, row.at, row.actor, row.action, row.object_type, row.object_id, row.before_json, row.after_json]);
  return createHmac('sha256', key).update(canonical).digest('hex');
}

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

type Binding = Readonly<{ key: AuditKey; onAppended: () => void }>;

// The key is bound to the connection the engine opened, so the many callers of
// appendAudit (each passing only a WriteDb) seal their entries without knowing.
const bindings = new WeakMap<object, Binding>();
const keyedChains = new WeakMap<object, boolean>();

/** Seals every later append on this connection under `key`; `onAppended` runs after each append (the anchor writer). */
export function bindAuditKey(db: ReadDb, key: AuditKey, onAppended: () => void = () => {}): void {
  bindings.set(db, { key, onAppended });
  keyedChains.set(db, true);
}

export function boundAuditKey(db: ReadDb): AuditKey | null {
  return bindings.get(db)?.key ?? null;
}

function chainIsKeyed(db: ReadDb): boolean {
  let keyed = keyedChains.get(db);
  if (keyed === undefined) {
    keyed = firstAuditRowWithAction(db, AUDIT_KEYED_ACTION) !== null;
    keyedChains.set(db, keyed);
  }
  return keyed;
}

export function appendAudit(db: WriteDb, input: AuditInput, clock: Clock = systemClock): number {
  const binding = bindings.get(db);
  const write = (): number => {
    const head = lastAuditHead(db);
    const prevHash = head?.hash ?? GENESIS;
    const row: RowContent = {
      id: (head?.id ?? 0) + 1,
      at: input.at ?? clock.iso(),
      actor: input.actor,
      action: input.action,
      object_type: input.objectType,
      object_id: input.objectId,
      before_json: input.before === undefined ? null : JSON.stringify(input.before),
      after_json: input.after === undefined ? null : JSON.stringify(input.after),
    };
    let hash: string;
    if (binding) hash = entryMac(binding.key.key, prevHash, row);
    else if (chainIsKeyed(db)) throw new Error('This audit trail is sealed with the audit key: entries can only be added by the engine, which holds the key');
    else hash = legacyHash(prevHash, row);
    return insertAuditRow(db, { ...row, prev_hash: prevHash, hash });
  };
  // Read-the-head-then-insert under the write lock, so two processes never fork the chain.
  const id = db.inTransaction ? write() : db.transaction(write).immediate();
  binding?.onAppended();
  return id;
}

/** What verification trusts besides the table: the key and the anchored head from the keychain. */
export type AuditTrust = Readonly<{ key: AuditKey | null; head: AuditHead | null }>;

export type AuditVerification = Readonly<{
  ok: boolean;
  /** Entries whose MAC (or legacy hash) and link checked out. */
  checked: number;
  /** Of those, entries sealed under the key. */
  keyed: number;
  firstBrokenId: number | null;
  problem: string | null;
  /** The table's newest entry. */
  head: AuditHead | null;
  /** How the keychain anchor compares: matched (the newest entry), behind (an earlier entry, within the anchoring lag), absent, or not checked. */
  anchor: 'matched' | 'behind' | 'absent' | 'not checked';
}>;

function broken(checked: number, keyed: number, id: number | null, problem: string, head: AuditHead | null = null): AuditVerification {
  return { ok: false, checked, keyed, firstBrokenId: id, problem, head, anchor: 'not checked' };
}

/**
 * Walks the whole trail. With `trust` (the keychain's key and head), checks
 * every keyed MAC and the anchored head; without it, uses the key the engine
 * bound to this connection, if any (then the head is not checked).
 */
export function verifyAudit(db: ReadDb, trust?: AuditTrust): AuditVerification {
  const key = trust ? trust.key : boundAuditKey(db);
  const anchored = trust?.head ?? null;
  const keyedFrom = key?.keyedFrom ?? firstAuditRowWithAction(db, AUDIT_KEYED_ACTION)?.id ?? null;
  let prev = GENESIS;
  let checked = 0;
  let keyed = 0;
  let last: AuditRow | null = null;
  let lostEntries: AuditRow | null = null;
  for (const row of iterateAuditRows(db)) {
    if (row.prev_hash !== prev) return broken(checked, keyed, row.id, `entry ${row.id} does not follow the previous entry (a row was removed or reordered)`);
    if (keyedFrom !== null && row.id >= keyedFrom) {
      if (!key) return broken(checked, keyed, row.id, `entries from ${keyedFrom} on are sealed with the audit key, which is not available here (run tieout audit verify where the OS keychain holds it)`);
      if (row.id === keyedFrom && row.action !== AUDIT_KEYED_ACTION) return broken(checked, keyed, row.id, `entry ${row.id} should be the audit seal (${AUDIT_KEYED_ACTION}) the keychain names: the trail was rewritten`);
      if (!sameMac(entryMac(key.key, prev, row), row.hash)) return broken(checked, keyed, row.id, `entry ${row.id} was altered or re-chained after it was written (its MAC does not match the audit key)`);
      keyed += 1;
    } else if (legacyHash(prev, row) !== row.hash) {
      return broken(checked, keyed, row.id, `entry ${row.id} was altered after it was written`);
    }
    if (row.action === AUDIT_HEAD_MISMATCH_ACTION) lostEntries ??= row;
    prev = row.hash;
    last = row;
    checked += 1;
  }
  const head = last ? { entry: last.id, mac: last.hash } : null;
  if (key && (last?.id ?? 0) < key.keyedFrom) {
    return broken(checked, keyed, null, `the keyed part of the trail (from entry ${key.keyedFrom}) is missing: it was removed or an older copy of the database was restored`, head);
  }
  let anchor: AuditVerification['anchor'] = 'not checked';
  if (trust) {
    if (!anchored) anchor = 'absent';
    else {
      const row = auditRowById(db, anchored.entry);
      if (!row) {
        return broken(checked, keyed, null, `the trail ends at entry ${last?.id ?? 0} but the keychain anchor records entry ${anchored.entry}: the newest entries were removed or an older copy of the database was restored`, head);
      }
      if (!sameMac(row.hash, anchored.mac)) {
        return broken(checked, keyed, row.id, `entry ${row.id} is not the one anchored in the keychain: the trail was rewritten or an older copy of the database was restored`, head);
      }
      anchor = anchored.entry === last?.id ? 'matched' : 'behind';
    }
  }
  if (lostEntries) {
    return { ...broken(checked, keyed, lostEntries.id, `entry ${lostEntries.id} records that the trail did not match its keychain anchor when it was opened (entries were lost or an older copy restored): ${lostEntries.after_json ?? ''}`, head), anchor };
  }
  return { ok: true, checked, keyed, firstBrokenId: null, problem: null, head, anchor };
}

export function auditFor(db: ReadDb, objectType: string, objectId: string): AuditEntry[] {
  return auditEntriesFor(db, objectType, objectId);
}

export function auditBetween(db: ReadDb, fromIso: string, toIso: string): AuditEntry[] {
  return auditEntriesBetween(db, fromIso, toIso);
}
