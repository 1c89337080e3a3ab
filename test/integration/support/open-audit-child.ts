// A separate process opening a data folder's audit trail the way the engine
// does, then appending one entry (cli-audit.test.ts starts two at once). The
// keychain write of a new key is slowed down so that two first opens overlap.
import { openKeyedAudit } from '../../../electron/core/audit/audit-anchor';
import { appendAudit } from '../../../electron/core/audit/audit-log';
import { systemClock } from '../../../electron/core/clock';
import { silentLogger } from '../../../electron/core/log/logger';
import { openStore } from '../../../electron/core/store/db';
import { saveProfileId } from '../../../electron/core/store/queries/app-identity';
import { createAuditSecrets } from '../../../electron/core/vault/audit-secrets';
import { keytarSecretStore } from '../../../electron/core/vault/keytar-store';

async function main(): Promise<void> {
  const [dataDir, profileId, name] = process.argv.slice(2) as [string, string, string];
  const db = openStore(dataDir);
  saveProfileId(db, profileId);
  const secrets = createAuditSecrets(keytarSecretStore(), profileId);
  const slowSecrets = { ...secrets, setKey: async (k: Parameters<typeof secrets.setKey>[0]) => (await new Promise((r) => setTimeout(r, 400)), secrets.setKey(k)) };
  const anchor = await openKeyedAudit({ db, secrets: slowSecrets, clock: systemClock, logger: silentLogger });
  appendAudit(db, { actor: name, action: 'test.opened', objectType: 'process', objectId: name });
  await anchor.close();
  db.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  },
);
