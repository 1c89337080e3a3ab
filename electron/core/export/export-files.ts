import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimedExport, ExportFile } from '@shared/api/export';
import type { Clock } from '../clock';
import { ensurePrivateDir, touchPrivateFile } from '../private-files';

// Export files between "written" and "handed over": a private folder of the
// data folder (0700, files 0600), each file known by a one-time token bound to
// the user who asked for it. The shell claims a token once (web host: streams
// it as a download; desktop: copies it where the save dialog said) and
// deletes the file; unclaimed files go after EXPIRY_MS, and a new engine
// clears what an old one left behind.

export const EXPORT_EXPIRY_MS = 15 * 60 * 1000;

type Pending = Readonly<{ path: string; fileName: string; contentType: string; owner: string; createdAt: number }>;

export class ExportNotFound extends Error {
  override name = 'ExportNotFound';
}

export class ExportFiles {
  private readonly pending = new Map<string, Pending>();
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly clock: Clock,
  ) {
    this.dir = join(dataDir, 'exports-pending');
    if (existsSync(this.dir)) for (const f of readdirSync(this.dir)) rmSync(join(this.dir, f), { force: true });
  }

  /** A fresh private file for `owner`'s export; `write` fills it. The token is returned only once the file is complete. */
  async create(owner: string, fileName: string, contentType: string, write: (path: string) => Promise<number>): Promise<ExportFile> {
    this.expire();
    ensurePrivateDir(this.dir);
    const token = randomBytes(24).toString('base64url');
    const path = join(this.dir, `${token}.part`);
    touchPrivateFile(path);
    let rows: number;
    try {
      rows = await write(path);
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
    this.pending.set(token, { path, fileName, contentType, owner, createdAt: this.clock.now() });
    return { token, fileName, contentType, bytes: statSync(path).size, rows };
  }

  /** Hands the file over once, to the user who made it; the caller deletes it after use (see `release`). */
  claim(token: string, who: string): ClaimedExport {
    this.expire();
    const p = this.pending.get(token);
    // Someone else's token is answered like an unknown one: it reveals nothing.
    if (!p || p.owner !== who || !existsSync(p.path)) throw new ExportNotFound('This export is no longer available: export again.');
    this.pending.delete(token);
    return { path: p.path, fileName: p.fileName, contentType: p.contentType, bytes: statSync(p.path).size };
  }

  /** Deletes a claimed file (only files in the pending folder). */
  release(path: string): void {
    if (path.startsWith(this.dir)) rmSync(path, { force: true });
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [token, p] of this.pending) {
      if (now - p.createdAt <= EXPORT_EXPIRY_MS) continue;
      this.pending.delete(token);
      rmSync(p.path, { force: true });
    }
  }
}
