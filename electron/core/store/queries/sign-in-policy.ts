import type { ReadDb, WriteDb } from '../db';

// The admin's sign-in rules (table sign_in_policy, migration 13): one row,
// absent until an admin saves it (then the defaults in auth/sign-in-policy.ts apply).

export function readSignInPolicy(db: ReadDb): { requireTwoStepForApprovers: boolean } | null {
  const row = db.prepare('SELECT require_two_step_for_approvers AS r FROM sign_in_policy WHERE id = 1').get() as { r: number } | undefined;
  return row ? { requireTwoStepForApprovers: row.r === 1 } : null;
}

export function writeSignInPolicy(db: WriteDb, policy: Readonly<{ requireTwoStepForApprovers: boolean }>, at: string, by: string): void {
  db.prepare(
    `INSERT INTO sign_in_policy (id, require_two_step_for_approvers, updated_at, updated_by) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET require_two_step_for_approvers = excluded.require_two_step_for_approvers, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(policy.requireTwoStepForApprovers ? 1 : 0, at, by);
}
