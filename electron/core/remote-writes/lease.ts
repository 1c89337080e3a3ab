import { hostname } from 'node:os';

// Lease owners are "host:pid:label" so a lease left by a crashed process of
// this machine can be recognised and released at once instead of waiting for
// it to expire.

export function leaseOwnerId(label: string): string {
  return `${hostname()}:${process.pid}:${label}`;
}

/** Whether the owner is a process of this machine, other than this one, that no longer runs. */
export function ownerHasEnded(owner: string): boolean {
  const m = /^(.*):(\d+):[^:]*$/.exec(owner);
  if (!m) return false;
  const pid = Number(m[2]);
  return m[1] === hostname() && pid !== process.pid && !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
