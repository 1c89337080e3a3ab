import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { ReceiptAllocation, ReceiptRequest } from '../connector';
import { ErpError } from '../errors';

// MT940 bank statements for abas's bank-statement import (SWIFT/MT940 is a
// confirmed import format, reference §5). One statement per receipt, opening
// balance zero, one :61: credit line; the :86: purpose carries the PayTrace id
// and the invoices it pays in a fixed token layout the import's allocation
// rules can match (docs/erp/abas.md):
//   TIEOUT <reference> KD <customer> RE <invoice> <amount> ... [UNAPPL <amount>]
// Purpose text is at most 6 lines of 65 characters (MT940 :86: limit).

export type Mt940Statement = Readonly<{
  statementRef: string;
  account: string;
  currency: string;
  date: string; // YYYY-MM-DD
  amountCents: Cents;
  reference: string;
  customerId: string;
  allocations: readonly ReceiptAllocation[];
  unappliedCents: Cents;
}>;

const PURPOSE_LINE = 65;
const PURPOSE_LINES = 6;

const yymmdd = (iso: string): string => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
const mt940Amount = (c: Cents | number): string => centsToDecimalString(c).replace('.', ',');

export function mt940FileName(reference: string): string {
  return `tieout-${reference.replace(/[^A-Za-z0-9_-]/g, '_')}.sta`;
}

function wrap(text: string): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (w.length > PURPOSE_LINE) throw new ErpError('validation', `MT940 purpose token "${w}" is longer than ${PURPOSE_LINE} characters`);
    if (cur === '') cur = w;
    else if (cur.length + 1 + w.length <= PURPOSE_LINE) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  return lines;
}

export function buildMt940(r: ReceiptRequest, account: string): string {
  if (/\s/.test(r.reference) || /\s/.test(r.customerId) || r.allocations.some((a) => /\s/.test(a.invoiceNo))) {
    throw new ErpError('validation', 'MT940 purpose tokens (reference, customer, invoice numbers) cannot contain spaces');
  }
  const tokens = ['TIEOUT', r.reference, 'KD', r.customerId];
  for (const a of r.allocations) tokens.push('RE', a.invoiceNo, mt940Amount(a.amountCents));
  if ((r.unappliedCents ?? 0) > 0) tokens.push('UNAPPL', mt940Amount(r.unappliedCents!));
  const purpose = wrap(tokens.join(' '));
  if (purpose.length > PURPOSE_LINES) {
    throw new ErpError('validation', `The receipt pays too many invoices for one MT940 purpose (${purpose.length} lines, at most ${PURPOSE_LINES}); post it through the API`);
  }
  const d = yymmdd(r.date);
  const custRef = r.reference.slice(0, 16);
  return [
    `:20:${`TO${r.reference}`.slice(0, 16)}`,
    `:25:${account}`,
    ':28C:00001/001',
    `:60F:C${d}${r.currency}0,00`,
    `:61:${d}${d.slice(2)}C${mt940Amount(r.amountCents)}NTRF${custRef}//${r.reference.slice(0, 16)}`,
    `:86:${purpose[0]}`,
    ...purpose.slice(1),
    `:62F:C${d}${r.currency}${mt940Amount(r.amountCents)}`,
    '-',
  ].join('\r\n') + '\r\n';
}

function amount(text: string, where: string): Cents {
  try {
    return parseDecimalToCents(text.replace(',', '.'));
  } catch {
    throw new ErpError('validation', `MT940 ${where}: "${text}" is not an amount`);
  }
}

/** Parses one statement as written above; the sandbox's importer and tests use it. */
export function parseMt940(content: string): Mt940Statement {
  const lines = content.split(/\r?\n/);
  const tags = new Map<string, string>();
  let last = '';
  for (const line of lines) {
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(line);
    if (m) {
      last = m[1]!;
      tags.set(last, m[2]!);
    } else if (line !== '-' && line.trim() !== '' && last === '86') tags.set('86', `${tags.get('86')} ${line}`);
  }
  for (const t of ['20', '25', '28C', '60F', '61', '86', '62F']) if (!tags.has(t)) throw new ErpError('validation', `MT940: tag :${t}: is missing`);
  const t61 = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?([\d,]+)N([A-Z0-9]{3})/.exec(tags.get('61')!);
  if (!t61) throw new ErpError('validation', `MT940 :61: is not a statement line: ${tags.get('61')}`);
  if (t61[3] !== 'C') throw new ErpError('validation', 'MT940 :61: is not a credit');
  const d = t61[1]!;
  const total = amount(t61[5]!, ':61:');
  const closing = /^C(\d{6})([A-Z]{3})([\d,]+)$/.exec(tags.get('62F')!);
  if (!closing || amount(closing[3]!, ':62F:') !== total) throw new ErpError('validation', 'MT940 :62F: closing balance does not match the :61: credit');
  const words = tags.get('86')!.split(/\s+/).filter(Boolean);
  if (words[0] !== 'TIEOUT' || words[2] !== 'KD' || !words[1] || !words[3]) throw new ErpError('validation', 'MT940 :86: purpose does not start with "TIEOUT <reference> KD <customer>"');
  const allocations: ReceiptAllocation[] = [];
  let unapplied = 0;
  for (let i = 4; i < words.length; ) {
    if (words[i] === 'RE' && words[i + 1] && words[i + 2]) {
      allocations.push({ invoiceNo: words[i + 1]!, amountCents: amount(words[i + 2]!, ':86: RE') });
      i += 3;
    } else if (words[i] === 'UNAPPL' && words[i + 1]) {
      unapplied += amount(words[i + 1]!, ':86: UNAPPL');
      i += 2;
    } else throw new ErpError('validation', `MT940 :86: unexpected token "${words[i]}"`);
  }
  return {
    statementRef: tags.get('20')!,
    account: tags.get('25')!,
    currency: closing[2]!,
    date: `20${d.slice(0, 2)}-${d.slice(2, 4)}-${d.slice(4, 6)}`,
    amountCents: total,
    reference: words[1],
    customerId: words[3],
    allocations,
    unappliedCents: unapplied as Cents,
  };
}
