import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { withWriteLock, type WriteDb } from '../store/db';
import { auditRowById, firstAuditRowWithAction, lastAuditHead } from '../store/queries/audit';
import type { AuditHead, AuditKey, AuditSecrets } from '../vault/audit-secrets';
import { appendAudit, AUDIT_HEAD_MISMATCH_ACTION, AUDIT_KEYED_ACTION, bindAuditKey, sameMac, verifyAudit } from './audit-log';

// Opening the audit trail for the engine: load (or create, sealing the legacy
// chain) the audit key from the OS keychain, bind it to the connection, check
// the keychain's anchored head against the table, and keep the anchor moving.
//
// The keychain is slow (a D-Bus round trip on Linux), so the anchor is not
// written inside the append: each committed append schedules one write of the
// newest committed head, later appends coalesce into the next write, and
// close() waits for it. Truncation of entries appended within that window
// (normally milliseconds; until the next write succeeds if the keychain fails)
// before a crash is not detectable.

export type AuditAnchor = Readonly<{
  /** Writes the newest committed head to the keychain now (engine close). */
  flush(): Promise<void>;
  close(): Promise<void>;
}>;

export class AuditKeyMissingError extends Error {
  constructor(keyedFrom: number) {
    super(
      `This data folder's audit trail is sealed (from entry ${keyedFrom}) with an audit key that is not in this computer's OS keychain. ` +
        'Tieout will not add entries it could not seal. Restore the keychain entry (service "Tieout", account "audit-key@<profile id>") from the computer that wrote this data folder.',
    );
    this.name = 'AuditKeyMissingError';
  }
}

function headMismatch(db: WriteDb, anchored: AuditHead | null): Readonly<{ anchored: AuditHead; found: AuditHead | null }> | null {
  if (!anchored) return null;
  const row = auditRowById(db, anchored.entry);
  if (row && sameMac(row.hash, anchored.mac)) return null;
  const last = lastAuditHead(db);
  return { anchored, found: last ? { entry: last.id, mac: last.hash } : null };
}

/**
 * The audit key from the keychain, or, on the first keyed open, a new one with
 * the legacy chain sealed under it. Sealing holds SQLite's write lock across
 * the keychain write, so two processes opening an unsealed trail at once
 * serialise: the second finds the seal and the first one's key.
 */
async function loadOrSealKey(db: WriteDb, secrets: AuditSecrets, clock: Clock): Promise<AuditKey> {
  for (;;) {
    const key = await secrets.getKey();
    const seal = firstAuditRowWithAction(db, AUDIT_KEYED_ACTION);
    if (key && seal) {
      if (seal.id !== key.keyedFrom) throw new Error(`The audit trail's seal is entry ${seal.id} but the OS keychain's audit key names entry ${key.keyedFrom}: the trail was rewritten. Run tieout audit verify.`);
      return key;
    }
    if (seal) throw new AuditKeyMissingError(seal.id);
    // A key without its seal: the seal never committed (a crash in between), or a copy
    // older than the seal was restored (the anchor check records that). Seal again.
    if (key && (lastAuditHead(db)?.id ?? 0) >= key.keyedFrom) {
      throw new Error(`The audit trail has entries where the seal (entry ${key.keyedFrom}) should be: the trail was rewritten. Run tieout audit verify.`);
    }
    const sealed = await withWriteLock(db, async () => {
      // Another process may have sealed while this one waited for the lock: start over with its key.
      if (firstAuditRowWithAction(db, AUDIT_KEYED_ACTION)) return null;
      // The legacy chain's state goes into the seal, so a chain already broken stays reported broken.
      const legacy = verifyAudit(db, { key: null, head: null });
      const fresh: AuditKey = { key: randomBytes(32), keyedFrom: (lastAuditHead(db)?.id ?? 0) + 1 };
      // In the keychain before any committed entry depends on it.
      await secrets.setKey(fresh);
      bindAuditKey(db, fresh);
      appendAudit(db, { actor: 'system', action: AUDIT_KEYED_ACTION, objectType: 'audit', objectId: 'chain', after: { legacyEntries: legacy.checked, legacyIntact: legacy.ok, legacyProblem: legacy.problem } }, clock);
      return fresh;
    });
    if (sealed) return sealed;
  }
}

export async function openKeyedAudit(options: { db: WriteDb; secrets: AuditSecrets; clock: Clock; logger: Logger }): Promise<AuditAnchor> {
  const { db, secrets, clock, logger } = options;
  const anchored = await secrets.getHead();
  // Checked before this open appends anything (the seal included).
  const mismatch = headMismatch(db, anchored);
  const key = await loadOrSealKey(db, secrets, clock);

  let closed = false;
  let written: AuditHead | null = anchored;
  let running: Promise<void> | null = null;
  let again = false;
  const writeHead = async (): Promise<void> => {
    if (!db.open) return;
    const head = lastAuditHead(db);
    if (!head || (written && written.entry === head.id && written.mac === head.hash)) return;
    const next = { entry: head.id, mac: head.hash };
    await secrets.setHead(next);
    written = next;
  };
  const run = async (): Promise<void> => {
    do {
      again = false;
      await writeHead();
    } while (again);
  };
  const schedule = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    // After the current synchronous work: an append inside a transaction is committed (or rolled back) by then.
    running = new Promise<void>((r) => setImmediate(r))
      .then(run)
      .catch((e: unknown) => logger.error(`audit anchor not written to the keychain: ${(e as Error).message}`))
      .finally(() => {
        running = null;
      });
  };

  bindAuditKey(db, key, schedule);
  if (mismatch) {
    logger.error(`audit trail does not match its keychain anchor (anchored entry ${mismatch.anchored.entry}, newest entry ${mismatch.found?.entry ?? 'none'}): recorded in the trail`);
    appendAudit(db, { actor: 'system', action: AUDIT_HEAD_MISMATCH_ACTION, objectType: 'audit', objectId: 'chain', after: mismatch }, clock);
  }
  schedule();

  const flush = async (): Promise<void> => {
    while (running) await running;
    await writeHead();
  };
  return {
    flush,
    async close() {
      await flush().catch((e: unknown) => logger.error(`audit anchor not written to the keychain: ${(e as Error).message}`));
      closed = true;
    },
  };
}
