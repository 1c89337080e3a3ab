import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The packaging configuration as electron-builder reads it: the fuses that
// stop the installed binary from being used as a general Node runtime with
// the app's identity, and the asar settings those fuses depend on.


type BuilderConfig = { asar?: unknown; electronFuses?: Record<string, unknown>; asarUnpack?: unknown };

const config = parse(readFileSync(resolve(import.meta.dirname, '../../electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it.each([
    ['runAsNode', false],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['enableCookieEncryption', true],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['onlyLoadAppFromAsar', true],
    ['loadBrowserProcessSpecificV8Snapshot', false],
    ['grantFileProtocolExtraPrivileges', false],
  ] as const)('sets the fuse %s to %s', (fuse, value) => {
    expect(config.electronFuses?.[fuse]).toBe(value);
  });

  it('names no fuse electron-builder does not know (a typo would silently leave the default)', () => {
    const known = ['runAsNode', 'enableCookieEncryption', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments', 'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar', 'loadBrowserProcessSpecificV8Snapshot', 'grantFileProtocolExtraPrivileges', 'resetAdHocDarwinSignature'];
    expect(Object.keys(config.electronFuses ?? {}).filter((k) => !known.includes(k))).toEqual([]);
  });

  it('packs the app into an asar archive, which the integrity and only-from-asar fuses need', () => {
    expect(config.asar === undefined || config.asar === true).toBe(true);
  });
});
