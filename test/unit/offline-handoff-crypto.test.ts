import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HANDOFF_MAGIC, HandoffError, KDF_BY_VERSION, openHandoffFile, sealHandoff, type KeyDeriver } from '../../electron/core/offline/handoff-crypto';
import { HANDOFF_LIMITS } from '../../electron/core/offline/handoff-limits';
import { containerAround as around, headerOf, keyFor, withHeader } from '../support/handoff-files';

// The hand-off container: AES-256-GCM under a scrypt key, header authenticated.
// Every file uses the one scrypt setting of its format version (about 0.1 s a
// key), so these tests derive real keys.

const AT = '2026-01-05T15:00:00.000Z';
const PASS = 'correct horse battery';
const containerAround = (packed: Buffer) => around(packed, keyFor(PASS));
const payload = { exceptions: [{ transactionId: 1001, maskedCard: '************1111', amountCents: 12_345 }], note: 'Grüße' };

async function errorOf(run: () => Promise<unknown>): Promise<HandoffError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(HandoffError);
    return e as HandoffError;
  }
  throw new Error('expected a HandoffError');
}

describe('hand-off file encryption', () => {
  it('round-trips the payload and carries its kind and format version in the clear header', async () => {
    const file = await sealHandoff('exceptions', payload, PASS, { createdAt: AT });
    expect(file.subarray(0, 8).equals(HANDOFF_MAGIC)).toBe(true);
    const opened = await openHandoffFile(file, PASS, { expectedKind: 'exceptions' });
    expect(opened.payload).toEqual(payload);
    expect(opened.header).toMatchObject({ format: 'tieout-handoff', version: 1, kind: 'exceptions', cipher: 'aes-256-gcm', kdf: { name: 'scrypt', ...KDF_BY_VERSION[1] }, createdAt: AT });
    // Nothing readable leaks: the plaintext is compressed then encrypted.
    expect(file.includes(Buffer.from('1111'))).toBe(false);
    expect(file.includes(Buffer.from('transactionId'))).toBe(false);
  });

  it('a wrong passphrase is a clear error', async () => {
    const file = await sealHandoff('exceptions', payload, PASS, { createdAt: AT });
    const e = await errorOf(() => openHandoffFile(file, 'wrong horse battery'));
    expect(e.kind).toBe('wrong_passphrase_or_tampered');
    expect(e.message).toMatch(/passphrase is wrong/);
  });

  it('any changed byte — header, ciphertext or tag — is refused', async () => {
    const file = await sealHandoff('decisions', payload, PASS, { createdAt: AT });
    const headerLength = file.readUInt32BE(8);
    const positions = [14, 12 + Math.floor(headerLength / 2), 12 + headerLength + 3, file.length - 20, file.length - 1];
    for (const at of positions) {
      const copy = Buffer.from(file);
      copy[at] = copy[at]! ^ 0x01;
      const e = await errorOf(() => openHandoffFile(copy, PASS));
      expect(['wrong_passphrase_or_tampered', 'not_a_handoff_file', 'unsupported_kdf'], `byte ${at}`).toContain(e.kind);
    }
    // A header edited into other valid JSON fails authentication too.
    const forged = withHeader(file, { ...headerOf(file), createdAt: '2000-01-01T00:00:00.000Z' });
    expect((await errorOf(() => openHandoffFile(forged, PASS))).kind).toBe('wrong_passphrase_or_tampered');
  });

  it('names files that are not hand-off files, of another kind or of a newer format', async () => {
    expect((await errorOf(() => openHandoffFile(Buffer.from('PK\u0003\u0004 just a zip'), 'x'))).kind).toBe('not_a_handoff_file');
    const decisions = await sealHandoff('decisions', payload, PASS, { createdAt: AT });
    expect((await errorOf(() => openHandoffFile(decisions, PASS, { expectedKind: 'exceptions' }))).message).toMatch(/review decisions/);
    const file = await sealHandoff('exceptions', payload, PASS, { createdAt: AT });
    const e = await errorOf(() => openHandoffFile(withHeader(file, { ...headerOf(file), version: 2 }), PASS));
    expect(e.kind).toBe('unsupported_version');
  });
});

