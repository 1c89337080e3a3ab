import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { leaseOwnerId, machineName, ownerHasEnded, thisMachine } from '../../electron/core/remote-writes/lease';

// A lease left by a dead process of this machine is released at once; one of
// another workstation (a team workspace) only by time — even when the two
// machines share a host name, as cloned images and "localhost" do.

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('lease owners across workstations', () => {
  it('releases a dead process of this machine, never a live one or this one', () => {
    expect(ownerHasEnded(`${thisMachine()}:${deadPid()}:posting`)).toBe(true);
    expect(ownerHasEnded(leaseOwnerId('posting'))).toBe(false);
    expect(ownerHasEnded(`${thisMachine()}:${process.ppid}:posting`)).toBe(false);
  });

  it('leaves another workstation’s lease to expire, whatever its pid means here', () => {
    const pid = deadPid();
    expect(ownerHasEnded(`other-desk:${pid}:posting`)).toBe(false);
    // Same host name, another machine id: not this machine.
    expect(ownerHasEnded(`${machineName(hostname(), 'another-machine-id')}:${pid}:posting`)).toBe(false);
    // A machine named only by its host name (as every owner was before) is not this one when this one has a machine id.
    if (thisMachine() !== hostname()) expect(ownerHasEnded(`${hostname()}:${pid}:posting`)).toBe(false);
  });

  it('tells machines with one host name apart by their machine id', () => {
    expect(machineName('vm', 'a')).not.toBe(machineName('vm', 'b'));
    expect(machineName('vm', null)).toBe('vm');
    expect(leaseOwnerId('x').startsWith(`${thisMachine()}:${process.pid}:`)).toBe(true);
  });
});
