// One workstation's scripted reviewer for the team bench (scripts/bench-team.ts):
// its own workspace connection (PgDatabase, as a joined data folder's engine
// opens it) approving one payment per decision through the engine's approval
// transaction (approveMatches: decision, allocations, outbox row, snapshot,
// learning and audit entry in one transaction under the writer lock), as fast
// as it can for the given time. Run as a child process: argv is
// <workstation> <seconds> and the workspace URL comes on stdin (it carries the
// password); the result is one JSON line on stdout.
//
// Also used in-process by the SQLite baseline (reviewLoop).

import { performance } from 'node:perf_hooks';
import type { WriteDb } from '../electron/core/store/db';
import { approveMatches } from '../electron/core/approval/approve';
import { openWorkspaceDb } from '../electron/core/store/pg/open-workspace';

export const WORKSTATIONS = 10;
export const MERCHANT_ZONE = 'America/Chicago';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/**
 * The payments a workstation reviews: every WORKSTATIONS-th approvable row
 * from its own offset, and one in ten of its neighbour's too (two clerks on the
 * same payment: the later one is told it is already approved).
 */
export function rowsFor(workstation: number, approvable: readonly number[]): number[] {
  const own = approvable.filter((_, i) => i % WORKSTATIONS === workstation);
  const neighbour = approvable.filter((_, i) => i % WORKSTATIONS === (workstation + 1) % WORKSTATIONS).filter((_, i) => i % 10 === 0);
  const rows: number[] = [];
  // Interleaved, so the overlap happens while both are working.
  for (let i = 0; i < own.length; i++) {
    rows.push(own[i]!);
    if (i % 10 === 0 && neighbour[i / 10] !== undefined) rows.push(neighbour[i / 10]!);
  }
  return rows;
}

export type ReviewResult = {
  workstation: number;
  approved: number;
  alreadyTaken: number;
  seconds: number;
  /** How long each decision took to commit, ms. */
  decisionMs: number[];
  /** [transaction id, wall-clock ms when its approval had committed] per approval. */
  commits: Array<[number, number]>;
};

/** One reviewer's decisions until `until` (wall ms) or its rows run out; `pace` lets an in-process caller interleave reviewers. */
export function reviewStep(db: WriteDb, state: { next: number; rows: readonly number[]; result: ReviewResult }, actor: string): boolean {
  const id = state.rows[state.next++];
  if (id === undefined) return false;
  const t0 = wallMs();
  const outcome = approveMatches(db, [id], actor, MERCHANT_ZONE);
  const t1 = wallMs();
  state.result.decisionMs.push(t1 - t0);
  if (outcome.approved.length === 1) {
    state.result.approved += 1;
    state.result.commits.push([id, t1]);
  } else state.result.alreadyTaken += 1;
  return true;
}

export function newResult(workstation: number): ReviewResult {
  return { workstation, approved: 0, alreadyTaken: 0, seconds: 0, decisionMs: [], commits: [] };
}

async function main(): Promise<void> {
  const workstation = Number(process.argv[2]);
  const seconds = Number(process.argv[3]);
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const { url, approvable, startAt } = JSON.parse(input) as { url: string; approvable: number[]; startAt: number };
  const db = openWorkspaceDb({ connectionString: url, ssl: false, applicationName: `tieout bench workstation ${workstation}` }) as unknown as WriteDb;
  const state = { next: 0, rows: rowsFor(workstation, approvable), result: newResult(workstation) };
  // All workstations start together.
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - wallMs())));
  const started = wallMs();
  const until = started + seconds * 1000;
  while (wallMs() < until && reviewStep(db, state, `clerk-${workstation + 1}`)) {
    // One decision after another, as fast as the workspace takes them.
  }
  state.result.seconds = (wallMs() - started) / 1000;
  (db as unknown as { close(): void }).close();
  process.stdout.write(`${JSON.stringify(state.result)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`bench-team-reviewer: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
}
