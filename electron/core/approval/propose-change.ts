import { appendAudit } from '../audit/audit-log';
import type { WriteDb } from '../store/db';
import { insertPendingChange, type NewPendingChange } from '../store/queries/pending-changes';

// The one way a change that loosens the controls is asked for: it is stored
// for a second admin (electron/core/approval/pending-changes.ts) and the
// request itself is audited; nothing of it applies yet.

/** Records a change for a second admin (inside the caller's transaction) and audits the proposal; returns its id. */
export function proposeChange(db: WriteDb, c: NewPendingChange): number {
  const id = insertPendingChange(db, c);
  appendAudit(db, { actor: c.requestedBy, action: 'change.proposed', objectType: 'pending_change', objectId: String(id), after: { kind: c.kind, target: c.target, summary: c.summary, change: c.change }, at: c.at });
  return id;
}
