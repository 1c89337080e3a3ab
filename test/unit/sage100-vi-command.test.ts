import { describe, expect, it } from 'vitest';
import { optionDefaults } from '../../electron/core/erp/kind-module';
import { ErpError } from '../../electron/core/erp/errors';
import { sage100Module } from '../../electron/core/erp/sage100';
import { parseSage100Options } from '../../electron/core/erp/sage100/options';
import { PASSWORD_PLACEHOLDER, runViJob, viCommand, viCommandLine, viRunArgs } from '../../electron/core/erp/sage100/vi-command';

// The documented unattended VI command line (docs/erp/sage100.md): built from
// settings, shown with a placeholder, the password only in the runner's argv.

const options = (over: Record<string, string> = {}) =>
  parseSage100Options({ ...optionDefaults(sage100Module.optionFields), sageHomeFolder: 'C:\\Sage\\Sage 100\\MAS90\\Home', viJobProgram: 'viwi0a', companyCode: 'abc', ...over });

describe('Sage 100 Visual Integrator command line', () => {
  it('builds the documented line with a placeholder for the password', () => {
    const command = viCommand(options(), 'TIEOUT')!;
    expect(viCommandLine(command)).toBe(
      `"C:\\Sage\\Sage 100\\MAS90\\Home\\Pvxwin32.exe" ..\\Launcher\\sota.ini ..\\SOA\\Startup.M4P -ARG DIRECT UIOFF TIEOUT "${PASSWORD_PLACEHOLDER}" ABC VIWI0A AUTO`,
    );
    expect(command.cwd).toBe('C:\\Sage\\Sage 100\\MAS90\\Home');
  });

  it('is null until home folder, job and company are set; refuses a job name or company that is not a plain code', () => {
    expect(viCommand(options({ viJobProgram: '' }), 'TIEOUT')).toBeNull();
    expect(() => options({ viJobProgram: 'VIWI0A & del *' })).toThrow(ErpError);
    expect(() => options({ companyCode: 'AB"C' })).toThrow(ErpError);
    expect(() => viCommand(options(), 'two words')).toThrow(ErpError);
  });

  it('the runner alone puts the password in the argv; a failure names job and exit code, never the password', async () => {
    const command = viCommand(options(), 'TIEOUT')!;
    expect(viRunArgs(command, 's3cret pw')).toContain('s3cret pw');
    expect(viRunArgs(command, '')).toContain('""');
    let seen: readonly string[] = [];
    await runViJob(command, 's3cret pw', async (_program, args) => {
      seen = args;
      return { exitCode: 0 };
    });
    expect(seen[6]).toBe('s3cret pw');
    const e = await runViJob(command, 's3cret pw', async () => ({ exitCode: 3 })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ErpError);
    expect((e as ErpError).message).toContain('VIWI0A');
    expect((e as ErpError).message).not.toContain('s3cret');
    expect(viCommandLine(command)).not.toContain('s3cret');
  });
});