describe('a crafted hand-off file cannot make the engine work hard', () => {
  const counting = () => {
    const calls: number[] = [];
    const derive: KeyDeriver = (_passphrase, params) => {
      calls.push(params.N);
      return Promise.reject(new Error('must not derive'));
    };
    return { calls, derive };
  };

  it('refuses scrypt settings other than the format version\'s before deriving a key', async () => {
    const file = await sealHandoff('exceptions', payload, PASS, { createdAt: AT });
    const header = headerOf(file) as { kdf: Record<string, unknown> };
    const hostile = [
      { N: 2 ** 20, r: 8, p: 1 }, // froze the engine for 9 s
      { N: 2 ** 20, r: 32, p: 16 }, // the old maximum: about 4 GiB
      { N: 2 ** 16, r: 8, p: 1 },
      { N: 2 ** 10, r: 8, p: 1 }, // cheaper is refused too: easier to guess the passphrase of
      { N: 2 ** 15, r: 9, p: 1 },
      { N: 2 ** 15, r: 8, p: 2 },
      { N: '32768', r: 8, p: 1 },
    ];
    for (const kdf of hostile) {
      const { calls, derive } = counting();
      const e = await errorOf(() => openHandoffFile(withHeader(file, { ...header, kdf: { ...header.kdf, ...kdf } }), PASS, { deriveKey: derive }));
      expect(['unsupported_kdf', 'wrong_passphrase_or_tampered'], JSON.stringify(kdf)).toContain(e.kind);
      expect(calls, JSON.stringify(kdf)).toEqual([]);
    }
    const { calls, derive } = counting();
    const e = await errorOf(() => openHandoffFile(withHeader(file, { ...header, kdf: { ...header.kdf, N: 2 ** 20 } }), PASS, { deriveKey: derive }));
    expect(e.kind).toBe('unsupported_kdf');
    expect(e.message).toMatch(/N=1048576/);
    expect(calls).toEqual([]);
  });

  it('refuses a file of another kind, an oversized file and an oversized header before deriving', async () => {
    const file = await sealHandoff('decisions', payload, PASS, { createdAt: AT });
    const { calls, derive } = counting();
    expect((await errorOf(() => openHandoffFile(file, PASS, { expectedKind: 'exceptions', deriveKey: derive }))).kind).toBe('wrong_kind');
    const big = Buffer.concat([file, Buffer.alloc(HANDOFF_LIMITS.maxFileBytes)]);
    const tooLarge = await errorOf(() => openHandoffFile(big, PASS, { deriveKey: derive }));
    expect(tooLarge.kind).toBe('too_large');
    expect(tooLarge.message).toMatch(/at most 32 MiB/);
    const header = headerOf(file);
    expect((await errorOf(() => openHandoffFile(withHeader(file, { ...header, pad: 'x'.repeat(HANDOFF_LIMITS.maxHeaderBytes) }), PASS, { deriveKey: derive }))).kind).toBe('not_a_handoff_file');
    expect(calls).toEqual([]);
  });

  it('refuses a payload that unpacks beyond the limit (a gzip bomb), and the event loop keeps serving meanwhile', async () => {
    // 40 MiB of valid JSON (spaces) packs into about 40 KiB.
    const json = Buffer.concat([Buffer.from('{"exceptions":['), Buffer.alloc(40 * 1024 * 1024, 0x20), Buffer.from(']}')]);
    const bomb = containerAround(gzipSync(json, { level: 9 }));
    expect(bomb.length).toBeLessThan(100 * 1024);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    try {
      const e = await errorOf(() => openHandoffFile(bomb, PASS, { expectedKind: 'exceptions' }));
      expect(e.kind).toBe('too_large');
      expect(e.message).toMatch(/unpacks to more than 32 MiB/);
    } finally {
      clearInterval(timer);
    }
    // The key was derived and the payload unpacked off the event loop: the timer kept firing.
    expect(ticks).toBeGreaterThan(0);
  });

  it('a payload within the limit that is not JSON, or not gzip, is a clear error', async () => {
    expect((await errorOf(() => openHandoffFile(containerAround(gzipSync(Buffer.from('{"exceptions": [1, 2'))), PASS))).kind).toBe('not_a_handoff_file');
    expect((await errorOf(() => openHandoffFile(containerAround(Buffer.from('{"plain": "not gzip"}')), PASS))).kind).toBe('not_a_handoff_file');
  });

  it('a payload too large to read back is refused when writing, not written', async () => {
    const e = await errorOf(() => sealHandoff('exceptions', { blob: 'x'.repeat(2048) }, PASS, { createdAt: AT, limits: { maxPayloadBytes: 1024 } }));
    expect(e.kind).toBe('too_large');
  });
});
