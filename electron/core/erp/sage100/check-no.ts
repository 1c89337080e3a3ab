import { createHash } from 'node:crypto';
import { ErpError } from '../errors';

// Sage 100 holds the PayTrace id in the 10-character CheckNo (reference §4,
// v4.40 layouts). The scheme (docs/erp/sage100.md):
//   - up to 10 digits: the id as is (every PayTrace id seen so far);
//   - anything else representable: "T" + 9 base-36 characters of SHA-256 of
//     the id, with the full id in PostingComment. Deterministic, so the
//     look-up computes the same CheckNo; "T" never starts a numeric id.
// Credit memos use the same idea for the 7-character InvoiceNo: "C" + 6.

export const CHECK_NO_MAX = 10;
export const INVOICE_NO_MAX = 7;

const REPRESENTABLE = /^[A-Za-z0-9._-]{1,64}$/;

function assertRepresentable(reference: string): string {
  const ref = reference.trim();
  if (!REPRESENTABLE.test(ref)) {
    throw new ErpError(
      'validation',
      `Reference "${ref.slice(0, 80)}" cannot be carried in Sage 100: use 1-64 letters, digits, ".", "_" or "-"`,
    );
  }
  return ref;
}

function hash36(text: string, length: number): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  // 8 bytes give 64 bits, more than the 46 bits in 9 base-36 characters.
  return digest.readBigUInt64BE(0).toString(36).toUpperCase().padStart(length, '0').slice(-length);
}

export function checkNoForReference(reference: string): string {
  const ref = assertRepresentable(reference);
  if (/^\d{1,10}$/.test(ref)) return ref;
  return `T${hash36(ref, CHECK_NO_MAX - 1)}`;
}

/** True when the CheckNo is a short form, so the full id must travel in a comment. */
export function isShortForm(reference: string): boolean {
  return checkNoForReference(reference) !== reference.trim();
}

export function creditMemoNoForReference(reference: string): string {
  const ref = assertRepresentable(reference);
  if (/^\d{1,6}$/.test(ref)) return `C${ref}`;
  return `C${hash36(`cm:${ref}`, INVOICE_NO_MAX - 1)}`;
}

/** One batch per receipt day: <prefix><MMDD>, e.g. T0312 (BatchNo is 5 characters). */
export function batchNoForDate(prefix: string, isoDate: string): string {
  return `${prefix}${isoDate.slice(5, 7)}${isoDate.slice(8, 10)}`;
}

export function postingComment(reference: string): string {
  return `PayTrace ${reference.trim()}`;
}
