import { describe, expect, it } from 'vitest';
import { runTeamChaos } from '../chaos/run-team-chaos';
import { testWorkspaceUrl } from '../../electron/core/store/pg/open-workspace';

// Three workstations on one PostgreSQL workspace (a cluster of its own), each
// engine process SIGKILLed mid-posting and restarted, under the ERP fault plan.
// It starts its own cluster, so the PostgreSQL project (every store already a
// workspace) would only run it a second time.
describe.skipIf(testWorkspaceUrl() !== null)('exactly-once posting across workstations', () => {
  it('three engine processes sharing a workspace, killed at random under faults: every receipt booked once, none lost', async () => {
    const r = await runTeamChaos({ seed: 14, receipts: 40, killsPerStation: 3 });
    console.log(
      `team chaos: receipts expected ${r.expected}, posted ${r.posted}, duplicates ${r.duplicates}, lost ${r.lost}, ERP postings committed ${r.erpCommitted};` +
        ` workstations posted ${r.postedBy.join(' / ')} (${r.postedAfterChaos} after the chaos), ${r.foundByLookUp} found by look-up, ${r.killsDone} kills, ${r.seconds} s`,
    );
    expect(r.expected).toBe(40);
    expect(r.duplicates).toBe(0);
    expect(r.lost).toBe(0);
    expect(r.posted).toBe(40);
    // The ERP's own count of receipts it booked, lost replies included: one per approval.
    expect(r.erpCommitted).toBe(40);
    // The read-only CLI on a joined folder sees the workspace.
    expect(r.statusPosted).toBe(40);
    // Real contention: the kills happened and every workstation posted some of the receipts.
    expect(r.killsDone).toBeGreaterThanOrEqual(3);
    expect(r.postedBy).toHaveLength(3);
    for (const n of r.postedBy) expect(n).toBeGreaterThan(0);
  }, 180_000);
});
