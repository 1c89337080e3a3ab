import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

// Lease owners are "machine:pid:label" so a lease left by a crashed process of
// this machine can be recognised and released at once instead of waiting for
// it to expire. On a team workspace leases of other workstations expire by
// time only: two workstations must never take each other's processes for
// their own, and host names repeat (cloned images, "localhost"), so the
// machine is the host name and, where the OS has one, its machine id.

let machine: string | null = null;

/** This machine as lease owners name it: "host" or "host/<hash of the machine id>". */
export function thisMachine(): string {
  if (machine === null) machine = machineName(hostname(), readMachineId());
  return machine;
}

export function machineName(host: string, machineId: string | null): string {
  return machineId ? `${host}/${createHash('sha256').update(machineId).digest('hex').slice(0, 12)}` : host;
}

function readMachineId(): string | null {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id) return id;
    } catch {
      // Not on this OS (macOS, Windows): the host name alone.
    }
  }
  return null;
}

export function leaseOwnerId(label: string): string {
  return `${thisMachine()}:${process.pid}:${label}`;
}

/** Whether the owner is a process of this machine, other than this one, that no longer runs. */
export function ownerHasEnded(owner: string): boolean {
  const m = /^(.*):(\d+):[^:]*$/.exec(owner);
  if (!m) return false;
  const pid = Number(m[2]);
  return m[1] === thisMachine() && pid !== process.pid && !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
