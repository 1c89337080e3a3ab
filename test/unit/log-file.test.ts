import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFiles as openedFiles } from '../../electron/core/log/log-files';
import { createLogger, openAppLog } from '../../electron/core/log/logger';
import { registerSecret } from '../../electron/core/log/secret-registry';

// The installed app's log (issue 12, point 10): a rotating file in the data
// folder, private to the user, with secrets and card numbers removed from
// messages, nested fields and errors before a line is written.

const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const PAYTRACE_PASSWORD = 'Pt-Planted-Pass-8842';
const ERP_PASSWORD = 'Erp-Planted-Pass-1937';
const API_KEY = 'sk_live_PlantedApiKey0042';

const tick = () => new Promise((r) => setTimeout(r, 5));
const mode = (path: string) => statSync(path).mode & 0o777;

function planted(): string[] {
  return [PAYTRACE_PASSWORD, ERP_PASSWORD, API_KEY, CARD_DIGITS, CARD];
}

describe('log file', () => {
  it('writes JSON lines to <dataDir>/logs, folder 0700 and files 0600, and rotates at the size limit keeping a bounded number of files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-log-'));
    const log = await openAppLog(dataDir, { size: '1k', keep: 2 });
    const logger = log.logger('engine').child('sync');
    for (let i = 0; i < 60; i += 1) {
      logger.info(`sync step ${i} ${'x'.repeat(60)}`);
      await tick(); // rotation happens between writes, as in a running app
    }
    await log.close();
    const files = log.files();
    expect(files.length).toBe(3); // the current file and the two kept
    expect(files.every((f) => f.startsWith(join(dataDir, 'logs')))).toBe(true);
    expect(mode(join(dataDir, 'logs'))).toBe(0o700);
    for (const f of files) expect(mode(f)).toBe(0o600);
    const last = readFileSync(files.at(-1)!, 'utf8').trim().split('\n').at(-1)!;
    const line = JSON.parse(last) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', scope: 'engine:sync', msg: expect.stringContaining('sync step 59') });
    expect(typeof line['time']).toBe('string');
    // Older lines were rotated away: the first file left is not the first written.
    expect(readFileSync(files[0]!, 'utf8')).not.toContain('sync step 0 ');
  });

  it('keeps the bound across restarts: files an earlier run left are rotated away too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-log-'));
    for (let run = 0; run < 4; run += 1) {
      const log = await openAppLog(dataDir, { size: '1k', keep: 2 });
      for (let i = 0; i < 25; i += 1) {
        log.logger('engine').info(`run ${run} step ${i} ${'x'.repeat(60)}`);
        await tick();
      }
      await log.close();
    }
    const files = openedFiles(dataDir);
    expect(files.length).toBe(3);
    expect(readFileSync(files.at(-1)!, 'utf8')).toContain('run 3 step 24');
  });

  it('narrows an existing log file that was world-readable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-log-'));
    const first = await openAppLog(dataDir);
    first.logger('x').info('first');
    await first.close();
    const { chmodSync } = await import('node:fs');
    chmodSync(first.files()[0]!, 0o644);
    chmodSync(join(dataDir, 'logs'), 0o755);
    const second = await openAppLog(dataDir);
    await second.close();
    expect(mode(second.files()[0]!)).toBe(0o600);
    expect(mode(join(dataDir, 'logs'))).toBe(0o700);
  });
});

describe('log redaction', () => {
  it('removes planted secrets and card numbers from messages, nested fields, and an error message and stack', () => {
    registerSecret(PAYTRACE_PASSWORD);
    registerSecret(ERP_PASSWORD);
    const lines: string[] = [];
    const logger = createLogger('test', (l) => lines.push(l)).child('paytrace');
    logger.error(`PayTrace said: invalid password ${PAYTRACE_PASSWORD} for card ${CARD}`);
    logger.warn('ERP call failed', {
      request: { url: `https://clerk:${ERP_PASSWORD}@erp.example/api?x=1`, body: { note: `customer read card ${CARD_DIGITS} to me`, apiKey: API_KEY } },
      // Under a key nobody expected: only the registered value gives it away.
      context: { lastValue: ERP_PASSWORD, header: `Authorization: Bearer ${API_KEY}` },
      amountCents: 12_345,
      cardAsNumber: Number(CARD_DIGITS),
    });
    const err = new Error(`login failed for password=${PAYTRACE_PASSWORD} card ${CARD}`);
    logger.error('sync failed', { err });
    const text = lines.join('\n');
    for (const s of planted()) expect(text.includes(s), `${s.slice(0, 4)}… in the log`).toBe(false);
    expect(text).toContain('[card number removed]');
    const warn = JSON.parse(lines[1]!) as { request: { body: { apiKey: string } }; amountCents: number };
    expect(warn.request.body.apiKey).toBe('[redacted]');
    expect(warn.amountCents).toBe(12_345);
    const error = JSON.parse(lines[2]!) as { err: { message: string; stack: string } };
    expect(error.err.message).toContain('[redacted]');
    expect(error.err.stack).toContain('login failed');
    expect(error.err.stack.includes(PAYTRACE_PASSWORD)).toBe(false);
  });

  it('logs an HTTP client error without its request or response headers, body or config', () => {
    const lines: string[] = [];
    const logger = createLogger('test', (l) => lines.push(l));
    const err = Object.assign(new Error('Request failed with status code 401'), {
      name: 'AxiosError',
      code: 'ERR_BAD_REQUEST',
      config: { method: 'post', url: `https://api.paytrace.com/oauth/token?password=${PAYTRACE_PASSWORD}`, headers: { Authorization: `Bearer ${API_KEY}` }, data: `grant_type=password&password=${PAYTRACE_PASSWORD}` },
      request: { _header: `POST /oauth/token HTTP/1.1\r\nAuthorization: Basic ${API_KEY}\r\n` },
      response: { status: 401, headers: { 'set-cookie': 'sid=SECRETCOOKIE' }, data: { error: 'invalid_grant' } },
    });
    logger.error('token request failed', { err });
    const line = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'AxiosError', code: 'ERR_BAD_REQUEST', status: 401, method: 'POST', url: 'https://api.paytrace.com/oauth/token?…' });
    expect(Object.keys(line.err).sort()).toEqual(['code', 'message', 'method', 'stack', 'status', 'type', 'url']);
    for (const s of [PAYTRACE_PASSWORD, API_KEY, 'SECRETCOOKIE']) expect(lines[0]!.includes(s)).toBe(false);
  });
});
