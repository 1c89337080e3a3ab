import { describe, expect, it } from 'vitest';
import { parseAbasOptions } from '../../electron/core/erp/abas/options';
import { ErpError } from '../../electron/core/erp/errors';
import { optionReader } from '../../electron/core/erp/option-reader';

// Issue 12 point 6: the ERP option readers refuse what the settings schema refuses,
// for options saved before the schema checked them.

const reader = optionReader(
  [
    { key: 'pageSize', label: 'Page size', default: 100, help: '' },
    { key: 'tokenUrl', label: 'Token URL', default: '', help: '' },
  ],
  'Test ERP',
);
const configError = (f: () => unknown): string => {
  try {
    f();
    return '(accepted)';
  } catch (e) {
    return e instanceof ErpError && e.kind === 'config' ? e.message : `unexpected ${String(e)}`;
  }
};

describe('ERP option readers (issue 12)', () => {
  it('a count is a positive safe whole number: not a boolean, NaN, negative, fractional or huge', () => {
    for (const bad of [true, Number.NaN, -1, 0, 1.5, '2.5', 'ten', 2 ** 60]) expect(configError(() => reader.positiveInt({ pageSize: bad }, 'pageSize')), String(bad)).toBe('Test ERP setting pageSize must be a positive whole number');
    expect(reader.positiveInt({ pageSize: '250' }, 'pageSize')).toBe(250);
    expect(reader.positiveInt({}, 'pageSize')).toBe(100);
  });

  it('a URL option is https (http only to this computer), no other scheme, no credentials', () => {
    expect(configError(() => reader.url({ tokenUrl: 'javascript:alert(1)' }, 'tokenUrl'))).toBe('Test ERP setting tokenUrl: javascript:// addresses are not allowed; use https://');
    expect(configError(() => reader.url({ tokenUrl: 'http://idp.example/token' }, 'tokenUrl'))).toMatch(/^Test ERP setting tokenUrl: use https:\/\//);
    expect(configError(() => reader.url({ tokenUrl: 'https://u:p@idp.example/token' }, 'tokenUrl'))).toMatch(/must not contain a user name or password/);
    expect(reader.url({ tokenUrl: ' https://idp.example/token ' }, 'tokenUrl')).toBe('https://idp.example/token');
    expect(reader.url({ tokenUrl: 'http://127.0.0.1:9000/token' }, 'tokenUrl')).toBe('http://127.0.0.1:9000/token');
    expect(reader.url({}, 'tokenUrl')).toBe('');
    expect(configError(() => parseAbasOptions({ tenant: 't', authMode: 'oauth2', tokenUrl: 'file:///etc/passwd' }))).toBe('abas setting tokenUrl: file:// addresses are not allowed; use https://');
  });
});
