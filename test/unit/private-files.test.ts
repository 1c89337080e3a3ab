import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStore } from '../../electron/core/store/db';
import { writePrivateFile } from '../../electron/core/private-files';
import { onWorkspace } from '../support/store-dialect';
import { saveSettings } from '../../electron/core/store/queries/settings';
import { defaultSettings } from '../../shared/settings';

// Issue 12 point 5: the data folder is 0700 and every file Tieout writes there
// (the SQLite store with its -wal and -shm, hand-off files, exports) is 0600,
// whatever the umask of the process that started Tieout.

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const originalUmask = process.umask();
afterEach(() => {
  process.umask(originalUmask);
});

describe.skipIf(process.platform === 'win32')('data folder and file modes (POSIX; Windows uses the profile folder ACLs)', () => {
  for (const umask of [0o022, 0o000]) {
    // SQLite-only: the modes of the store's own files (a workspace keeps none in the folder).
    it.skipIf(onWorkspace)(`umask ${umask.toString(8).padStart(3, '0')}: the store folder is 0700 and the database, -wal and -shm are 0600`, () => {
      process.umask(umask);
      const dataDir = join(mkdtempSync(join(tmpdir(), 'tieout-modes-')), 'data');
      const db = openStore(dataDir);
      try {
        saveSettings(db, defaultSettings()); // a write, so the WAL holds a frame
        const file = join(dataDir, DATABASE_FILE);
        expect(existsSync(`${file}-wal`) && existsSync(`${file}-shm`)).toBe(true);
        expect({ dir: mode(dataDir), db: mode(file), wal: mode(`${file}-wal`), shm: mode(`${file}-shm`) }).toEqual({ dir: '700', db: '600', wal: '600', shm: '600' });
        writePrivateFile(join(dataDir, 'export.csv'), 'a,b\n');
        expect(mode(join(dataDir, 'export.csv'))).toBe('600');
      } finally {
        db.close();
      }
    });
  }

  // SQLite-only: narrows the store file an older version left wide (a workspace keeps none in the folder).
  it.skipIf(onWorkspace)('narrows a folder and files an older version left readable by others', () => {
    process.umask(0o022);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tieout-modes-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    openStore(dataDir).close();
    const file = join(dataDir, DATABASE_FILE);
    chmodSync(file, 0o644);
    writeFileSync(join(dataDir, 'old-export.csv'), 'x', { mode: 0o666 });
    chmodSync(join(dataDir, 'old-export.csv'), 0o666);
    const db = openStore(dataDir);
    db.close();
    writePrivateFile(join(dataDir, 'old-export.csv'), 'y');
    expect({ dir: mode(dataDir), db: mode(file), export: mode(join(dataDir, 'old-export.csv')) }).toEqual({ dir: '700', db: '600', export: '600' });
  });
});
