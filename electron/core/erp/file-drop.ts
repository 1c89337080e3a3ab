import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErpError, isErpError } from './errors';
import { sleep } from './request-checks';

// Posting by import file: drop a file in the ERP's import folder once, then
// confirm by reading the document back. Shared by the Eclipse lock-box and
// abas MT940 modes. The importer moves a file it refused to `rejected/` with
// a `<name>.err` beside it; that convention is the sandboxes' and is
// documented per ERP.

export type FileDrop = Readonly<{ folder: string; fileName: string; content: () => string }>;

/** Writes the file unless one with that name is still waiting: never a second file per reference. */
export async function dropFileOnce(drop: FileDrop): Promise<'written' | 'already-waiting'> {
  const target = join(drop.folder, drop.fileName);
  if (existsSync(target)) return 'already-waiting';
  await mkdir(drop.folder, { recursive: true });
  const tmp = join(drop.folder, `.${drop.fileName}.tmp`);
  await writeFile(tmp, drop.content(), 'utf8');
  await rename(tmp, target); // atomic: the importer never sees half a file
  return 'written';
}

export type Confirmation<T> = Readonly<{
  folder: string;
  fileName: string;
  what: string;
  find(): Promise<T | null>;
  timeoutMs: number;
  pollMs: number;
}>;

export async function awaitImported<T>(c: Confirmation<T>): Promise<T> {
  const deadline = Date.now() + c.timeoutMs;
  const waiting = join(c.folder, c.fileName);
  const rejected = join(c.folder, 'rejected', c.fileName);
  for (;;) {
    const found = await c.find().catch((e: unknown) => {
      if (isErpError(e) && e.kind === 'transient') return null;
      throw e;
    });
    if (found) return found;
    if (existsSync(rejected) && !existsSync(waiting)) {
      const reason = (await readFile(`${rejected}.err`, 'utf8').catch(() => 'no reason given')).trim();
      throw new ErpError('validation', `The ERP rejected the import file ${c.fileName}: ${reason}`, { erpMessage: reason });
    }
    if (Date.now() >= deadline) {
      throw new ErpError('unknown_outcome', `The import file ${c.fileName} was dropped but ${c.what} did not appear within ${c.timeoutMs} ms; do not post again, look it up later`);
    }
    await sleep(c.pollMs);
  }
}
