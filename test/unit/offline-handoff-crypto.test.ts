import { describe, expect, it } from 'vitest';
import { HANDOFF_MAGIC, HandoffError, openHandoffFile, sealHandoff } from '../../electron/core/offline/handoff-crypto';

// The hand-off container: AES-256-GCM under a scrypt key, header authenticated.
// Cheap scrypt parameters keep the test fast; the format is the same.

const fast = { N: 2 ** 10, r: 8, p: 1 };
const payload = { exceptions: [{ transactionId: 1001, maskedCard: '************1111', amountCents: 12_345 }], note: 'Grüße' };

function errorOf(run: () => unknown): HandoffError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(HandoffError);
    return e as HandoffError;
  }
  throw new Error('expected a HandoffError');
}

describe('hand-off file encryption', () => {
  it('round-trips the payload and carries its kind and format version in the clear header', () => {
    const file = sealHandoff('exceptions', payload, 'correct horse battery', { scrypt: fast });
    expect(file.subarray(0, 8).equals(HANDOFF_MAGIC)).toBe(true);
    const opened = openHandoffFile(file, 'correct horse battery', 'exceptions');
    expect(opened.payload).toEqual(payload);
    expect(opened.header).toMatchObject({ format: 'tieout-handoff', version: 1, kind: 'exceptions', cipher: 'aes-256-gcm', kdf: { name: 'scrypt', N: fast.N } });
    // Nothing readable leaks: the plaintext is compressed then encrypted.
    expect(file.includes(Buffer.from('1111'))).toBe(false);
    expect(file.includes(Buffer.from('transactionId'))).toBe(false);
  });

  it('a wrong passphrase is a clear error', () => {
    const file = sealHandoff('exceptions', payload, 'correct horse battery', { scrypt: fast });
    const e = errorOf(() => openHandoffFile(file, 'wrong horse battery'));
    expect(e.kind).toBe('wrong_passphrase_or_tampered');
    expect(e.message).toMatch(/passphrase is wrong/);
  });

  it('any changed byte — header, ciphertext or tag — is refused', () => {
    const file = sealHandoff('decisions', payload, 'correct horse battery', { scrypt: fast });
    const headerLength = file.readUInt32BE(8);
    const positions = [14, 12 + Math.floor(headerLength / 2), 12 + headerLength + 3, file.length - 20, file.length - 1];
    for (const at of positions) {
      const copy = Buffer.from(file);
      copy[at] = copy[at]! ^ 0x01;
      const e = errorOf(() => openHandoffFile(copy, 'correct horse battery'));
      expect(['wrong_passphrase_or_tampered', 'not_a_handoff_file'], `byte ${at}`).toContain(e.kind);
    }
    // A header edited into other valid JSON (a cheaper scrypt) fails authentication too.
    const header = JSON.parse(file.subarray(12, 12 + headerLength).toString('utf8')) as { createdAt: string };
    const edited = Buffer.from(JSON.stringify({ ...header, createdAt: '2000-01-01T00:00:00.000Z' }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(edited.length);
    const forged = Buffer.concat([HANDOFF_MAGIC, len, edited, file.subarray(12 + headerLength)]);
    expect(errorOf(() => openHandoffFile(forged, 'correct horse battery')).kind).toBe('wrong_passphrase_or_tampered');
  });

  it('names files that are not hand-off files, of another kind or of a newer format', () => {
    expect(errorOf(() => openHandoffFile(Buffer.from('PK\u0003\u0004 just a zip'), 'x')).kind).toBe('not_a_handoff_file');
    const decisions = sealHandoff('decisions', payload, 'correct horse battery', { scrypt: fast });
    expect(errorOf(() => openHandoffFile(decisions, 'correct horse battery', 'exceptions')).message).toMatch(/review decisions/);
    const file = sealHandoff('exceptions', payload, 'correct horse battery', { scrypt: fast });
    const headerLength = file.readUInt32BE(8);
    const header = JSON.parse(file.subarray(12, 12 + headerLength).toString('utf8')) as Record<string, unknown>;
    const newer = Buffer.from(JSON.stringify({ ...header, version: 2 }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(newer.length);
    const e = errorOf(() => openHandoffFile(Buffer.concat([HANDOFF_MAGIC, len, newer, file.subarray(12 + headerLength)]), 'correct horse battery'));
    expect(e.kind).toBe('unsupported_version');
  });
});
