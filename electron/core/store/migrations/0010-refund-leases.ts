import type { Migration } from './migration';

// Refunds and voids are claimed with a lease (owner + expiry), as outbox rows
// are: a second app instance, or the engine's resume after a sync racing an
// explicit resume, must not pick up a refund another executor is still
// sending. An expired lease means "may have been sent": looked up first.
export const migration: Migration = {
  version: 10,
  name: 'refund leases',
  up(db) {
    db.exec(`
      ALTER TABLE refund_requests ADD COLUMN lease_owner TEXT;
      ALTER TABLE refund_requests ADD COLUMN lease_until TEXT;
    `);
  },
};
