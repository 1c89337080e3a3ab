import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { ErpError } from '../errors';
import type { Sage100Options } from './options';

// The unattended Visual Integrator run, as Sage documents it for MAS 90 4.x and
// later ("Running Visual Integrator From the Command Line"; the same argument
// order in daveamato/Sage100-Job-Automator Integrator.cs):
//   <MAS90>\Home\Pvxwin32.exe ..\Launcher\sota.ini ..\SOA\Startup.M4P
//     -ARG DIRECT <UION|UIOFF> <user> <password> <company> <VIWIxx> <AUTO|MANUAL>
// UIOFF: no message boxes (nobody is there to click them); AUTO: run without the
// Accept button. The password is never part of what Tieout shows or logs: the
// line carries a placeholder and only the runner puts the keychain's password
// into the argument list, which goes to the process and nowhere else.

export const PASSWORD_PLACEHOLDER = '<password from the keychain>';
export const PVXWIN32 = 'Pvxwin32.exe';

export type ViCommand = Readonly<{
  /** Working directory: the MAS90\Home folder (the relative ..\Launcher and ..\SOA paths resolve from it). */
  cwd: string;
  program: string;
  /** Arguments with PASSWORD_PLACEHOLDER where the password goes. */
  args: readonly string[];
}>;

function quoteForDisplay(arg: string): string {
  return /[\s"]/.test(arg) || arg === '' ? `"${arg.replace(/"/g, '""')}"` : arg;
}

/** The command line for the site's VI job, built from settings; `null` while sageHomeFolder, viJobProgram or companyCode is empty. */
export function viCommand(options: Sage100Options, user: string): ViCommand | null {
  if (!options.sageHomeFolder || !options.viJobProgram || !options.companyCode) return null;
  if (!user || /[\s"]/.test(user)) throw new ErpError('config', 'The Sage 100 user logon for the VI command line must be one word without quotes');
  return {
    cwd: options.sageHomeFolder,
    // Windows paths as Sage has them; a folder written with "/" (a sandbox, a mapped share) keeps its own separator.
    program: options.sageHomeFolder.includes('\\') ? win32.join(options.sageHomeFolder, PVXWIN32) : posix.join(options.sageHomeFolder, PVXWIN32),
    args: ['..\\Launcher\\sota.ini', '..\\SOA\\Startup.M4P', '-ARG', 'DIRECT', 'UIOFF', user, PASSWORD_PLACEHOLDER, options.companyCode, options.viJobProgram, 'AUTO'],
  };
}

/** The line an admin pastes into Task Scheduler, with the placeholder instead of the password. */
export function viCommandLine(command: ViCommand): string {
  return [command.program, ...command.args].map(quoteForDisplay).join(' ');
}

/** The argument list the runner hands to the process: the placeholder replaced by the password, nothing else changed. */
export function viRunArgs(command: ViCommand, password: string): string[] {
  // Sage documents "" for an empty password, to hold the argument's place.
  return command.args.map((a) => (a === PASSWORD_PLACEHOLDER ? (password === '' ? '""' : password) : a));
}

export type ProcessRunner = (program: string, args: readonly string[], cwd: string) => Promise<{ exitCode: number }>;

const runProcess: ProcessRunner = (program, args, cwd) =>
  new Promise((resolve) => {
    // No shell: the password travels as one argv entry, never through a command string.
    execFile(program, [...args], { cwd, windowsHide: true }, (error) => {
      const code = error && typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : error ? 1 : 0;
      resolve({ exitCode: code });
    });
  });

/**
 * Runs the VI job once. Errors name the job and the exit code, never the
 * arguments (they hold the password).
 */
export async function runViJob(command: ViCommand, password: string, run: ProcessRunner = runProcess): Promise<void> {
  let result: { exitCode: number };
  try {
    result = await run(command.program, viRunArgs(command, password), command.cwd);
  } catch {
    throw new ErpError('config', `Could not start ${command.program} for Visual Integrator job ${command.args[8] ?? ''}`);
  }
  if (result.exitCode !== 0) {
    throw new ErpError('transient', `Visual Integrator job ${command.args[8] ?? ''} ended with exit code ${result.exitCode}; its log tells why`);
  }
}

/**
 * Whether the compiled VI job is on disk: Sage keeps compiled jobs (VIWIxx) as
 * ProvideX programs in the MAS90\VI folder, beside Home (Sage 100 help,
 * "Perform Command": "../VI/VIWTST ... found in the MAS90/VI folder"). `null`
 * when it cannot be checked (settings empty).
 */
export function viJobPresent(options: Sage100Options): boolean | null {
  if (!options.sageHomeFolder || !options.viJobProgram) return null;
  const folder = join(options.sageHomeFolder, '..', 'VI');
  if (!existsSync(folder)) return false;
  const wanted = options.viJobProgram.toUpperCase();
  // The program itself, with or without one extension (VIWI0A, VIWI0A.M4P); never a copy such as VIWI0A.M4P.bak.
  return readdirSync(folder).some((name) => new RegExp(`^${wanted}(\\.[A-Z0-9]{1,4})?$`).test(name.toUpperCase()));
}
